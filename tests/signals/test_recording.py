"""Reading recordings: formats, units, windows, stimuli, privacy and clear errors on bad files."""
from __future__ import annotations

import edfio
import mne
import numpy as np
import pytest
import scipy.io
import wfdb

from myoclonus.errors import InputError
from myoclonus.signals.recording import Recording, read_recording

# file -> (n_channels, sfreq, n_times) or the expected error text
REAL_FILES = {
    "edf_edgecases_edfreader_r/edfAnnonC.edf": (2, 30000.0, 36000),
    "edf_edgecases_edfreader_r/edfPlusD.edf": r"EDF\+D \(discontinuous\)",
    "edf_edgecases_pyedflib/test_generator_datarec_generator_0_5.bdf": (5, 2000.0, 60000),
    "edf_edgecases_pyedflib/test_subsecond.edf": (1, 128.0, 89344),
    "edf_edgecases_pyedflib/test_utf8.edf": (1, 128.0, 89344),
    "edf_edgecases_wfdb_python/test_edfann.edf": "only annotations",
    "edf_edgecases_wfdb_python/test_generator_2.edf": (11, 200.0, 120000),
    "emggo_tibialis_anterior_semg/Sample_Data.mat": (1, 250.0, 137420),
    "emggo_tibialis_anterior_semg/ECG_Contaminated.mat": (8, 2048.0, 40801),
    "mne_python_io_testfiles/duplicate_channel_labels.edf": (3, 250.0, 2500),
    "mne_python_io_testfiles/test.vhdr": (32, 1000.0, 7900),
    "mne_python_io_testfiles/test_uneven_samp.edf": (2, 100.0, 11000),
    "physionet_emgdb/emg_healthy.hea": (1, 4000.0, 50860),
    "physionet_emgdb/emg_myopathy.hea": (1, 4000.0, 110337),
    "physionet_emgdb/emg_neuropathy.hea": (1, 4000.0, 147858),
    "sleep_edf_sc4001_excerpt/SC4001EC-Hypnogram.edf": "only annotations",
    "sleep_edf_sc4001_excerpt/short_psg.edf": (7, 100.0, 30000),
    "sleep_edf_sc4001_excerpt/short_psg.bdf": (7, 100.0, 30000),
}


@pytest.mark.parametrize("relpath", sorted(REAL_FILES))
def test_every_real_file_reads_or_fails_clearly(real_data, relpath):
    expected = REAL_FILES[relpath]
    path = real_data / relpath
    if isinstance(expected, str):
        with pytest.raises(InputError, match=expected) as err:
            read_recording(path)
        assert path.name in str(err.value)
        return
    rec = read_recording(path)
    assert (len(rec.channels), rec.sfreq, rec.n_times) == expected
    assert len(set(rec.ch_names)) == len(rec.ch_names)
    head = rec.get_data(None, 0, min(rec.n_times, 2000))
    assert head.dtype == np.float64 and np.isfinite(head).all()
    for name in rec.unmapped:
        assert any(name in w for w in rec.warnings)


def test_all_real_files_are_covered(real_data):
    present = {
        str(p.relative_to(real_data))
        for p in real_data.rglob("*")
        if p.suffix.lower() in {".edf", ".bdf", ".vhdr", ".hea", ".mat", ".fif", ".set"}
    }
    assert present == set(REAL_FILES)


def test_units_are_microvolts(real_data):
    # BrainVision: resolution 0.5 µV -> every EEG value is a multiple of 0.5 µV, within a few hundred µV
    rec = read_recording(real_data / "mne_python_io_testfiles/test.vhdr")
    x = rec.get_data(["FP1", "Cz"])
    assert np.allclose(x * 2, np.round(x * 2))
    assert 5 < np.abs(x).max() < 2000
    # WFDB header unit "mv" (lower case): physical mV -> µV
    record = str(real_data / "physionet_emgdb/emg_myopathy")
    mv = wfdb.rdrecord(record, sampto=4000).p_signal[:, 0]
    rec = read_recording(record + ".hea")
    np.testing.assert_allclose(rec.get_data(["EMG"], 0, 4000)[0], mv * 1000.0)
    assert rec.channels[0].kind == "emg"
    # EDF with a channel in volts: ±5 V square -> ±5e6 µV once the channel is typed as EMG
    rec = read_recording(real_data / "mne_python_io_testfiles/test_uneven_samp.edf", montage={"channels": {"3Hz +5/-5 V": "R FDI"}})
    assert np.isclose(np.abs(rec.get_data(["3Hz +5/-5 V"])).max(), 5e6)
    assert any("up-sampled" in w and "12.8 Hz" in w for w in rec.warnings)


