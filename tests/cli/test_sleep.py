"""``myoclonus sleep`` end to end: outputs per CONTRACTS §4, clear errors, atomic writes."""
from __future__ import annotations

import json

import mne
import pandas as pd
import pytest
from typer.testing import CliRunner

from myoclonus.cli import app
from myoclonus.simulate.psg import simulate_psg

runner = CliRunner()


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())

CONTRACT_KEYS = {"rules", "stages_source", "total_sleep_time_h", "lm_count", "plm_count", "plms_index_per_h",
                 "plmw_index_per_h", "periodicity_index", "efm", "hypnic_jerk_count", "warnings"}


@pytest.fixture(scope="module")
def psg_edf(tmp_path_factory):
    sim = simulate_psg(1200.0, 256.0, seed=2, fm_per_min=2.0)
    path = tmp_path_factory.mktemp("psg") / "night.edf"
    sim.to_edf(path)
    return path, sim


def test_sleep_writes_every_output(psg_edf, tmp_path):
    path, sim = psg_edf
    out = tmp_path / "out"
    result = runner.invoke(app, ["sleep", str(path), "--out", str(out), "--rules", "aasm"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["hypnogram.png", "hypnogram.svg", "sleep.json",
                                                     "sleep_annotations.edf", "sleep_events.tsv"]
    doc = json.loads((out / "sleep.json").read_text())
    assert doc["schema"] == "myoclonus.sleep/1" and CONTRACT_KEYS <= set(doc)
    assert set(doc["efm"]) == {"minutes_nrem", "per_min", "excessive"}
    assert doc["rules"] == "aasm" and doc["stages_source"] == "annotations"
    assert doc["lm_count"] == (sim.truth.trial_type == "limb_movement").sum()
    events = pd.read_csv(out / "sleep_events.tsv", sep="\t", keep_default_na=False)
    assert list(events.columns[:6]) == ["onset", "duration", "trial_type", "channel", "stage", "plm_series"]
    assert {"respiratory", "arousal"} <= set(events.columns)  # the simulated PSG has both annotations
    assert set(events.trial_type) == {"limb_movement", "fragmentary_myoclonus", "hypnic_jerk"}
    lms = events[events.trial_type == "limb_movement"]
    assert (lms.plm_series != "").sum() == doc["plm_count"]
    ann = mne.read_annotations(out / "sleep_annotations.edf")
    assert len(ann) == len(events)
    assert {d.split("@@")[0] for d in ann.description} == {"myoclonus/limb_movement", "myoclonus/plm",
                                                           "myoclonus/fragmentary_myoclonus", "myoclonus/hypnic_jerk"}


def test_json_summary_on_stdout(psg_edf, tmp_path):
    path, _ = psg_edf
    result = runner.invoke(app, ["sleep", str(path), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rules"] == "wasm2016"


def test_sleep_edf_excerpt_says_no_leg_emg(real_data, tmp_path):
    d = real_data / "sleep_edf_sc4001_excerpt"
    result = runner.invoke(app, ["sleep", str(d / "short_psg.edf"), "--hypnogram", str(d / "SC4001EC-Hypnogram.edf"),
                                 "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["stages_source"] == "annotations" and doc["lm_count"] is None
    assert any("no tibialis channel" in w for w in doc["warnings"])
    events = (tmp_path / "sleep_events.tsv").read_text().splitlines()
    assert events == ["onset\tduration\ttrial_type\tchannel\tstage\tplm_series\tpeak_uv"]
    assert list(mne.read_annotations(tmp_path / "sleep_annotations.edf").description) == ["myoclonus/no_events"]


@pytest.mark.parametrize("args, message", [
    (["--rules", "asm"], "Did you mean 'aasm'"),
    (["--hypnogram", "missing-Hypnogram.edf"], "missing-Hypnogram.edf"),
])
def test_bad_options_exit_2_with_a_clear_message(psg_edf, tmp_path, args, message):
    path, _ = psg_edf
    result = runner.invoke(app, ["sleep", str(path), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in flat(result.output) and "Traceback" not in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_hypnogram_without_stages_is_rejected(psg_edf, real_data, tmp_path):
    path, _ = psg_edf
    not_a_hypnogram = real_data / "edf_edgecases_wfdb_python" / "test_generator_2.edf"
    result = runner.invoke(app, ["sleep", str(path), "--hypnogram", str(not_a_hypnogram), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no sleep-stage annotations" in flat(result.output)


def test_missing_psg_exit_2(tmp_path):
    result = runner.invoke(app, ["sleep", str(tmp_path / "nope.edf"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "nope.edf" in flat(result.output)


def test_outputs_are_atomic(psg_edf, tmp_path, monkeypatch):
    import myoclonus.signals.sleep.figures as figures

    def broken(_results):
        raise RuntimeError("disk full while drawing")

    monkeypatch.setattr(figures, "plot_hypnogram", broken)
    path, _ = psg_edf
    out = tmp_path / "o"
    result = runner.invoke(app, ["sleep", str(path), "--out", str(out)])
    assert result.exit_code != 0
    assert [p.name for p in out.iterdir()] == []  # nothing half-written, no staging folder left


def test_hypnogram_file_given_as_psg_is_rejected(real_data, tmp_path):
    hypnogram = real_data / "edf_edgecases_wfdb_python" / "test_edfann.edf"
    result = runner.invoke(app, ["sleep", str(hypnogram), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "test_edfann.edf" in flat(result.output)
    assert "Traceback" not in result.output
