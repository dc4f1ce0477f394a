"""Clinical clues derived from the intake (the vocabulary evidence rules test)."""
from __future__ import annotations

from myoclonus.clinical.clues import derive_clues, is_known_clue, judge_labs
from myoclonus.clinical.medications import screen_medications
from myoclonus.clinical.presentation import parse_intake
from myoclonus.knowledge import load_kb


def _clues(**fields):
    intake = parse_intake({"schema": "myoclonus.intake/1", **fields})
    kb = load_kb()
    labs = judge_labs(intake, kb.lab_ranges)
    return derive_clues(intake, labs=labs, screen=screen_medications(intake.medications))


def test_every_derived_clue_is_in_the_vocabulary():
    c = _clues(onset="sudden", jerks={"body_regions": ["hand_left", "neck", "whole_body"], "occurs_at": ["sleep_onset"],
                                      "suppressible": False, "episodes_per_day": 5, "episode_duration_s": 4000,
                                      "impact": ["sleeping"]},
               history={"seizures": ["absence"], "events": [{"type": "stroke"}], "cognitive_decline": "slow",
                        "family_history": True},
               labs={"sodium_mmol_l": 120, "glucose_mmol_l": 5}, exam={"asterixis": True, "fever": False},
               patient={"age_years": 12, "age_at_onset_years": 11}, substances={"alcohol": "heavy"},
               medications=[{"name": "tramadol", "started_days_ago": 2}])
    assert all(is_known_clue(t) for t in c), [t for t in c if not is_known_clue(t)]
    for token in ("region:distal", "region:upper_body", "generalized_or_whole_body", "occurs_only:sleep_onset",
                  "suppressible:false", "episodes:frequent", "duration:long", "duration:status", "impact:sleeping_only",
                  "seizures:any", "event:stroke:recent", "cognitive_decline:any", "lab:sodium_mmol_l:low",
                  "lab:any_abnormal", "exam:asterixis", "exam:fever:false", "age:child", "onset_age:teen",
                  "drug:suspect", "drug:recent_suspect"):
        assert token in c, token
    assert "lab:glucose_mmol_l:low" not in c


def test_unknown_values_produce_no_clue():
    c = _clues(onset="unknown", jerks={"persists_in_sleep": "unknown", "occurs_at": ["unknown"], "rhythm": "unknown"})
    assert not any(t.startswith(("persists_in_sleep", "occurs_at", "occurs_only")) for t in c)
    assert "onset:unknown" in c  # kept as a fact, but no rule tests it


def test_lab_judgement_uses_the_kb_range_and_names_it():
    intake = parse_intake({"schema": "myoclonus.intake/1", "labs": {"sodium_mmol_l": 128, "egfr_ml_min": 90}})
    labs = {lab.key: lab for lab in judge_labs(intake, load_kb().lab_ranges)}
    assert labs["sodium_mmol_l"].status == "low"
    assert labs["egfr_ml_min"].status == "normal"
    text = labs["sodium_mmol_l"].describe()
    assert "128" in text and "135" in text and "below" in text
