"""Output files: exact CONTRACTS §3 columns, BIDS conventions, all-or-nothing writing."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from myoclonus.settings import AnalysisSettings
from myoclonus.signals import export
from myoclonus.signals.analysis import Analysis
from myoclonus.signals.export import BURSTS_COLUMNS, JERKS_COLUMNS, build_findings, bursts_table, jerks_table, write_outputs
from myoclonus.signals.recording import Recording


@dataclass
class _Events:
    """Minimal stand-in for a detector result (events table + summary())."""

    events: pd.DataFrame
    channel_status: dict = field(default_factory=dict)
    recruitment: dict | None = None

    def summary(self):
        return self.events.copy()

    def __len__(self):
        return len(self.events)


def _bursts():
    return _Events(pd.DataFrame({
        "channel": ["EMG R FDI", "EMG R ECR", "EMG R FDI"],
        "muscle": ["FDI", "ECR", "FDI"],
        "side": ["right", "right", "right"],
        "onset_s": [1.2, 1.0, 3.0],
        "offset_s": [1.23, 1.04, 3.05],
        "duration_ms": [30.0, 40.0, 50.0],
        "peak_uv": [210.5, 150.25, 99.0],
        "area_uvs": [2.5, 1.75, 1.0],
    }))


def _silent():
    return _Events(pd.DataFrame({
        "channel": ["EMG R ECR"], "muscle": ["ECR"], "side": ["right"],
        "onset_s": [2.0], "offset_s": [2.1], "duration_ms": [100.0],
    }))


def _jerks(n=2):
    return _Events(pd.DataFrame({
        "onset_s": [1.0, 3.0][:n], "offset_s": [1.23, 3.05][:n], "duration_s": [0.23, 0.05][:n],
        "n_muscles": [2, 1][:n], "first_muscle": ["R ECR", "R FDI"][:n],
        "muscles": ["R ECR,R FDI", "R FDI"][:n], "spread_ms": [200.0, 0.0][:n],
    }), recruitment={"order": "variable", "leader_counts": {"R ECR": 1, "R FDI": 1}})


def _analysis(n_jerks=2):
    rec = Recording.from_array(np.zeros((3, 5000)), 1000.0, ["EMG R FDI", "EMG R ECR", "Temp"])
    analysis = Analysis(recording=rec, settings=AnalysisSettings(), bursts=_bursts(), silent_periods=_silent(),
                        jerks=_jerks(n_jerks), rhythm={"cv": 0.5, "p_value": np.float64(0.2), "intervals_s": np.array([2.0])}, input_sha256="ab" * 32,
                        emg_channels=["EMG R FDI", "EMG R ECR"])
    analysis.findings = build_findings(analysis)
    return analysis


def test_bursts_table_has_the_contract_columns_in_order():
    table = bursts_table(_bursts(), _silent())
    assert list(table.columns) == BURSTS_COLUMNS
    assert table["onset"].tolist() == [1.0, 1.2, 2.0, 3.0]
    assert table["trial_type"].tolist() == ["burst", "burst", "silent_period", "burst"]
    np.testing.assert_allclose(table["duration"], [0.04, 0.03, 0.1, 0.05])
    text = export.tsv_text(table)
    lines = text.splitlines()
    assert lines[0] == "onset\tduration\ttrial_type\tchannel\tmuscle\tside\tpeak_uv\tarea_uvs"
    assert lines[3] == "2.000000\t0.100000\tsilent_period\tEMG R ECR\tECR\tright\tn/a\tn/a"


def test_jerks_table_has_the_contract_columns():
    table = jerks_table(_jerks())
    assert list(table.columns) == JERKS_COLUMNS
    assert table.loc[0, "muscles"] == "R ECR,R FDI"
    assert set(table["trial_type"]) == {"jerk"}
    # a sequence of muscles is written as a comma list in onset order
    jerks = _jerks()
    jerks.events["muscles"] = [("R ECR", "R FDI"), ("R FDI",)]
    assert jerks_table(jerks).loc[0, "muscles"] == "R ECR,R FDI"
    assert export.tsv_text(jerks_table(_Events(pd.DataFrame()))).strip() == "\t".join(JERKS_COLUMNS)


def test_findings_document():
    findings = _analysis().findings
    assert findings["schema"] == "myoclonus.findings/1"
    assert findings["input"]["sha256"] == "ab" * 32
    fdi = next(m for m in findings["muscles"] if m["channel"] == "EMG R FDI")
    assert fdi["analysed"] is True
    assert fdi["bursts"]["count"] == 2 and fdi["bursts"]["median_duration_ms"] == 40.0 and fdi["bursts"]["iqr_duration_ms"] == 10.0
    ecr = next(m for m in findings["muscles"] if m["channel"] == "EMG R ECR")
    assert ecr["silent_periods"]["count"] == 1
    assert findings["unmapped"] == ["Temp"]
    assert any("Temp" in w for w in findings["warnings"])
    assert findings["recruitment"]["order"] == "variable"
    assert findings["rhythm"]["p_value"] == 0.2
    assert "intervals_s" not in findings["rhythm"]  # one value per jerk: in jerks.tsv
    assert findings["settings"]["bursts"]["min_burst_ms"] == AnalysisSettings().bursts.min_burst_ms
    assert "origin" not in findings  # jerks found: filled by the origin stage
    json.dumps(findings, allow_nan=False)


def test_findings_origin_none_without_jerks():
    findings = _analysis(n_jerks=0).findings
    assert findings["origin"][0]["label"] == "none"
    assert findings["jerks"]["count"] == 0


def test_write_outputs(tmp_path):
    analysis = _analysis()
    written = write_outputs(analysis, tmp_path / "out")
    assert sorted(p.name for p in written) == ["bursts.tsv", "findings.json", "jerks.tsv"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bursts.tsv", "findings.json", "jerks.tsv"]
    frame = pd.read_csv(tmp_path / "out" / "bursts.tsv", sep="\t", na_values="n/a")
    assert list(frame.columns) == BURSTS_COLUMNS and len(frame) == 4
    assert json.loads((tmp_path / "out" / "findings.json").read_text("utf-8"))["schema"] == "myoclonus.findings/1"


def test_failure_mid_write_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")

    def boom(_table):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "jerks_table", boom)  # bursts.tsv is already staged when this fails
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(_analysis(), out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]  # no partial file, no staging folder left


def test_report_writer_hook(tmp_path):
    def writer(analysis, stage):
        (stage / "report.html").write_text("<html></html>", encoding="utf-8")

    written = write_outputs(_analysis(), tmp_path, report_writer=writer)
    assert (tmp_path / "report.html").exists() and tmp_path / "report.html" in written


def test_to_jsonable_handles_results():
    @dataclass
    class R:
        a: np.ndarray
        b: float

    assert export.to_jsonable(R(np.array([1, 2]), float("nan"))) == {"a": [1, 2], "b": None}
    assert export.to_jsonable(pd.DataFrame({"x": [1.5]})) == [{"x": 1.5}]