def test_inverted_physical_range_keeps_polarity(real_data):
    path = real_data / "edf_edgecases_pyedflib/test_subsecond.edf"
    rec = read_recording(path)
    edf = edfio.read_edf(path)
    np.testing.assert_allclose(rec.get_data(["Fp1"], 0, 5000)[0], edf.signals[0].data[:5000], rtol=1e-12, atol=1e-9)


EDFIO_FILES = [
    "edf_edgecases_pyedflib/test_subsecond.edf",
    "edf_edgecases_pyedflib/test_utf8.edf",
    "edf_edgecases_wfdb_python/test_generator_2.edf",
    "mne_python_io_testfiles/duplicate_channel_labels.edf",
]


@pytest.mark.parametrize("relpath", EDFIO_FILES)
def test_edfio_reader_gives_the_same_values_as_mne(real_data, relpath):
    """The edfio fast path is used for single-rate EDF files and returns MNE's values.

    Same to float64 rounding, not bit for bit: MNE scales to volts and we scale back to µV.
    """
    path = real_data / relpath
    fast = read_recording(path)
    slow = read_recording(path, reader="mne")
    assert type(fast._backend).__name__ == "_EdfioBackend"
    assert type(slow._backend).__name__ == "_MneBackend"
    assert fast.ch_names == slow.ch_names
    a, b = fast.get_data(), slow.get_data()
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-10)
    # windows of the fast reader are exact slices of its full read
    for start, stop in [(0, 7), (123, 2345), (fast.n_times - 99, fast.n_times)]:
        np.testing.assert_array_equal(fast.get_data(None, start, stop), a[:, start:stop])
    # float32 reads are the float64 values rounded once (the detectors read float32)
    np.testing.assert_array_equal(fast.get_data(dtype=np.float32), a.astype(np.float32))


@pytest.mark.parametrize(
    "relpath",
    ["sleep_edf_sc4001_excerpt/short_psg.edf", "edf_edgecases_pyedflib/test_generator_datarec_generator_0_5.bdf",
     "mne_python_io_testfiles/test_uneven_samp.edf"],
)
def test_mixed_rate_files_stay_with_mne(real_data, relpath):
    assert type(read_recording(real_data / relpath)._backend).__name__ == "_MneBackend"


@pytest.mark.parametrize(
    "relpath",
    ["sleep_edf_sc4001_excerpt/short_psg.edf", "physionet_emgdb/emg_healthy.hea",
     "emggo_tibialis_anterior_semg/ECG_Contaminated.mat", "mne_python_io_testfiles/test.vhdr"],
)
def test_windowed_read_equals_slice_of_full_read(real_data, relpath):
    rec = read_recording(real_data / relpath)
    # channels the reader up-sampled from a lower rate are interpolated per window: excluded
    names = [n for n in rec.ch_names if not any(f"{n!r} (" in w for w in rec.warnings if "up-sampled" in w)]
    full = rec.get_data(names)
    for start, stop in [(0, 1), (17, 1033), (rec.n_times - 501, rec.n_times), (1000, 1000)]:
        np.testing.assert_array_equal(rec.get_data(names, start, stop), full[:, start:stop])
    picks = names[::-1][:2]
    np.testing.assert_array_equal(rec.get_data(picks, 5, 900), full[[names.index(p) for p in picks], 5:900])


def _write_edf(path, *, n_seconds=4, sfreq=1000, labels=("EMG R FDI", "EMG L TA", "C3"), patient=None):
    rng = np.random.default_rng(1)
    signals = [
        edfio.EdfSignal(rng.normal(0, 20, n_seconds * sfreq), sfreq, label=label, physical_dimension="uV", physical_range=(-500, 500))
        for label in labels
    ]
    edf = edfio.Edf(signals, patient=patient or edfio.Patient())
    edf.write(path)
    return path


def test_truncated_edf_is_refused(tmp_path):
    path = _write_edf(tmp_path / "rec.edf")
    data = path.read_bytes()
    cut = tmp_path / "cut.edf"
    cut.write_bytes(data[: len(data) - 3000])
    with pytest.raises(InputError, match="cut.edf: the file is truncated or padded: the header announces 4 data records, but the file size holds 3"):
        read_recording(cut)


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (b"", ".edf", "empty"),
        (b"this is a text file, not a recording\n" * 20, ".edf", "cannot read"),
        (b"0       " + b"x" * 100, ".bdf", "cannot read"),
        (b"hello", ".xyz", "cannot read"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, content, suffix, message):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_recording(path)
    assert path.name in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_recording(tmp_path / "nope.edf")


