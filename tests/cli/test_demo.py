"""``myoclonus demo``: every bundled example is assessed and written under --out."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from myoclonus.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_demo_writes_one_assessment_per_example(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert len(names) >= 3
    for name in names:
        data = json.loads((tmp_path / "out" / name / "assessment.json").read_text())
        assert data["schema"] == "myoclonus.assessment/1"
        assert (tmp_path / "out" / name / "assessment.html").stat().st_size > 1000
        assert name in result.output


def test_demo_without_examples_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--examples", str(tmp_path)])
    assert result.exit_code == 2
    assert "no example intakes" in " ".join(result.output.split())


def test_demo_assesses_intakes_only_and_fails_loudly_on_a_broken_intake(tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "montage.yaml").write_text("channels: {EMG1: FDI_R}\n", encoding="utf-8")
    (folder / "case.yaml").write_text("schema: myoclonus.intake/1\nonset: sudden\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--examples", str(folder)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "case" / "assessment.json").exists()
    assert not (tmp_path / "out" / "montage").exists()
    (folder / "broken.yaml").write_text("schema: myoclonus.intake/1\nonset: sometime\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out2"), "--examples", str(folder)])
    assert result.exit_code == 2
    assert "onset" in result.output
