"""Merging the recording's origin estimate into the clinical one."""
from __future__ import annotations

import json
import math

import pytest

from myoclonus.clinical.assessment import ORIGINS, Probability
from myoclonus.clinical.recording import RECORDING_WEIGHT, load_findings, merge_recording_origin
from myoclonus.errors import InputError


def _uniform() -> list[Probability]:
    return [Probability(label=o, probability=1 / len(ORIGINS)) for o in ORIGINS]


def test_with_uniform_clinical_evidence_the_result_follows_the_recording_squared():
    rec = {"origin": [{"label": "cortical", "probability": 0.6}, {"label": "subcortical", "probability": 0.3},
                      {"label": "functional", "probability": 0.1}]}
    merged, disagreements = merge_recording_origin(_uniform(), rec, "clinician")
    p = {m.label: m.probability for m in merged}
    assert p["cortical"] / p["subcortical"] == pytest.approx((0.6 / 0.3) ** RECORDING_WEIGHT, rel=1e-3)
    assert math.isclose(sum(p.values()), 1.0, abs_tol=1e-6)
    assert disagreements == []  # the uniform clinical top is the first label, cortical


def test_none_label_means_no_merge():
    assert merge_recording_origin(_uniform(), {"origin": [{"label": "none", "probability": 1.0}]}, "clinician") is None
    assert merge_recording_origin(_uniform(), {}, "clinician") is None


def test_non_numeric_probability_is_an_input_error():
    with pytest.raises(InputError, match="not a number"):
        merge_recording_origin(_uniform(), {"origin": [{"label": "cortical", "probability": "high"}]}, "clinician")


def test_load_findings_checks_the_schema(tmp_path):
    path = tmp_path / "findings.json"
    path.write_text(json.dumps({"schema": "myoclonus.findings/9"}), encoding="utf-8")
    with pytest.raises(InputError, match="myoclonus.findings/1"):
        load_findings(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read"):
        load_findings(path)


def test_functional_versus_propriospinal_disagreement_names_the_mimic_trap():
    clinical = [Probability(label=o, probability=0.94 if o == "functional" else 0.01) for o in ORIGINS]
    rec = {"origin": [{"label": "propriospinal", "probability": 0.9}, {"label": "functional", "probability": 0.1}]}
    _, disagreements = merge_recording_origin(clinical, rec, "clinician")
    assert len(disagreements) == 1
    assert "mimic" in disagreements[0].text and "Bereitschaftspotential" in disagreements[0].text