def test_mat_conventions(tmp_path):
    data = np.arange(3000, dtype=float).reshape(1000, 3) / 1000.0
    path = tmp_path / "named.mat"
    scipy.io.savemat(path, {"EMG": {"channelData": data, "fs": 1000.0, "channelNames": np.array(["R FDI", "L FDI", "C3"], dtype=object), "units": "mV"}})
    rec = read_recording(path)
    assert [c.label for c in rec.channels] == ["R FDI", "L FDI", "C3"]
    np.testing.assert_allclose(rec.get_data(["L FDI"])[0], data[:, 1] * 1000.0)
    odd = tmp_path / "odd.mat"
    scipy.io.savemat(odd, {"signals": data, "rate": 1000.0})
    with pytest.raises(InputError, match=r"odd.mat: MATLAB content not understood \(found \['rate', 'signals'\]\)"):
        read_recording(odd)
    wrong_names = tmp_path / "wrong.mat"
    scipy.io.savemat(wrong_names, {"EMG": {"channelData": data, "fs": 1000.0, "channelNames": np.array(["A", "B"], dtype=object)}})
    with pytest.raises(InputError, match="2 names for 3 channels"):
        read_recording(wrong_names)


def test_from_array_names_the_channel_with_non_finite_samples_and_accepts_huge_finite_ones():
    """The finiteness check sums each row first: an infinity or a NaN anywhere in a row is caught
    (also +inf and -inf together), and finite samples whose sum overflows are not rejected."""
    x = np.zeros((3, 50))
    x[1, 7], x[1, 9] = np.inf, -np.inf
    with pytest.raises(InputError, match="channel 'EMG L FDI' has 2 non-finite samples"):
        Recording.from_array(x, 1000, ["EMG R FDI", "EMG L FDI", "EMG R TA"])
    x = np.zeros((2, 50))
    x[1, -1] = np.nan
    with pytest.raises(InputError, match="channel 'EMG L FDI' has 1 non-finite samples"):
        Recording.from_array(x, 1000, ["EMG R FDI", "EMG L FDI"])
    huge = np.full((1, 4), 1e308)  # the sum overflows, every sample is finite
    assert Recording.from_array(huge, 1000, ["EMG R FDI"], units="uV").n_times == 4


def test_from_array_checks():
    with pytest.raises(InputError, match="channel 'EMG R FDI' has 10 non-finite samples"):
        Recording.from_array(np.full((1, 10), np.nan), 1000, ["EMG R FDI"])
    with pytest.raises(InputError, match="got 2 channel names for 3 channels"):
        Recording.from_array(np.zeros((3, 10)), 1000, ["a", "b"])
    with pytest.raises(InputError, match="positive number"):
        Recording.from_array(np.zeros((1, 10)), 0, ["EMG R FDI"])
    with pytest.raises(InputError, match="unknown units 'uv2'"):
        Recording.from_array(np.zeros((1, 10)), 1000, ["EMG R FDI"], units="uv2")
    rec = Recording.from_array(np.ones(10), 1000, "EMG R FDI", units="mV")
    assert rec.get_data()[0, 0] == 1000.0
    with pytest.raises(InputError, match="Did you mean 'EMG R FDI'"):
        rec.get_data(["emg r fdi "])
    with pytest.raises(InputError, match="invalid sample window"):
        rec.get_data(None, 5, 20)


def test_array_windows_in_any_order_and_type():
    data = np.random.default_rng(0).normal(0.0, 50.0, (3, 1000))
    rec = Recording.from_array(data, 1000, ["EMG R FDI", "EMG L FDI", "EMG R ECR"])
    picks = ["EMG R ECR", "EMG R FDI"]
    for dtype in (np.float64, np.float32):
        got = rec.get_data(picks, 100, 700, dtype=dtype)
        assert got.dtype == dtype and got.flags.c_contiguous
        np.testing.assert_array_equal(got, data[[2, 0], 100:700].astype(dtype))


def test_raw_roundtrip_and_units():
    data = np.random.default_rng(0).normal(0, 50, (2, 2000))
    rec = Recording.from_array(data, 1000.0, ["EMG R FDI", "Cz"])
    np.testing.assert_array_equal(rec.get_data(), data)
    raw = rec.raw
    assert raw.get_channel_types() == ["emg", "eeg"]
    np.testing.assert_allclose(raw.get_data() * 1e6, data)
    again = read_recording(raw)
    np.testing.assert_allclose(again.get_data(), data, rtol=1e-12)


