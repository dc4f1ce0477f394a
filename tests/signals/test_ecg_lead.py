"""An ECG lead as the beat reference of the EMG channels' ECG removal (signals/ecg_lead.py)."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from myoclonus.signals.bursts import detect_bursts, lead_channel_beats
from myoclonus.signals.ecg_lead import find_r_peaks
from myoclonus.simulate import simulate
from myoclonus.simulate.confounders import ecg_waveform

from synthetic import band_noise, ecg_train
from test_chunking import CHUNKED, ONE_SHOT, assert_same_events

RATES = (500.0, 1000.0, 2048.0, 5000.0)


def _lead(sfreq: float, seed: int, duration_s: float = 30.0, polarity: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A 1-mV ECG lead (either polarity) with 300 uV of baseline wander, 20 uV of white noise and
    10 uV of chest EMG; returns the lead and its R samples."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * sfreq)
    ecg, r = ecg_train(rng, n, sfreq, 1000.0, hr_bpm=72.0)
    t = np.arange(n) / sfreq
    x = polarity * ecg + 300.0 * np.sin(2 * np.pi * 0.2 * t) + 20.0 * rng.standard_normal(n) + 10.0 * band_noise(rng, n, sfreq)
    return x, r


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize("polarity", [1.0, -1.0])
def test_every_r_peak_of_a_lead_is_found_in_either_polarity(sfreq, polarity):
    x, r = _lead(sfreq, seed=4, polarity=polarity)
    found = find_r_peaks(x, sfreq)
    assert found.size == r.size
    assert np.max(np.abs(found - r)) <= max(0.004 * sfreq, 1)


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize("kind", ["zeros", "constant", "white", "emg", "mains", "drift"])
def test_a_flat_or_noise_only_lead_has_no_r_peaks(sfreq, kind):
    rng = np.random.default_rng(5)
    n = int(30 * sfreq)
    t = np.arange(n) / sfreq
    x = {"zeros": lambda: np.zeros(n), "constant": lambda: np.full(n, 37.0),
         "white": lambda: 20.0 * rng.standard_normal(n), "emg": lambda: 50.0 * band_noise(rng, n, sfreq, 20.0, 450.0),
         "mains": lambda: 80.0 * np.sin(2 * np.pi * 50.0 * t) + 2.0 * rng.standard_normal(n),
         "drift": lambda: 400.0 * np.sin(2 * np.pi * 0.3 * t) + 5.0 * rng.standard_normal(n)}[kind]()
    assert find_r_peaks(x, sfreq).size == 0


def test_an_artefact_between_two_beats_is_not_a_beat():
    """A 60-ms, 20-Hz transient larger than the R waves half-way between two beats (a jerk's EMG on
    the lead) breaks the rhythm and is not the beats' QRS: it is not taken for a beat."""
    sfreq = 1000.0
    x, r = _lead(sfreq, seed=6)
    k = r.size // 2
    mid = (r[k] + r[k + 1]) // 2
    t = np.arange(60) / sfreq
    x[mid - 30 : mid + 30] += 1500.0 * np.hanning(60) * np.sin(2 * np.pi * 20.0 * t)
    found = find_r_peaks(x, sfreq)
    assert found.size == r.size
    assert np.max(np.abs(found - r)) <= 4


def test_the_lead_train_is_given_to_the_channels_that_show_it_at_their_lag():
    """A channel whose own train is the lead's needs nothing, also where the lead lost three beats;
    one whose QRS candidates follow the lead 9 ms late gets the lead's train 9 ms late; one with
    scattered candidates gets nothing; one whose own train has a spurious beat gets the lead's,
    with its own beats where the lead lost them."""
    sfreq = 1000.0
    beats = np.arange(500, 30_000, 830)
    lead = np.delete(beats, [20, 21, 22])  # an artefact on the lead
    rng = np.random.default_rng(0)
    scattered = np.sort(rng.choice(30_000, 120, replace=False))
    weak = np.sort(np.concatenate((np.delete(beats, [2, 9]) + 9, scattered[::3])))
    spurious = np.sort(np.append(beats + 4, beats[3] + 400))
    out = lead_channel_beats(lead, [beats + 4, np.empty(0, int), np.empty(0, int), spurious],
                             [beats + 4, weak, scattered, spurious], sfreq)
    assert sorted(out) == [1, 3]
    np.testing.assert_array_equal(out[1], lead + 9)
    np.testing.assert_array_equal(out[3], beats + 4)
    # the lead's last beats fall past the end of the data at the channel's lag (or the lead stopped):
    # the channel keeps its own beats there
    n_times = int(beats[-1]) + 2
    out = lead_channel_beats(beats[:-4] + 3, [spurious], [spurious], sfreq, n_times=n_times)
    np.testing.assert_array_equal(out[0], beats + 4)  # the lead's, 1 ms later, then its own; not the spurious one


