"""Sleep stages from annotations, a separate hypnogram file (aligned by start time), or YASA."""
from __future__ import annotations

import datetime as dt

import edfio
import mne
import numpy as np
import pytest

from myoclonus.errors import InputError
from myoclonus.signals.sleep.scoring import score_sleep
from myoclonus.signals.sleep.staging import (hypnogram_from_annotations, parse_stage_label,
                                             read_hypnogram_file)


@pytest.mark.parametrize("label, stage", [
    ("Sleep stage W", "W"), ("Sleep stage 1", "N1"), ("Sleep stage 3", "N3"), ("Sleep stage 4", "N3"),
    ("Sleep stage R", "R"), ("Sleep stage N2", "N2"), ("Sleep stage ?", "?"), ("N3", "N3"), ("REM", "R"),
    ("wake", "W"), ("Movement time", "?"), ("Lights off@@EEG F4-A1", None), ("Arousal", None)])
def test_stage_labels(label, stage):
    assert parse_stage_label(label) == stage


def test_sleep_edf_hypnogram_is_all_wake_over_the_excerpt(real_data):
    d = real_data / "sleep_edf_sc4001_excerpt"
    raw = mne.io.read_raw(d / "short_psg.edf", verbose="error")
    hyp = read_hypnogram_file(d / "SC4001EC-Hypnogram.edf", 300.0, raw.info["meas_date"])
    assert hyp.source == "annotations" and hyp.stages == ("W",) * 10
    assert hyp.warnings == []  # both files carry a start time: aligned, no assumption made
    assert hyp.total_sleep_time_h == 0.0


def test_wfdb_edfann_stage_scoring_and_channel_tagged_events(real_data):
    path = real_data / "edf_edgecases_wfdb_python" / "test_edfann.edf"
    ann = mne.read_annotations(path)
    n_stage = sum(parse_stage_label(d) is not None for d in ann.description)
    hyp = read_hypnogram_file(path, 8 * 3600.0)
    assert any("start time unknown" in w for w in hyp.warnings)  # anonymised start date
    assert hyp.stages[:9] == ("W",) * 8 + ("N1",)
    assert sum(s != "?" for s in hyp.stages) == n_stage  # one 30-s label per epoch
    assert set(hyp.stages) <= {"W", "N1", "N2", "N3", "R", "?"}


def test_separate_hypnogram_aligned_by_absolute_start_time(tmp_path):
    start = dt.datetime(2024, 3, 1, 22, 0, 0)
    ann = [edfio.EdfAnnotation(0.0, 60.0, "Sleep stage W"), edfio.EdfAnnotation(60.0, 240.0, "Sleep stage 2")]
    edf = edfio.Edf([], annotations=ann, starttime=(start + dt.timedelta(seconds=60)).time(),
                    recording=edfio.Recording(startdate=start.date()))
    path = tmp_path / "late-Hypnogram.edf"
    edf.write(path)
    hyp = read_hypnogram_file(path, 300.0, start)  # hypnogram starts 60 s after the PSG
    assert hyp.stage_at(10.0) == "?" and hyp.stage_at(70.0) == "W" and hyp.stage_at(130.0) == "N2"
    assert hyp.warnings == []


def test_hypnogram_without_stage_labels_is_a_clear_error(tmp_path):
    path = tmp_path / "events.edf"
    edfio.Edf([], annotations=[edfio.EdfAnnotation(1.0, 2.0, "Lights off")]).write(path)
    with pytest.raises(InputError, match="no sleep-stage annotations found") as err:
        read_hypnogram_file(path, 100.0)
    assert "events.edf" in str(err.value)


def test_missing_hypnogram_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_hypnogram_file(tmp_path / "nope.edf", 100.0)


def test_multi_epoch_annotations_fill_every_epoch():
    hyp = hypnogram_from_annotations([0.0, 90.0], [90.0, 60.0], ["Sleep stage W", "Sleep stage 3"], 150.0)
    assert hyp.stages == ("W", "W", "W", "N3", "N3")
    assert hyp.sleep_onset_transitions() == []


def test_automatic_staging_with_yasa_when_no_hypnogram(real_data):
    # the Sleep-EDF excerpt is entirely wake per its human hypnogram; YASA must say so too
    res = score_sleep(real_data / "sleep_edf_sc4001_excerpt" / "short_psg.edf")
    assert res.stages_source == "automatic"
    assert len(res.hypnogram.stages) == 10
    assert np.mean([s == "W" for s in res.hypnogram.stages]) >= 0.8
    assert any("YASA" in w for w in res.warnings)


def test_no_eeg_and_no_hypnogram_gives_no_stages():
    from myoclonus.signals.recording import Recording

    rng = np.random.default_rng(0)
    rec = Recording.from_array(rng.normal(0, 2, (2, 256 * 60)), 256.0, ["EMG L TA", "EMG R TA"])
    res = score_sleep(rec)
    assert res.stages_source == "none"
    d = res.to_dict()
    assert d["plms_index_per_h"] is None and d["total_sleep_time_h"] is None and d["lm_count"] == 0
    assert any("no sleep stages" in w for w in d["warnings"])
