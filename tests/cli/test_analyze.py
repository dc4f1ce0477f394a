"""`myoclonus analyze`: outputs, --json, exit code 2 with a clear message on bad input."""
from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.io
from typer.testing import CliRunner

from myoclonus.cli import app

runner = CliRunner()


def _mat_recording(tmp_path, n_seconds=10.0, sfreq=2000.0):
    rng = np.random.default_rng(3)
    n = int(n_seconds * sfreq)
    data = rng.normal(0, 5.0, (n, 2))
    for t in (2.0, 4.5, 7.0):
        i = int(t * sfreq)
        data[i:i + 80, :] += rng.normal(0, 200.0, (80, 2))
    path = tmp_path / "rec.mat"
    names = np.array(["EMG R FDI", "EMG R ECR"], dtype=object)
    scipy.io.savemat(path, {"EMG": {"channelData": data, "fs": sfreq, "channelNames": names, "units": "uV"}})
    return path


def test_missing_file_exit_2(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.edf"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nope.edf" in result.output and "not found" in result.output
    assert "Traceback" not in result.output


def test_text_file_as_edf_exit_2(tmp_path):
    bad = tmp_path / "notes.edf"
    bad.write_text("not a recording\n" * 30, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "notes.edf" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bad_montage_exit_2(tmp_path):
    path = _mat_recording(tmp_path)
    montage = tmp_path / "montage.yaml"
    montage.write_text("channels:\n  EMG R FDI: {kind: emg, muscle: FDX}\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "out"), "--montage", str(montage)])
    assert result.exit_code == 2
    assert "unknown muscle 'FDX'" in result.output


def test_no_emg_exit_2(tmp_path):
    path = tmp_path / "eeg.mat"
    scipy.io.savemat(path, {"EMG": {"channelData": np.zeros((1000, 1)), "fs": 1000.0, "channelNames": np.array(["C3"], dtype=object)}})
    result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no EMG channel found" in result.output


def test_analyze_writes_outputs_and_json(tmp_path):
    pytest.importorskip("myoclonus.signals.silent")  # detector modules written in parallel (H5)
    pytest.importorskip("myoclonus.signals.rhythm")
    path = _mat_recording(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_bursts"] == 6 and summary["n_jerks"] == 3
    assert {p.name for p in out.iterdir()} == {"bursts.tsv", "jerks.tsv", "findings.json", "report.html", "report_patient.html", "derivatives"}
    table = runner.invoke(app, ["analyze", str(path), "--out", str(out)])
    assert table.exit_code == 0
    assert "EMG R FDI" in table.stdout and "not a diagnosis" in table.stdout


def test_analyze_json_summary_names_the_origin(tmp_path):
    from typer.testing import CliRunner

    from myoclonus.cli import app
    from myoclonus.simulate import simulate

    rec = tmp_path / "cortical.edf"
    simulate("cortical", minutes=0.5, seed=7, sfreq_hz=1000).write(rec)
    result = CliRunner().invoke(app, ["analyze", str(rec), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [o["label"] for o in summary["origin"]][0] == "cortical"
    assert len(summary["origin"]) == 3


def test_threads_give_the_same_outputs(tmp_path):
    rec = _mat_recording(tmp_path, n_seconds=20.0)
    outs = []
    for threads in (1, 2):
        out = tmp_path / f"out{threads}"
        result = runner.invoke(app, ["analyze", str(rec), "--out", str(out), "--threads", str(threads), "--json"])
        assert result.exit_code == 0, result.output
        outs.append((out / "bursts.tsv").read_text(encoding="utf-8"))
    assert outs[0] == outs[1] and outs[0].count("\n") >= 7  # header + 3 jerks x 2 channels
    bad = runner.invoke(app, ["analyze", str(rec), "--out", str(tmp_path / "bad"), "--threads", "0"])
    assert bad.exit_code == 2 and "--threads" in bad.output