# ------------------------------------------------------------------ a simulated recording
def _with_lead(sim, lead: str, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """The simulation's EMG with an "ECG" channel: the injected heart's beats at 1 mV with 15 uV of
    noise and 40 uV of drift (``lead="ecg"``), a flat lead (``"flat"``) or noise only (``"noise"``)."""
    emg, names = sim.emg_uv()
    n, sfreq = emg.shape[1], sim.truth.sfreq_hz
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sfreq
    if lead == "ecg":
        row = 1000.0 * ecg_waveform(sim.truth.ecg_r_peaks_s, n, sfreq) + 15.0 * rng.standard_normal(n)
        row += 40.0 * np.sin(2 * np.pi * 0.25 * t)
    elif lead == "flat":
        row = np.zeros(n)
    else:
        row = 15.0 * rng.standard_normal(n) + 40.0 * np.sin(2 * np.pi * 0.25 * t)
    return np.vstack([emg, row[None, :]]), names + ["ECG"]


def _near(onsets: np.ndarray, times: np.ndarray, within_s: float = 0.1) -> int:
    return int(sum(np.min(np.abs(times - t)) <= within_s for t in onsets)) if len(times) else 0


@pytest.fixture(scope="module")
def weak_scm():
    """Hemifacial spasm, 15 s at 2048 Hz (benchmark case 31): the neck channel "EMG R SCM" is the
    only one carrying ECG (R wave 30-150 uV under tonic EMG) and has no burst of its own."""
    sim = simulate("peripheral", minutes=0.25, seed=31, sfreq_hz=2048.0)
    assert sim.truth.ecg_channels == ["EMG R SCM"]
    emg, names = sim.emg_uv()
    return sim, detect_bursts(emg, sim.truth.sfreq_hz, names)


def test_an_ecg_lead_removes_the_beats_of_a_weak_ecg_channel(weak_scm):
    """With the lead no QRS complex of the neck channel comes out as a burst, the other channels (no
    ECG) are left as they were and every true burst is kept. Without it the neck channel's QRS is
    found as a weak train (before that search, 3 QRS complexes came out as bursts)."""
    sim, alone = weak_scm
    r_s = np.asarray(sim.truth.ecg_r_peaks_s)
    scm = "EMG R SCM"
    assert _near(alone.events.loc[alone.events["channel"] == scm, "onset_s"].to_numpy(), r_s) == 0
    assert alone.channel_status[scm].n_ecg_beats >= 0.9 * r_s.size
    x, names = _with_lead(sim, "ecg")
    led = detect_bursts(x, sim.truth.sfreq_hz, names)
    assert led.ecg_reference is not None and led.ecg_reference.channel == "ECG" and led.ecg_reference.used
    assert abs(led.ecg_reference.n_beats - r_s.size) <= 1
    assert _near(led.events.loc[led.events["channel"] == scm, "onset_s"].to_numpy(), r_s) == 0
    assert led.channel_status[scm].n_ecg_beats >= 0.9 * r_s.size
    others = [n for n in names[:-1] if n != scm]
    for n in others:
        assert led.channel_status[n].n_ecg_beats == 0
    assert_same_events(alone.events[alone.events["channel"].isin(others)].reset_index(drop=True),
                       led.events[led.events["channel"].isin(others)].reset_index(drop=True))
    truth = np.asarray([b.onset_s for b in sim.truth.bursts])
    assert alone.compare_detection(truth)["tp"] <= led.compare_detection(truth)["tp"]
    assert "ECG" not in led.channel_status  # the lead is not analysed as EMG


@pytest.mark.parametrize("lead", ["flat", "noise"])
def test_a_flat_or_noisy_lead_falls_back_to_the_channels_own_beats(weak_scm, lead, caplog):
    sim, alone = weak_scm
    x, names = _with_lead(sim, lead)
    with caplog.at_level(logging.WARNING, logger="myoclonus"):
        res = detect_bursts(x, sim.truth.sfreq_hz, names)
    assert not res.ecg_reference.used and res.ecg_reference.n_beats == 0
    assert_same_events(alone.events, res.events)
    assert_same_events(alone.artefacts, res.artefacts)
    assert any("ECG channel 'ECG' showed no heart rhythm" in r.getMessage() for r in caplog.records)


def test_the_lead_gives_the_same_results_chunked_and_one_shot():
    """Chunked and one-shot detection agree with a lead (bursts, artefacts, beats counted), and so
    do the silent periods of both paths."""
    from myoclonus.settings import AnalysisSettings, ChunkSettings
    from myoclonus.signals.silent import detect_bursts_and_silent_periods, detect_silent_periods

    sim = simulate("peripheral", minutes=1.0, seed=31, sfreq_hz=1000.0, negative=True)
    x, names = _with_lead(sim, "ecg")
    one = detect_bursts(x, 1000.0, names, settings=ONE_SHOT)
    chk = detect_bursts(x, 1000.0, names, settings=CHUNKED)
    assert one.ecg_reference.n_chunks == 1 and chk.ecg_reference.n_chunks > 5
    assert one.ecg_reference.n_beats == chk.ecg_reference.n_beats
    assert one.channel_status["EMG R SCM"].n_ecg_beats >= 0.9 * len(sim.truth.ecg_r_peaks_s)
    assert_same_events(one.events, chk.events)
    assert_same_events(one.artefacts, chk.artefacts)
    assert one.channel_status == chk.channel_status
    threaded = AnalysisSettings(chunks=ChunkSettings(chunk_s=7.0, n_threads=2))
    bursts, silent = detect_bursts_and_silent_periods(x, 1000.0, names, settings=threaded)
    assert_same_events(bursts.events, chk.events)
    assert bursts.ecg_reference == chk.ecg_reference
    assert_same_events(silent.events, detect_silent_periods(x, 1000.0, names, bursts=chk, settings=CHUNKED).events)


def test_findings_name_the_ecg_reference(weak_scm):
    import mne

    from myoclonus.report.schemas import validate_document
    from myoclonus.signals.analysis import analyze

    sim, _ = weak_scm
    x, names = _with_lead(sim, "ecg")
    info = mne.create_info(names, sim.truth.sfreq_hz, ["emg"] * (len(names) - 1) + ["ecg"], verbose="error")
    analysis = analyze(mne.io.RawArray(x * 1e-6, info, verbose="error"))
    lead = analysis.findings["bursts"]["ecg_reference"]
    assert lead["channel"] == "ECG" and lead["used"] and lead["n_beats"] > 10
    validate_document(analysis.findings, "findings")
    x[-1] = 0.0
    flat = analyze(mne.io.RawArray(x * 1e-6, info, verbose="error"))
    assert flat.findings["bursts"]["ecg_reference"]["used"] is False
    assert any("ECG channel 'ECG' showed no heart rhythm anywhere" in w for w in flat.findings["warnings"])


@pytest.mark.parametrize(("first", "second", "chosen"), [("noise", "ecg", "ECG 2"), ("flat", "ecg", "ECG 2"),
                                                         ("ecg", "noise", "ECG 1"), ("ecg", "ecg", "ECG 1")])
def test_of_several_ecg_leads_the_one_with_a_heart_rhythm_is_the_reference(weak_scm, first, second, chosen, caplog):
    """Two ECG channels: the one whose R-R intervals are regular over the first minute is the
    reference, whatever its place (the first was taken before, and a detached first lead meant no
    reference at all); on a tie the first."""
    sim, _ = weak_scm
    emg, names = sim.emg_uv()
    rows = [_with_lead(sim, kind, seed=k)[0][-1] for k, kind in enumerate((first, second))]
    x = np.vstack([emg] + rows)
    with caplog.at_level(logging.INFO, logger="myoclonus"):
        res = detect_bursts(x, sim.truth.sfreq_hz, names + ["ECG 1", "ECG 2"])
    assert res.ecg_reference.channel == chosen and res.ecg_reference.used
    assert abs(res.ecg_reference.n_beats - len(sim.truth.ecg_r_peaks_s)) <= 1
    assert any("most regular R-R intervals" in r.getMessage() for r in caplog.records)


def test_the_lead_is_chosen_once_per_recording(weak_scm, caplog):
    """Detectors run one after the other on the same Recording share the choice of the lead (the
    first minute of each lead is read and compared once)."""
    from myoclonus.signals.recording import Recording

    sim, _ = weak_scm
    emg, names = sim.emg_uv()
    rows = [_with_lead(sim, kind, seed=k)[0][-1] for k, kind in enumerate(("noise", "ecg"))]
    rec = Recording.from_array(np.vstack([emg] + rows), sim.truth.sfreq_hz, names + ["ECG 1", "ECG 2"])
    with caplog.at_level(logging.INFO, logger="myoclonus"):
        first = detect_bursts(rec)
        second = detect_bursts(rec)
    assert first.ecg_reference.channel == second.ecg_reference.channel == "ECG 2"
    assert sum("most regular R-R intervals" in r.getMessage() for r in caplog.records) == 1
