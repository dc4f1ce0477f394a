"""Medication screening: resolution, weighting, serotonin and renal flags."""
from __future__ import annotations

from myoclonus.clinical.medications import MedicationUse, resolve_drug, screen_medications


def _weight(screen, generic):
    return next(h.weight for h in screen.hits if h.generic == generic)


def test_brand_resolves_to_generic():
    assert resolve_drug("Neurontin").id == "gabapentin"
    assert resolve_drug("  zoloft ").id == "sertraline"


def test_serotonergic_combination_flagged():
    screen = screen_medications([MedicationUse(name="sertraline"), MedicationUse(name="tramadol", started_days_ago=4)])
    assert screen.serotonin_toxicity_risk
    assert set(screen.serotonergic) == {"sertraline", "tramadol"}


def test_renal_weighting_raises_gabapentin():
    meds = [MedicationUse(name="gabapentin", started_days_ago=10)]
    assert _weight(screen_medications(meds, egfr_ml_min=14), "gabapentin") > _weight(screen_medications(meds, egfr_ml_min=90), "gabapentin")


def test_unknown_name_listed_with_suggestion():
    screen = screen_medications([MedicationUse(name="Neurontine")])
    assert not screen.hits
    assert screen.unknown[0].suggestion_generic == "gabapentin"
