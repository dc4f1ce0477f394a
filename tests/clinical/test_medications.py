"""Medication screening: resolution, weighting, serotonin, renal flags, cautions, unknown names."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myoclonus.clinical.medications import (
    EVIDENCE_WEIGHT,
    MedicationUse,
    drug_cautions,
    resolve_drug,
    screen_medications,
    suggest_drug,
)
from myoclonus.errors import InputError


def _hit(screen, generic):
    return next(h for h in screen.hits if h.generic == generic)


def _weight(meds, generic, **kwargs):
    return _hit(screen_medications(meds, **kwargs), generic).weight


# ---------------------------------------------------------------- name resolution

@pytest.mark.parametrize("name", ["Neurontin", "neurontin", "  NEURONTIN ", "gabapentin", "Gaba-pentin", "gabapentin 300 mg"])
def test_resolution_is_case_space_hyphen_insensitive(name):
    assert resolve_drug(name).id == "gabapentin"


def test_synonyms_and_formulations_resolve():
    assert resolve_drug("pethidine").id == "meperidine"
    assert resolve_drug("Depakote ER").id == "valproate"
    assert resolve_drug("sodium valproate").id == "valproate"
    assert resolve_drug("co-amoxiclav").id == "amoxicillin_clavulanate"


@pytest.mark.parametrize(("typo", "suggestion", "generic"), [
    ("tramadoll", "Tramadol", "tramadol"),
    ("gabapentine", "Gabapentin", "gabapentin"),
    ("Neurontine", "Neurontin", "gabapentin"),
    ("Lyricca", "Lyrica", "pregabalin"),
    ("keprra", "Keppra", "levetiracetam"),
])
def test_misspellings_are_unknown_with_a_suggestion(typo, suggestion, generic):
    assert resolve_drug(typo) is None  # never silently corrected
    assert suggest_drug(typo) == suggestion
    screen = screen_medications([MedicationUse(name=typo)])
    assert screen.hits == []
    assert [(u.name, u.suggestion, u.suggestion_generic) for u in screen.unknown] == [(typo, suggestion, generic)]


def test_unknown_names_are_listed_not_dropped():
    screen = screen_medications([MedicationUse(name="xyzzy"), MedicationUse(name="sertraline"), MedicationUse(name="")])
    assert [u.name for u in screen.unknown] == ["xyzzy", ""]
    assert all(u.suggestion is None for u in screen.unknown)
    assert [h.generic for h in screen.hits] == ["sertraline"]


# ---------------------------------------------------------------- weighting

def test_evidence_level_sets_base_weight():
    assert _weight([MedicationUse(name="sertraline")], "sertraline") == EVIDENCE_WEIGHT["A"]
    assert _weight([MedicationUse(name="haloperidol")], "haloperidol") == EVIDENCE_WEIGHT["class"]
    assert _weight([MedicationUse(name="desvenlafaxine")], "desvenlafaxine") == EVIDENCE_WEIGHT["unverified"]
    assert EVIDENCE_WEIGHT["A"] > EVIDENCE_WEIGHT["case_report"] > EVIDENCE_WEIGHT["class"] > EVIDENCE_WEIGHT["unverified"] > 0


def test_recent_start_beats_start_two_years_ago():
    recent = _hit(screen_medications([MedicationUse(name="tramadol", started_days_ago=5)]), "tramadol")
    old = _hit(screen_medications([MedicationUse(name="tramadol", started_days_ago=730)]), "tramadol")
    assert recent.weight > old.weight
    assert any("started 5 days ago" in r for r in recent.reasons_for)
    assert any("730 days ago" in r for r in old.reasons_against)


def test_recent_dose_change_counts_like_a_recent_start():
    changed = _weight([MedicationUse(name="gabapentin", started_days_ago=900, dose_changed_days_ago=3)], "gabapentin")
    stable = _weight([MedicationUse(name="gabapentin", started_days_ago=900)], "gabapentin")
    assert changed > stable


def test_stopped_long_ago_removes_the_weight():
    hit = _hit(screen_medications([MedicationUse(name="cefepime", started_days_ago=60, stopped_days_ago=45)]), "cefepime")
    assert hit.weight == 0
    assert any("stopped 45 days ago" in r for r in hit.reasons_against)
    assert _weight([MedicationUse(name="cefepime", stopped_days_ago=2)], "cefepime") > 0


def test_renal_function_raises_weight_of_renally_cleared_drug():
    meds = [MedicationUse(name="gabapentin", started_days_ago=10)]
    low = screen_medications(meds, egfr_ml_min=14)
    normal = screen_medications(meds, egfr_ml_min=90)
    assert _hit(low, "gabapentin").weight > _hit(normal, "gabapentin").weight
    assert _hit(low, "gabapentin").weight > _weight(meds, "gabapentin", egfr_ml_min=45)
    assert [f.drug for f in low.renal_flags] == ["gabapentin"]
    assert "G5" in low.renal_flags[0].stage
    assert any("KDIGO" in s for s in low.renal_flags[0].sources)
    assert normal.renal_flags == []


def test_renal_function_does_not_change_non_renal_drug():
    meds = [MedicationUse(name="sertraline", started_days_ago=10)]
    assert _weight(meds, "sertraline", egfr_ml_min=14) == _weight(meds, "sertraline", egfr_ml_min=90)
    assert screen_medications(meds, egfr_ml_min=14).renal_flags == []


@pytest.mark.parametrize(("egfr", "stage"), [(50, "G3a"), (35, "G3b"), (20, "G4"), (10, "G5")])
def test_renal_flag_names_kdigo_stage(egfr, stage):
    flags = screen_medications([MedicationUse(name="Maxipime")], egfr_ml_min=egfr).renal_flags
    assert flags[0].drug == "cefepime"
    assert flags[0].stage.startswith(stage)


def test_treatment_drug_is_recognised_with_zero_weight_but_renal_flag():
    screen = screen_medications([MedicationUse(name="Keppra")], egfr_ml_min=20)
    hit = _hit(screen, "levetiracetam")
    assert hit.weight == 0 and hit.evidence == "none"
    assert screen.suspects == [] and screen.top is None
    assert [f.drug for f in screen.renal_flags] == ["levetiracetam"]


def test_hits_sorted_by_weight_and_top_named():
    screen = screen_medications(
        [MedicationUse(name="Keppra"), MedicationUse(name="haloperidol", started_days_ago=400),
         MedicationUse(name="Neurontin", dose_changed_days_ago=3)],
        egfr_ml_min=14,
    )
    weights = [h.weight for h in screen.hits]
    assert weights == sorted(weights, reverse=True)
    assert screen.top.generic == "gabapentin"
    assert screen.top.name_given == "Neurontin"
    assert screen.top.sources


# ---------------------------------------------------------------- serotonin toxicity

def test_serotonergic_combination_flagged():
    screen = screen_medications([MedicationUse(name="Zoloft"), MedicationUse(name="tramadol", started_days_ago=4)])
    assert screen.serotonin_toxicity_risk
    assert set(screen.serotonergic) == {"sertraline", "tramadol"}
    assert "tramadol" in screen.serotonin_reason and "recently" in screen.serotonin_reason
    assert any("Boyer" in s for s in screen.serotonin_sources)


@pytest.mark.parametrize("meds", [
    [MedicationUse(name="gabapentin")],
    [MedicationUse(name="sertraline")],
    [MedicationUse(name="sertraline"), MedicationUse(name="Zoloft")],          # same drug twice
    [MedicationUse(name="sertraline"), MedicationUse(name="gabapentin")],
    [MedicationUse(name="sertraline"), MedicationUse(name="tramadol", stopped_days_ago=100)],
])
def test_no_serotonin_flag_without_two_active_serotonergic_drugs(meds):
    assert not screen_medications(meds).serotonin_toxicity_risk


# ---------------------------------------------------------------- cautions

def test_cautions_for_drugs_that_worsen_myoclonus():
    screen = screen_medications([MedicationUse(name="Tegretol"), MedicationUse(name="sertraline")])
    contexts = {(c.drug, c.context) for c in screen.cautions}
    assert ("carbamazepine", "cortical_myoclonus") in contexts
    assert ("carbamazepine", "myoclonic_seizures") in contexts
    assert all(c.sources for c in screen.cautions)
    assert not any(c.drug == "sertraline" for c in screen.cautions)
    assert {c.context for c in drug_cautions("Lamictal")} == {"jme", "myoclonic_seizures"}
    assert drug_cautions("xyzzy") == []


# ---------------------------------------------------------------- bad input

def test_dict_items_validated_with_field_named():
    with pytest.raises(InputError, match=r"medications\[1\]\.start_days_ago: unknown field\. Did you mean 'started_days_ago'"):
        screen_medications([{"name": "tramadol"}, {"name": "x", "start_days_ago": 3}])
    with pytest.raises(InputError, match=r"medications\[0\]\.stopped_days_ago"):
        screen_medications([{"name": "tramadol", "stopped_days_ago": -1}])


@pytest.mark.parametrize("egfr", [-5, float("nan")])
def test_bad_egfr_rejected(egfr):
    with pytest.raises(InputError, match="egfr_ml_min"):
        screen_medications([], egfr_ml_min=egfr)


def test_as_dict_is_json_ready():
    import json
    screen = screen_medications([MedicationUse(name="tramadol", started_days_ago=2), MedicationUse(name="foo")])
    data = json.loads(json.dumps(screen.as_dict()))
    assert data["hits"][0]["generic"] == "tramadol"
    assert data["unknown"][0]["name"] == "foo"


# ---------------------------------------------------------------- property

_known = st.sampled_from(["tramadol", "Zoloft", "Keppra", "gabapentine", "cefepime", "Tegretol", "xyzzy"])
_days = st.none() | st.floats(min_value=0, max_value=5000, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(st.text(max_size=30) | _known, max_size=8),
    days=st.lists(st.tuples(_days, _days, _days), min_size=8, max_size=8),
    egfr=st.none() | st.floats(min_value=0, max_value=200, allow_nan=False),
)
def test_screening_never_raises_and_accounts_for_every_input(names, days, egfr):
    meds = [MedicationUse(name=n, started_days_ago=a, dose_changed_days_ago=b, stopped_days_ago=c)
            for n, (a, b, c) in zip(names, days)]
    screen = screen_medications(meds, egfr_ml_min=egfr)
    accounted = sorted([h.name_given for h in screen.hits] + [u.name for u in screen.unknown])
    assert accounted == sorted(names)
    assert all(h.weight >= 0 for h in screen.hits)
    assert [h.weight for h in screen.hits] == sorted((h.weight for h in screen.hits), reverse=True)
    assert screen.serotonin_toxicity_risk == (len(set(screen.serotonergic)) >= 2)


def test_antiviral_in_renal_failure_ranks_above_same_class_stable_drug():
    # valaciclovir neurotoxicity (incl. myoclonus) mostly occurs with renal impairment (Bates 2002)
    screen = screen_medications(
        [MedicationUse(name="Valtrex", started_days_ago=3), MedicationUse(name="mirtazapine", started_days_ago=800)],
        egfr_ml_min=12,
    )
    assert screen.top.generic == "valaciclovir"
    assert [f.drug for f in screen.renal_flags] == ["valaciclovir"]
