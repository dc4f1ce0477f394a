"""BIDS-style derivatives and EDF+ with detections as annotations, read back with real readers."""
from __future__ import annotations

import json

import mne
import numpy as np
import pandas as pd
import pytest

from myoclonus.errors import InputError
from myoclonus.report.export import EVENTS_COLUMNS, write_annotated_edf, write_bids_derivatives


def test_bids_events_channels_and_sidecar(tmp_path, no_eeg_analysis):
    files = write_bids_derivatives(no_eeg_analysis, tmp_path, subject="07", task="rest")
    base = tmp_path / "derivatives" / "myoclonus"
    assert all(f.is_file() for f in files)
    description = json.loads((base / "dataset_description.json").read_text())
    assert description["DatasetType"] == "derivative" and description["GeneratedBy"][0]["Name"] == "myoclonus"
    events = pd.read_csv(base / "sub-07/emg/sub-07_task-rest_events.tsv", sep="\t", na_values="n/a", keep_default_na=False)
    assert list(events.columns) == EVENTS_COLUMNS
    bursts = no_eeg_analysis.bursts.summary()
    jerks = no_eeg_analysis.jerks.summary()
    assert (events["trial_type"] == "burst").sum() == len(bursts)
    assert (events["trial_type"] == "jerk").sum() == len(jerks)
    assert events["onset"].is_monotonic_increasing
    got = np.sort(events.loc[events["trial_type"] == "burst", "onset"].to_numpy())
    np.testing.assert_allclose(got, np.sort(bursts["onset_s"].to_numpy()), atol=1e-6)
    assert events.loc[events["trial_type"] == "jerk", "n_muscles"].dropna().map(float.is_integer).all()
    sidecar = json.loads((base / "sub-07/emg/sub-07_task-rest_events.json").read_text())
    assert set(EVENTS_COLUMNS) <= set(sidecar)
    assert set(sidecar["trial_type"]["Levels"]) >= set(events["trial_type"])
    channels = pd.read_csv(base / "sub-07/emg/sub-07_task-rest_channels.tsv", sep="\t")
    assert list(channels["name"]) == [c.name for c in no_eeg_analysis.recording.channels]
    assert set(channels["type"]) == {"EMG"} and set(channels["units"]) == {"uV"}


def test_bids_labels_are_validated(tmp_path, no_eeg_analysis):
    with pytest.raises(InputError, match="subject label must be letters and digits"):
        write_bids_derivatives(no_eeg_analysis, tmp_path, subject="Jane Doe")
    assert not (tmp_path / "derivatives" / "myoclonus" / "sub-Jane Doe").exists()


def test_annotated_edf_reads_back_with_channel_specific_annotations(tmp_path, cortical_analysis):
    path = write_annotated_edf(cortical_analysis, tmp_path / "annotated.edf")
    raw = mne.io.read_raw_edf(path, preload=False, verbose="error")
    assert raw.ch_names == [c.name for c in cortical_analysis.recording.channels]
    ann = raw.annotations
    bursts = cortical_analysis.bursts.summary()
    read = {(ch[0], round(on, 2)) for d, on, ch in zip(ann.description, ann.onset, ann.ch_names) if d == "myoclonus/burst" and ch}
    expected = {(c, round(on, 2)) for c, on in zip(bursts["channel"], bursts["onset_s"])}
    # EDF+ stores onsets to 100 us; every burst comes back on its own channel
    assert len(expected - read) <= len(expected) * 0.02, sorted(expected - read)[:5]
    assert sum(d == "myoclonus/jerk" for d in ann.description) >= len(cortical_analysis.jerks)
    # stimulus annotations of the original recording are kept
    assert any("stim" in d.lower() for d in ann.description)
    # signals survive the round trip (EDF is 16-bit: compare the EMG within its resolution)
    name = "EMG R FDI"
    original = cortical_analysis.recording.get_data([name], 0, 2048)[0]
    back = raw.get_data(picks=[name], start=0, stop=2048)[0] * 1e6
    full_range = np.ptp(cortical_analysis.recording.get_data([name])[0])
    assert np.max(np.abs(original - back)) <= full_range / 2**16 * 2 + 1e-6


def test_annotated_edf_needs_edf_suffix(tmp_path, no_eeg_analysis):
    with pytest.raises(InputError, match=r"must be an \.edf file"):
        write_annotated_edf(no_eeg_analysis, tmp_path / "x.fif")
