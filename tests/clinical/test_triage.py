"""Triage: highest level wins, emergencies recognised, self-care only for clearly physiological jerks."""
from __future__ import annotations

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import parse_intake


def _assess(**fields):
    return assess(parse_intake({"schema": "myoclonus.intake/1", **fields}))


HYPNIC = {"course": "static", "jerks": {"distribution": "generalized", "body_regions": ["whole_body"],
                                        "occurs_at": ["sleep_onset"], "episodes_per_day": 0.2}}


def test_hypnic_jerks_alone_need_no_visit():
    a = _assess(**HYPNIC)
    assert a.triage.level == "self_care"
    assert a.red_flags == []


def test_one_red_flag_lifts_self_care_to_its_level():
    # the same sleep starts, but in a patient whose glucose is low: emergency, never self care
    a = _assess(**HYPNIC, labs={"glucose_mmol_l": 2.2})
    assert a.triage.level == "emergency"
    assert a.red_flags[0].id == "red_flag.hypoglycaemia"


def test_mixed_evidence_takes_the_highest_level_and_lists_every_reason():
    a = _assess(jerks={"episodes_per_day": 50, "impact": ["writing"]}, history={"seizures": ["myoclonic"]})
    assert a.triage.level == "urgent"
    assert a.triage.reasons[0].startswith("urgent")
    assert any(r.startswith("routine") for r in a.triage.reasons)


def test_nothing_known_is_routine_not_self_care():
    a = _assess()
    assert a.triage.level == "routine"


def test_serotonergic_combination_without_toxicity_signs_is_urgent_with_signs_emergency():
    meds = [{"name": "sertraline", "started_days_ago": 100}, {"name": "tramadol", "started_days_ago": 2}]
    calm = _assess(medications=meds, exam={"agitation": False, "fever": False, "confusion": False})
    assert calm.triage.level == "urgent"
    assert "red_flag.serotonin_toxicity" not in {f.id for f in calm.red_flags}
    sick = _assess(medications=meds, exam={"agitation": True})
    assert sick.triage.level == "emergency"
    assert sick.red_flags[0].id == "red_flag.serotonin_toxicity"


def test_comatose_after_cardiac_arrest_is_an_emergency_but_alert_months_later_is_not():
    acute = _assess(jerks={"awareness_impaired": True}, history={"events": [{"type": "cardiac_arrest", "days_ago": 1}]})
    assert acute.triage.level == "emergency"
    late = _assess(jerks={"awareness_impaired": False, "occurs_at": ["action"]},
                   history={"events": [{"type": "cardiac_arrest", "days_ago": 90}]})
    assert late.triage.level != "emergency"


def test_fever_with_confusion_is_an_emergency():
    a = _assess(exam={"fever": True, "confusion": True})
    assert a.triage.level == "emergency"
    assert "red_flag.encephalopathy_with_fever" in {f.id for f in a.red_flags}


def test_thirty_minutes_of_continuous_jerks_is_status_myoclonus():
    a = _assess(jerks={"episode_duration_s": 1800})
    assert "red_flag.status_myoclonus" in {f.id for f in a.red_flags}
    assert a.triage.level == "emergency"


def test_opsoclonus_flag_for_children_and_a_separate_reason_for_adults():
    child = _assess(patient={"age_years": 2}, exam={"opsoclonus": True})
    assert "red_flag.opsoclonus_child" in {f.id for f in child.red_flags}
    adult = _assess(patient={"age_years": 50}, exam={"opsoclonus": True})
    assert "red_flag.opsoclonus_child" not in {f.id for f in adult.red_flags}
    assert adult.triage.level == "urgent"
    assert any("adult" in r for r in adult.triage.reasons)


def test_hiccups_are_rhythmic_but_need_no_visit():
    a = _assess(course="static", jerks={"body_regions": ["diaphragm"], "rhythm": "rhythmic", "episodes_per_day": 1})
    assert a.triage.level == "self_care"
    b = _assess(course="static", jerks={"body_regions": ["abdomen"], "rhythm": "rhythmic", "episodes_per_day": 1})
    assert b.triage.level == "routine"


def test_coma_field_counts_as_impaired_consciousness_after_cardiac_arrest():
    a = _assess(exam={"coma": True}, history={"events": [{"type": "cardiac_arrest", "days_ago": 2}]})
    assert a.triage.level == "emergency"
    assert "red_flag.post_cardiac_arrest_coma" in {f.id for f in a.red_flags}


def test_first_episode_of_non_physiological_jerks_means_a_visit():
    a = _assess(course="static", jerks={"first_episode": True, "distribution": "focal", "body_regions": ["hand_left"]})
    assert any("First episode" in r for r in a.triage.reasons)
    hypnic = _assess(**{**HYPNIC, "jerks": {**HYPNIC["jerks"], "first_episode": True}})
    assert hypnic.triage.level == "self_care"
