"""`myoclonus analyze REC --intake FILE`: the recording's origin estimate merged into assessment.json."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from myoclonus.cli import app
from myoclonus.simulate import simulate

REPO = Path(__file__).resolve().parents[2]
CORTICAL_INTAKE = REPO / "examples" / "lance_adams.yaml"  # clinically cortical (post-hypoxic action myoclonus)


@pytest.fixture(scope="module")
def functional_edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "functional.edf"
    simulate("functional", minutes=3.0, seed=31, sfreq_hz=500.0).write(path)
    return path


@pytest.fixture(scope="module")
def cortical_edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "cortical.edf"
    simulate("cortical", minutes=2.0, seed=32, sfreq_hz=1000.0).write(path)
    return path


def _analyze(rec: Path, intake: Path, out: Path):
    return CliRunner().invoke(app, ["analyze", str(rec), "--intake", str(intake), "--out", str(out), "--json"])


def test_disagreement_between_clinic_and_recording_is_stated(functional_edf, tmp_path):
    out = tmp_path / "out"
    res = _analyze(functional_edf, CORTICAL_INTAKE, out)
    assert res.exit_code == 0, res.output
    findings = json.loads((out / "findings.json").read_text())
    assert findings["origin"][0]["label"] == "functional"
    assert findings["origin_criteria"] and all(c["reference"] for c in findings["origin_criteria"])
    assessment = json.loads((out / "assessment.json").read_text())
    assert assessment["schema"] == "myoclonus.assessment/1"
    probs = [o["probability"] for o in assessment["origin"]]
    assert abs(sum(probs) - 1) < 1e-6 and probs == sorted(probs, reverse=True)
    dis = [d for d in assessment.get("disagreements", []) if d["axis"] == "origin"]
    assert dis and dis[0]["clinical"] == "cortical" and dis[0]["recording"] == "functional"
    # the recording's reasons travel into the assessment, marked as such
    top = assessment["origin"][0]
    assert any(s.startswith("Recording:") for s in top["for"] + top["against"])


def test_agreement_has_no_origin_disagreement(cortical_edf, tmp_path):
    out = tmp_path / "out"
    res = _analyze(cortical_edf, CORTICAL_INTAKE, out)
    assert res.exit_code == 0, res.output
    assessment = json.loads((out / "assessment.json").read_text())
    assert assessment["origin"][0]["label"] == "cortical"
    assert not [d for d in assessment.get("disagreements", []) if d["axis"] == "origin"]


def test_intake_pointing_to_findings_json(functional_edf, tmp_path):
    """An intake may carry `neurophysiology: findings.json` instead of the recording."""
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["analyze", str(functional_edf), "--out", str(out)]).exit_code == 0
    intake = tmp_path / "intake.yaml"
    shutil.copy(out / "findings.json", tmp_path / "findings.json")
    intake.write_text(CORTICAL_INTAKE.read_text() + "neurophysiology: findings.json\n")
    res = CliRunner().invoke(app, ["assess", str(intake), "--json"])
    assert res.exit_code == 0, res.output
    assessment = json.loads(res.stdout)
    assert [d for d in assessment.get("disagreements", []) if d["axis"] == "origin"]


def test_bad_intake_fails_before_analysis(functional_edf, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: myoclonus.intake/1\njerks: {distribution: multifokal}\n")
    out = tmp_path / "out"
    res = _analyze(functional_edf, bad, out)
    assert res.exit_code == 2
    assert "multifocal" in res.output  # did-you-mean
    assert not out.exists()
