"""``myoclonus schema NAME``: prints the published schema; ``--validate`` checks files."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from myoclonus.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_prints_each_schema():
    for name, title in (("assessment", "myoclonus.assessment/1"), ("findings", "myoclonus.findings/1"), ("intake", "myoclonus.intake/1")):
        result = runner.invoke(app, ["schema", name])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["title"] == title


def test_unknown_schema_name_exits_2_with_suggestion():
    result = runner.invoke(app, ["schema", "asessment"])
    assert result.exit_code == 2
    assert "Did you mean 'assessment'" in result.output


def test_validate_files(tmp_path):
    ok = runner.invoke(app, ["schema", "intake", "--validate", str(EXAMPLES / "tramadol_ckd.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "valid myoclonus.intake/1" in ok.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "myoclonus.intake/1", "jerks": {"distribution": "multifocl"}}))
    result = runner.invoke(app, ["schema", "intake", "--validate", str(bad)])
    assert result.exit_code == 2
    out = " ".join(result.output.split())  # Rich wraps long lines
    assert "$.jerks.distribution: 'multifocl'" in out and "Did you mean 'multifocal'?" in out
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = runner.invoke(app, ["schema", "findings", "--validate", str(broken)])
    assert result.exit_code == 2 and "cannot parse" in " ".join(result.output.split())
