"""The analyze() pipeline end to end: stages, Analysis API, annotations, privacy."""
from __future__ import annotations

import json

import edfio
import mne
import numpy as np
import pytest

from myoclonus.errors import InputError
from myoclonus.signals.analysis import Analysis, analyze
from myoclonus.signals.recording import Recording

# The detector modules are written in parallel (helper H5); only their absence skips these tests.
pytest.importorskip("myoclonus.signals.bursts")
pytest.importorskip("myoclonus.signals.silent")
pytest.importorskip("myoclonus.signals.jerks")
pytest.importorskip("myoclonus.signals.rhythm")

SFREQ = 2000.0
NAMES = ["EMG R ECR", "EMG R FCR", "EMG R FDI", "C3", "STIM"]


def _synthetic(seed=0, n_seconds=20.0, jerk_times=(2.0, 5.3, 8.1, 11.7, 14.2, 17.6)):
    """Background EMG noise + 30-60 ms bursts in three muscles (FDI 8 ms after ECR/FCR)."""
    rng = np.random.default_rng(seed)
    n = int(n_seconds * SFREQ)
    data = rng.normal(0, 5.0, (len(NAMES), n))
    data[3] = rng.normal(0, 10.0, n)
    data[4] = 0.0
    truth = {name: [] for name in NAMES[:3]}
    for t in jerk_times:
        for ch, delay_ms, dur_ms in ((0, 0.0, 40.0), (1, 0.0, 35.0), (2, 8.0, 30.0)):
            start = int(round((t + delay_ms / 1000) * SFREQ))
            length = int(round(dur_ms / 1000 * SFREQ))
            data[ch, start:start + length] += rng.normal(0, 150.0, length)
            truth[NAMES[ch]].append(t + delay_ms / 1000)
        data[4, int((t - 0.04) * SFREQ):int((t - 0.04) * SFREQ) + 10] = 1.0  # stimulus 40 ms before
    return data, truth


@pytest.fixture(scope="module")
def result() -> tuple[Analysis, dict]:
    data, truth = _synthetic()
    rec = Recording.from_array(data, SFREQ, NAMES)
    fractions = []
    analysis = analyze(rec, progress=fractions.append)
    return analysis, {"truth": truth, "fractions": fractions}


def test_pipeline_finds_the_bursts_and_jerks(result):
    analysis, extra = result
    for name, onsets in extra["truth"].items():
        score = analysis.bursts.compare_detection(onsets, channel=name, tolerance_ms=10)
        assert score["recall"] == 1.0 and score["precision"] == 1.0, (name, score)
    jerks = analysis.jerks.summary()
    assert len(jerks) == 6
    assert set(jerks["n_muscles"]) == {3}
    assert analysis.rhythm is not None
    assert len(analysis.recording.stimuli) == 6


def test_progress_reaches_one(result):
    fractions = result[1]["fractions"]
    assert fractions[-1] == 1.0
    assert all(b >= a for a, b in zip(fractions, fractions[1:]))


def test_summary_per_muscle(result):
    analysis, _ = result
    table = analysis.summary()
    assert table["channel"].tolist() == ["EMG R ECR", "EMG R FCR", "EMG R FDI"]
    assert table["n_bursts"].tolist() == [6, 6, 6]
    fdi = table.set_index("channel").loc["EMG R FDI"]
    assert 20 <= fdi["median_burst_ms"] <= 40


def test_to_annotations(result):
    analysis, _ = result
    annotations = analysis.to_annotations()
    descriptions = set(annotations.description)
    assert {"myoclonus/burst", "myoclonus/jerk"} <= descriptions
    bursts = [a for a in annotations if a["description"] == "myoclonus/burst"]
    assert len(bursts) == 18 and all(len(a["ch_names"]) == 1 for a in bursts)
    raw = analysis.recording.raw.copy()
    raw.set_annotations(annotations)  # attaches to the recording's Raw without error
    assert len(raw.annotations) == len(annotations)


def test_findings_sections(result):
    analysis, _ = result
    f = analysis.findings
    assert f["schema"] == "myoclonus.findings/1"
    assert f["input"]["sha256"] is None and f["input"]["format"] == "in-memory"
    assert [m["bursts"]["count"] for m in f["muscles"]] == [6, 6, 6]
    assert f["jerks"]["count"] == 6
    assert f["stimuli"]["count"] == 6
    json.dumps(f, allow_nan=False)


def test_no_emg_channel_is_a_clear_error():
    rec = Recording.from_array(np.random.default_rng(0).normal(0, 10, (2, 4000)), 1000.0, ["C3", "Temp"])
    with pytest.raises(InputError, match="no EMG channel found.*'C3': eeg.*'Temp': misc.*--montage"):
        analyze(rec)


def test_bad_settings_type():
    rec = Recording.from_array(np.zeros((1, 1000)), 1000.0, ["EMG R FDI"])
    with pytest.raises(InputError, match="settings must be an AnalysisSettings"):
        analyze(rec, settings={"bursts": {}})


def test_file_input_identifiers_never_reach_outputs(tmp_path):
    data, _ = _synthetic(n_seconds=8.0, jerk_times=(2.0, 5.0))
    signals = [
        edfio.EdfSignal(data[i], SFREQ, label=name, physical_dimension="uV" if name != "STIM" else "", physical_range=(-2000, 2000))
        for i, name in enumerate(NAMES)
    ]
    edf = edfio.Edf(
        signals,
        patient=edfio.Patient(code="MRN-998877", sex="F", birthdate=None, name="Jane_Doe"),
        recording=edfio.Recording(hospital_administration_code="HOSP-4242", investigator_technician_code="Dr_Who", equipment_code="Amp9"),
    )
    path = tmp_path / "rec.edf"
    edf.write(path)
    analysis = analyze(path)
    assert analysis.findings["input"]["format"] == "edf" and len(analysis.findings["input"]["sha256"]) == 64
    out = tmp_path / "out"
    analysis.write(out)
    for file in out.iterdir():
        text = file.read_text("utf-8")
        for secret in ("Jane", "MRN-998877", "HOSP-4242", "Dr_Who"):
            assert secret not in text, (file.name, secret)
    assert analysis.findings["muscles"][0]["bursts"]["count"] == 2


def test_accepts_raw(result):
    data, _ = _synthetic(n_seconds=8.0, jerk_times=(2.0, 5.0))
    info = mne.create_info(NAMES, SFREQ, ["emg", "emg", "emg", "eeg", "stim"])
    raw = mne.io.RawArray(data * np.array([1e-6, 1e-6, 1e-6, 1e-6, 1.0])[:, None], info, verbose="error")
    analysis = analyze(raw)
    assert len(analysis.jerks.summary()) == 2
