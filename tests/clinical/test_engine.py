"""Clinical engine: probabilities, reasons, registers and the merge with recording findings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from myoclonus.clinical.assessment import CAUSE_CLASSES, CLINICAL_GROUPS, ORIGINS, Assessment
from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import load_intake, parse_intake
from myoclonus.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _check_axis(items, labels):
    assert [i.label if hasattr(i, "label") else i.id for i in items] != []
    got = sorted(i.label if hasattr(i, "label") else i.id for i in items)
    assert got == sorted(labels)
    probs = [i.probability for i in items]
    assert abs(sum(probs) - 1.0) < 1e-6
    assert probs == sorted(probs, reverse=True)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_give_valid_assessments(path):
    a = assess(load_intake(path))
    _check_axis(a.clinical_group, CLINICAL_GROUPS)
    _check_axis(a.origin, ORIGINS)
    _check_axis(a.causes, CAUSE_CLASSES)
    assert a.disclaimer and "not a diagnosis" in a.disclaimer
    data = json.loads(a.to_json())
    assert data["schema"] == "myoclonus.assessment/1"
    assert "for" in data["clinical_group"][0] and "for_" not in data["clinical_group"][0]
    Assessment.model_validate(data)  # round trip through the contract's field names


def test_top_label_lists_its_reasons_with_sources():
    a = assess(load_intake(EXAMPLES / "tramadol_ckd.yaml"))
    top = a.origin[0]
    assert top.label == "cortical"
    assert any("hallett_1979" in r for r in top.for_)
    drug = next(c for c in a.causes if c.id == "drug_induced")
    assert drug.detail == "tramadol"
    assert any("tramadol" in r.lower() for r in drug.for_)


def test_unmatched_condition_and_unknown_drug_are_reported_not_dropped():
    intake = parse_intake({"schema": "myoclonus.intake/1", "history": {"conditions": ["hypertension"]},
                           "medications": [{"name": "tramadoll"}]})
    a = assess(intake)
    assert any("hypertension" in n for n in a.notes)
    assert any("tramadoll" in n and "Did you mean" in n for n in a.notes)


def test_patient_register_changes_texts_not_structure():
    intake = load_intake(EXAMPLES / "tramadol_ckd.yaml")
    clin, pat = assess(intake), assess(intake, audience="patient")
    assert pat.audience == "patient"
    assert [p.label for p in clin.origin] == [p.label for p in pat.origin]
    assert [p.probability for p in clin.origin] == [p.probability for p in pat.origin]
    assert clin.triage.level == pat.triage.level
    assert clin.disclaimer != pat.disclaimer
    assert clin.origin[0].for_ != pat.origin[0].for_
    assert [w.id for w in clin.workup] == [w.id for w in pat.workup]
    assert clin.workup[0].text != pat.workup[0].text


def test_invalid_audience_is_an_input_error():
    with pytest.raises(InputError, match="audience"):
        assess(parse_intake({"schema": "myoclonus.intake/1"}), audience="doctor")


def _findings(top: str, p: float = 0.9) -> dict:
    rest = (1 - p) / (len(ORIGINS) - 1)
    return {"schema": "myoclonus.findings/1",
            "origin": [{"label": o, "probability": p if o == top else rest,
                        "for": [f"burst pattern fits {o}"] if o == top else [], "against": []} for o in ORIGINS]}


def test_recording_agreeing_with_clinic_strengthens_and_reports_no_disagreement():
    intake = load_intake(EXAMPLES / "tramadol_ckd.yaml")
    clinical = assess(intake)
    merged = assess(intake, findings=_findings("cortical"))
    assert merged.origin_evidence == "clinical+recording"
    assert merged.origin[0].label == "cortical"
    assert merged.origin[0].probability >= clinical.origin[0].probability
    assert merged.disagreements == []
    assert any(r.startswith("Recording: ") for r in merged.origin[0].for_)


def test_recording_disagreeing_is_weighted_stronger_and_reported():
    intake = load_intake(EXAMPLES / "functional_jerks.yaml")
    clinical = assess(intake)
    assert clinical.origin[0].label == "functional"
    merged = assess(intake, findings=_findings("propriospinal", 0.97))
    assert len(merged.disagreements) == 1
    d = merged.disagreements[0]
    assert (d.clinical, d.recording) == ("functional", "propriospinal")
    _check_axis(merged.origin, ORIGINS)


def test_findings_without_origin_estimate_leave_clinical_origin(tmp_path):
    intake = load_intake(EXAMPLES / "functional_jerks.yaml")
    a = assess(intake, findings={"schema": "myoclonus.findings/1", "origin": [{"label": "none", "probability": 1.0}]})
    assert a.origin_evidence == "clinical"
    assert any("no origin estimate" in n for n in a.notes)


def test_neurophysiology_path_in_intake_is_read_relative_to_the_intake(tmp_path):
    (tmp_path / "findings.json").write_text(json.dumps(_findings("cortical")), encoding="utf-8")
    path = tmp_path / "intake.yaml"
    path.write_text((EXAMPLES / "tramadol_ckd.yaml").read_text() + "neurophysiology: findings.json\n", encoding="utf-8")
    a = assess(load_intake(path))
    assert a.origin_evidence == "clinical+recording"


def test_missing_neurophysiology_file_is_an_input_error(tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_text("schema: myoclonus.intake/1\nneurophysiology: missing.json\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing.json"):
        assess(load_intake(path))


def test_patient_register_explains_workup_in_plain_words():
    intake = load_intake(EXAMPLES / "tramadol_ckd.yaml")
    clin = {w.id: w.why for w in assess(intake).workup}
    pat = {w.id: w.why for w in assess(intake, audience="patient").workup}
    assert clin.keys() == pat.keys()
    assert all(clin[k] != pat[k] for k in clin)
    assert "p =" not in " ".join(pat.values())


def test_kb_aliases_match_free_text_conditions():
    a = assess(parse_intake({"schema": "myoclonus.intake/1", "history": {"conditions": ["Unverricht-Lundborg", "ckd"]}}))
    ids = {cid for c in a.causes for cid in c.kb_ids}
    assert {"cause.progressive_myoclonus_epilepsy", "cause.renal_failure"} <= ids
    assert not any("matches no knowledge-base cause" in n for n in a.notes)


def test_correlated_renal_evidence_is_counted_once():
    base = {"schema": "myoclonus.intake/1", "labs": {"egfr_ml_min": 10}}
    one = assess(parse_intake(base))
    three = assess(parse_intake({**base, "labs": {"egfr_ml_min": 10, "urea_mmol_l": 40},
                                 "history": {"conditions": ["chronic kidney disease"]}}))
    p1 = next(c.probability for c in one.causes if c.id == "metabolic")
    p3 = next(c.probability for c in three.causes if c.id == "metabolic")
    # three views of one finding (renal failure) must not triple the evidence
    assert p3 - p1 < 0.2
    metabolic = next(c for c in three.causes if c.id == "metabolic")
    assert sum("counted once" in r for r in metabolic.for_) == 2


def test_renally_cleared_treatment_gets_a_dose_caution_only_with_low_egfr():
    intake = load_intake(EXAMPLES / "tramadol_ckd.yaml")
    lev = next(t for t in assess(intake).treatment if t.id == "levetiracetam")
    assert any("Renally cleared" in c and "eGFR 14" in c for c in lev.cautions)
    normal = intake.model_copy(update={"labs": intake.labs.model_copy(update={"egfr_ml_min": 95.0, "urea_mmol_l": None})})
    lev = next(t for t in assess(normal).treatment if t.id == "levetiracetam")
    assert not any("Renally cleared" in c for c in lev.cautions)


def test_unknown_and_absent_features_are_worded_differently():
    a = assess(parse_intake({"schema": "myoclonus.intake/1", "jerks": {"rhythm": "unknown", "distractible": "unknown",
                                                                        "occurs_at": ["action"]}}))
    unknown = next(n for n in a.notes if n.startswith("Reported as unknown"))
    absent = next(n for n in a.notes if n.startswith("Not assessed"))
    assert "rhythm" in unknown and "distractible" in unknown
    assert "persists in sleep" in absent and "rhythm" not in absent and "occurs at" not in absent


def test_extension_fields_shift_the_evidence_in_the_documented_direction():
    base = {"schema": "myoclonus.intake/1", "jerks": {"body_regions": ["neck", "arm_left"], "distribution": "segmental"}}
    plain = assess(parse_intake(base))
    md = assess(parse_intake({**base, "jerks": {**base["jerks"], "alcohol_responsive": True}, "exam": {"dystonia": True}}))
    p = lambda a, axis, label: next(x.probability for x in getattr(a, axis) if x.label == label)  # noqa: E731
    assert p(md, "clinical_group", "essential") > p(plain, "clinical_group", "essential")
    assert p(md, "origin", "subcortical") > p(plain, "origin", "subcortical")
    assert "cause.myoclonus_dystonia" in {cid for c in md.causes for cid in c.kb_ids}
    pd = assess(parse_intake({**base, "exam": {"parkinsonism": True}}))
    assert pd.causes[0].id == "neurodegenerative"
