"""``myoclonus assess``: terminal summary, --json, --out, and clean errors on bad input."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from myoclonus.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tramadol_ckd.yaml"
runner = CliRunner()


def test_summary_shows_triage_first_and_the_disclaimer():
    result = runner.invoke(app, ["assess", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("TRIAGE") < out.index("Clinical group") < out.index("Origin") < out.index("Causes")
    assert "tramadol" in out
    assert "not a diagnosis" in out.replace("\n", " ")


def test_json_output_parses_as_an_assessment():
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["schema"] == "myoclonus.assessment/1"
    assert data["audience"] == "clinician"
    assert abs(sum(p["probability"] for p in data["origin"]) - 1) < 1e-6


def test_patient_audience_in_json():
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--json", "--audience", "patient"])
    assert result.exit_code == 0
    assert json.loads(result.output)["audience"] == "patient"


def test_out_writes_json_and_self_contained_html(tmp_path):
    out = tmp_path / "res"
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "assessment.json").read_text())
    assert data["triage"]["level"] in ("emergency", "urgent", "routine", "self_care")
    html = (out / "assessment.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script src" not in html and "<link" not in html  # nothing external
    assert data["triage"]["level"].upper() in html
    assert sorted(p.name for p in out.iterdir()) == ["assessment.html", "assessment.json"]


def test_bad_label_exits_2_with_file_field_and_suggestion(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: myoclonus.intake/1\njerks:\n  rhythm: rythmic\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", str(bad)])
    assert result.exit_code == 2
    joined = result.output.replace("\n", "")  # the error console wraps long temporary paths mid-word
    words = " ".join(result.output.split())  # ... and sentences at spaces
    assert "bad.yaml" in joined and "jerks.rhythm" in joined
    assert "Did you mean 'rhythmic'?" in words or "Did you mean 'rhythmic'?" in joined
    assert "Traceback" not in result.output


def test_bad_file_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: myoclonus.intake/1\nonset: yesterday\n", encoding="utf-8")
    out = tmp_path / "res"
    result = runner.invoke(app, ["assess", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert not (out / "assessment.json").exists()


def test_missing_file_and_bad_audience_exit_2(tmp_path):
    assert runner.invoke(app, ["assess", str(tmp_path / "none.yaml")]).exit_code == 2
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--audience", "patiant"])
    assert result.exit_code == 2
    assert "Did you mean 'patient'?" in " ".join(result.output.split())


def test_markup_like_input_is_printed_literally_not_crashing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('schema: myoclonus.intake/1\njerks: {rhythm: "[/]"}\nonset: "[bold]x"\n', encoding="utf-8")
    result = runner.invoke(app, ["assess", str(bad)])
    assert result.exit_code == 2
    out = result.output.replace("\n", "")
    assert "'[/]'" in out or "'[bold]x'" in out


def test_patient_summary_uses_plain_headings():
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--audience", "patient"])
    assert result.exit_code == 0
    assert "HOW SOON TO SEE A DOCTOR: URGENT" in result.output
    assert "See a doctor within the next few days." in result.output
    assert "Clinical group" not in result.output
