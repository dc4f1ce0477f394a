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
    assert "no example intakes" in result.output.replace("\n", " ")