def test_stimuli_from_channel_and_annotations():
    sfreq = 1000.0
    stim = np.zeros(5000)
    stim[[100, 101, 102, 2500, 4999]] = [1, 1, 1, 4, 1]
    trig = np.zeros(5000)
    trig[1000:1005] = 3.3  # analog pulse (volts)
    annotations = mne.Annotations([0.5, 1.5], [0, 0], ["Stimulus/S  1", "Sleep stage W"])
    rec = Recording.from_array(np.vstack([np.zeros(5000), stim, trig]), sfreq, ["EMG R FDI", "STIM", "TRIG"], annotations=annotations)
    got = [(round(s.onset_s, 4), s.label) for s in rec.stimuli]
    assert got == [(0.1, "STIM:1"), (0.5, "Stimulus/S  1"), (1.0, "TRIG"), (2.5, "STIM:4"), (4.999, "STIM:1")]
    assert all(isinstance(s.onset_s, float) for s in rec.stimuli)


def test_stimulus_channel_and_annotation_are_one_stimulus():
    stim = np.zeros(3000)
    stim[[1000, 2000]] = 1
    annotations = mne.Annotations([0.5003, 1.0, 1.2], [0, 0, 0], ["stim/median_nerve", "stim/median_nerve", "stim/median_nerve"])
    rec = Recording.from_array(np.vstack([np.zeros(3000), stim]), 2000.0, ["EMG R FDI", "STIM"], annotations=annotations)
    got = [(s.onset_s, s.label, s.source) for s in rec.stimuli]
    assert got == [(0.5, "stim/median_nerve", "STIM+annotation"), (1.0, "stim/median_nerve", "STIM+annotation"),
                   (1.2, "stim/median_nerve", "annotation")]


def test_header_identifiers_are_dropped(tmp_path):
    patient = edfio.Patient(code="MRN12345", sex="F", name="Jane_Doe")
    path = _write_edf(tmp_path / "id.edf", patient=patient)
    rec = read_recording(path)
    info = rec.raw.info
    assert info["subject_info"] is None or "Jane" not in str(info["subject_info"])
    text = repr(rec) + repr(info) + " ".join(rec.warnings)
    assert "Jane" not in text and "MRN12345" not in text


def test_units_for_files_without_units(real_data, tmp_path):
    path = real_data / "emggo_tibialis_anterior_semg/ECG_Contaminated.mat"
    in_uv = read_recording(path).get_data(None, 0, 100)
    in_mv = read_recording(path, units="mV")
    np.testing.assert_allclose(in_mv.get_data(None, 0, 100), in_uv * 1000.0)
    assert any("taken as mV" in w for w in in_mv.warnings)
    with pytest.raises(InputError, match="only for files that state no units"):
        read_recording(real_data / "sleep_edf_sc4001_excerpt/short_psg.edf", units="mV")
    stated = tmp_path / "stated.mat"
    scipy.io.savemat(stated, {"EMG": {"channelData": np.zeros((10, 1)), "fs": 1000.0, "units": "uV"}})
    with pytest.raises(InputError, match="states units 'uV' but units='mV'"):
        read_recording(stated, units="mV")


def test_fif_file_with_mne_channel_types(tmp_path):
    """FIF stores channel types: an 'emg' channel with an uninformative name is still EMG."""
    data = np.random.default_rng(4).normal(0, 20e-6, (3, 3000))
    info = mne.create_info(["Chan A", "C3", "Chan B"], 1000.0, ["emg", "eeg", "misc"])
    path = tmp_path / "rec_raw.fif"
    mne.io.RawArray(data, info, verbose="error").save(path, verbose="error")
    rec = read_recording(path)
    assert [c.kind for c in rec.channels] == ["emg", "eeg", "misc"]
    assert rec.unmapped == ["Chan B"]
    np.testing.assert_allclose(rec.get_data(["Chan A"])[0], data[0] * 1e6, rtol=1e-6)  # FIF stores float32


def test_large_edf_files_stay_with_mne(tmp_path, monkeypatch):
    """edfio maps the whole file; above the size limit MNE's bounded window reads are used."""
    from myoclonus.signals import recording

    path = _write_edf(tmp_path / "rec.edf")
    assert type(read_recording(path)._backend).__name__ == "_EdfioBackend"
    monkeypatch.setattr(recording, "_EDFIO_MAX_BYTES", path.stat().st_size - 1)
    assert type(read_recording(path)._backend).__name__ == "_MneBackend"


def test_utf8_annotations_and_subsecond_start(real_data):
    """UTF-8 TAL text is decoded; onsets count from the first sample (the EDF+ sub-second start
    offset of the first record, +0.394531 s here, is subtracted as edfio and EDFbrowser do)."""
    rec = read_recording(real_data / "edf_edgecases_pyedflib/test_utf8.edf")
    texts = {a["description"]: float(a["onset"]) for a in rec.annotations}
    assert texts["中文测试八个字"] == pytest.approx(119.605469, abs=1e-4)
    edf = edfio.read_edf(real_data / "edf_edgecases_pyedflib/test_utf8.edf")
    assert [round(a.onset, 4) for a in edf.annotations] == [round(float(o), 4) for o in rec.annotations.onset]
