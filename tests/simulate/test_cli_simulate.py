"""``myoclonus simulate`` writes the files; bad arguments exit 2 with a one-line message."""
from __future__ import annotations

import json

import mne
from typer.testing import CliRunner

from myoclonus.cli import app


def test_cli_writes_edf_and_truth(tmp_path):
    out = tmp_path / "rec.edf"
    result = CliRunner().invoke(app, ["simulate", "--origin", "propriospinal", "--minutes", "0.2", "--seed", "4",
                                      "--fs", "1000", "--acc", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["origin"] == "propriospinal" and summary["jerks"] > 0
    truth = json.loads((tmp_path / "rec.truth.json").read_text())
    assert truth["schema"] == "myoclonus.simulation_truth/1"
    raw = mne.io.read_raw_edf(out, verbose="error")
    assert raw.info["sfreq"] == 1000.0 and "ACC R HAND" in raw.ch_names


def test_cli_negative_flag_adds_silent_periods(tmp_path):
    result = CliRunner().invoke(app, ["simulate", "--origin", "none", "--negative", "--minutes", "0.2",
                                      "--out", str(tmp_path / "n.edf"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["silent_periods"] > 0


def test_cli_unknown_origin_exits_2_with_suggestion(tmp_path):
    result = CliRunner().invoke(app, ["simulate", "--origin", "spinal", "--out", str(tmp_path / "x.edf")])
    assert result.exit_code == 2
    assert "spinal_segmental" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_cli_bad_extension_and_rate_exit_2(tmp_path):
    r1 = CliRunner().invoke(app, ["simulate", "--origin", "cortical", "--out", str(tmp_path / "x.txt")])
    r2 = CliRunner().invoke(app, ["simulate", "--origin", "cortical", "--fs", "50", "--out", str(tmp_path / "x.edf")])
    assert r1.exit_code == 2 and ".edf" in r1.output
    assert r2.exit_code == 2 and "sampling rate" in r2.output
    assert not list(tmp_path.iterdir())
