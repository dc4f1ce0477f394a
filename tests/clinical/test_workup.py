"""Work-up tailored to the case: each step has a reason and sources."""
from __future__ import annotations

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import parse_intake


def _ids(**fields) -> list[str]:
    return [w.id for w in assess(parse_intake({"schema": "myoclonus.intake/1", **fields})).workup]


def test_symptomatic_work_up_always_has_blood_tests_and_eeg():
    ids = _ids(jerks={"distribution": "multifocal"})
    assert ids[:2] == ["history", "examination"]
    assert {"blood_electrolytes", "blood_glucose", "renal_function", "liver_function", "eeg", "polymyography"} <= set(ids)


def test_physiological_jerks_get_no_test_battery():
    ids = _ids(course="static", jerks={"occurs_at": ["sleep_onset"], "episodes_per_day": 0.1})
    assert ids == ["history", "examination"]


def test_medication_review_only_with_medications():
    assert "medication_review" not in _ids()
    assert "medication_review" in _ids(medications=[{"name": "lithium"}])


def test_child_with_opsoclonus_gets_neuroblastoma_screen_adult_paraneoplastic():
    child = _ids(patient={"age_years": 2}, exam={"opsoclonus": True})
    adult = _ids(patient={"age_years": 60}, exam={"opsoclonus": True})
    assert "neuroblastoma_screen" in child and "paraneoplastic_screen" not in child
    assert "paraneoplastic_screen" in adult and "neuroblastoma_screen" not in adult


def test_functional_suspicion_brings_the_bereitschaftspotential():
    ids = _ids(jerks={"variable_pattern": True, "distractible": True})
    assert "bereitschaftspotential" in ids


def test_every_step_has_why_and_sources():
    a = assess(parse_intake({"schema": "myoclonus.intake/1", "exam": {"asterixis": True}}))
    assert all(w.why and w.sources and w.text for w in a.workup)
    assert "ammonia" in [w.id for w in a.workup]
