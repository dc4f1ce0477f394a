"""Artefact handling: ECG, movement, pops, clipping, flat channels, mains detection."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myoclonus.settings import AnalysisSettings
from myoclonus.signals import artefacts as art
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.conditioning import detect_mains
from myoclonus.simulate import simulate

from synthetic import band_noise, ecg_train, make_emg

RATES = (500.0, 1000.0, 2048.0, 5000.0)


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize("ecg_uv", [150.0, 1000.0])
def test_ecg_only_channel_gives_no_bursts(sfreq, ecg_uv):
    sim = make_emg(sfreq=sfreq, seed=3, duration_s=30, n_bursts=0, ecg_uv=ecg_uv, tonic_uv=5.0)
    res = detect_bursts(sim.data_uv, sfreq, ["EMG PSP T8"])
    assert len(res) == 0, res.events
    status = res.channel_status["EMG PSP T8"]
    assert status.ecg_detected and status.n_ecg_beats >= 15
    assert (res.artefacts["kind"] == "ecg").sum() == status.n_ecg_beats


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [("movement", dict(movement=6)), ("pop", dict(pops=6)), ("mixed", dict(ecg_uv=200.0, mains_hz=50.0, movement=3, pops=3))],
)
def test_artefact_only_channel_gives_no_bursts(sfreq, kind, kwargs):
    sim = make_emg(sfreq=sfreq, seed=3, duration_s=30, n_bursts=0, **kwargs)
    res = detect_bursts(sim.data_uv, sfreq, ["X"])
    assert len(res) == 0, res.events
    if kind != "mixed":
        assert (res.artefacts["kind"] == kind).sum() >= 3


def test_clipping_is_flagged_and_has_no_bursts():
    sim = make_emg(sfreq=2048.0, seed=3, duration_s=20, n_bursts=10, snr=(20, 40), clip_at_uv=80.0)
    res = detect_bursts(sim.data_uv, 2048.0, ["X"])
    sat = res.artefacts[res.artefacts["kind"] == "saturation"]
    assert len(sat) > 0
    assert res.channel_status["X"].saturated_fraction > 0
    for _, b in res.events.iterrows():
        assert not ((sat["onset_s"] < b["offset_s"]) & (sat["offset_s"] > b["onset_s"])).any()


def test_flat_channel_is_reported():
    x = np.vstack([np.zeros(20000), make_emg(sfreq=2000.0, seed=1, duration_s=10, n_bursts=5).data_uv])
    res = detect_bursts(x, 2000.0, ["EMG L TA", "EMG R TA"])
    assert res.channel_status["EMG L TA"].state == "flat"
    assert res.channel_status["EMG R TA"].state == "ok"
    assert len(res.events[res.events["channel"] == "EMG L TA"]) == 0


@pytest.mark.parametrize("mains_hz", [50.0, 60.0])
@pytest.mark.parametrize("sfreq", [500.0, 2048.0])
def test_mains_frequency_is_found_not_assumed(mains_hz, sfreq):
    sim = make_emg(sfreq=sfreq, seed=2, duration_s=20, n_bursts=10, mains_hz=mains_hz)
    report = detect_mains(sim.data_uv[None], sfreq, ["X"], AnalysisSettings().conditioning)
    assert report.mains_hz == mains_hz
    assert report.harmonics_hz["X"][0] == mains_hz
    res = detect_bursts(sim.data_uv, sfreq, ["X"])
    assert res.mains_hz == mains_hz and res.channel_status["X"].mains_hz == mains_hz


def test_mains_report_is_the_same_with_threads():
    """Channels with and without mains (and one with a harmonic): the periodograms spread over
    threads give the same report as one thread."""
    data = np.vstack([make_emg(sfreq=1000.0, seed=s, duration_s=20, n_bursts=10, mains_hz=m).data_uv
                      for s, m in [(1, 50.0), (2, None), (3, 50.0)]])
    data[2] += 30.0 * np.sin(2 * np.pi * 150.0 * np.arange(data.shape[1]) / 1000.0)
    cond = AnalysisSettings().conditioning
    one = detect_mains(data, 1000.0, ["A", "B", "C"], cond)
    assert one.mains_hz == 50.0 and one.harmonics_hz["B"] == () and 150.0 in one.harmonics_hz["C"]
    assert detect_mains(data, 1000.0, ["A", "B", "C"], cond, n_threads=2) == one


def test_no_mains_reported_on_clean_signal():
    sim = make_emg(sfreq=1000.0, seed=2, duration_s=20, n_bursts=10)
    assert detect_bursts(sim.data_uv, 1000.0, ["X"]).mains_hz is None


def test_ecg_train_helper_is_periodic():
    rng = np.random.default_rng(0)
    _, r = ecg_train(rng, 60_000, 1000.0, 100.0, hr_bpm=60.0)
    assert 0.9 < np.median(np.diff(r)) / 1000.0 < 1.1


def _bursts_just_after_beats(sfreq: float, seed: int, duration_s: float = 40.0) -> tuple[np.ndarray, np.ndarray]:
    """A trunk channel with a 300 uV ECG in which every third beat is followed by a burst
    starting 15-45 ms after its R peak (10-30 x the 3 uV noise, 40-150 ms long): the QRS just
    before a burst must be subtracted, or the burst's onset moves back onto it."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * sfreq)
    x = 3.0 * rng.standard_normal(n)
    ecg, r = ecg_train(rng, n, sfreq, 300.0, hr_bpm=70.0)
    x += ecg
    onsets = []
    for k in range(2, r.size - 2, 3):
        a = r[k] + int(rng.uniform(0.015, 0.045) * sfreq)
        b = a + int(rng.uniform(0.04, 0.15) * sfreq)
        x[a:b] += rng.uniform(30.0, 90.0) * band_noise(rng, b - a, sfreq)
        onsets.append(a / sfreq)
    return x, np.asarray(onsets)


@pytest.mark.parametrize("sfreq", RATES)
def test_bursts_just_after_heartbeats_keep_their_onsets(sfreq):
    """Issue 3 targets (F1 >= 0.95, median onset error <= 3 ms) for bursts that begin right after
    a QRS complex (pooled over 5 recordings; before the beats hidden under bursts were located
    with the template's polarity and a rhythm-robust R-R estimate, F1 was 0.78-0.93)."""
    tp = fp = fn = 0
    errors = []
    for seed in range(1, 6):
        x, onsets = _bursts_just_after_beats(sfreq, seed)
        score = detect_bursts(x, sfreq, ["EMG RA"]).compare_detection(onsets)
        tp, fp, fn = tp + score["tp"], fp + score["fp"], fn + score["fn"]
        errors.append(score["median_onset_error_ms"])
    assert 2 * tp / (2 * tp + fp + fn) >= 0.95, (tp, fp, fn)
    assert np.median(errors) <= 3.0


@pytest.mark.parametrize("sfreq", [500.0, 1000.0, 2048.0, 5000.0])
def test_weak_ecg_under_tonic_emg_gives_no_bursts(sfreq):
    """An 80-uV ECG under 10 uV of tonic EMG (trapezius-like): single QRS complexes correlate only
    0.6-0.85 with each other, so they are recognised by their agreement with their neighbours'
    median waveform (before: 11-21 bursts on this channel, no beat recognised). At 500 Hz the beats
    of the last ~6 s are found as a weak train where the pairwise test left them out (1 burst there
    before)."""
    sim = make_emg(sfreq=sfreq, seed=3, duration_s=30, n_bursts=0, ecg_uv=80.0, tonic_uv=10.0)
    res = detect_bursts(sim.data_uv, sfreq, ["EMG R TRAP"])
    assert len(res) == 0, res.events
    assert res.channel_status["EMG R TRAP"].ecg_detected


def test_a_train_with_hidden_beats_is_regular_in_its_local_rhythm():
    """Beats found only here and there (a weak ECG under tonic EMG): intervals of one, two and six
    R-R intervals. The local rhythm is taken per beat (as the filler does), so the run stays a heart
    rhythm; a plain median of the intervals (0.86, 0.86, 1.70 and 1.75 s per 2-s unit) put it at
    1.28 s and dropped the first four beats, and their ECG came out as bursts."""
    gaps_s = [0.86, 0.86, 1.70, 5.24, 1.71, 0.90, 0.86, 0.88, 0.87, 0.86, 0.87]
    train = np.round(np.concatenate(([1.0], 1.0 + np.cumsum(gaps_s))) * 1000.0).astype(int)
    assert art._regular(train).all()


@pytest.mark.parametrize(("sfreq", "seed", "n_beats"), [(1000.0, 7, 35), (500.0, 6, 30), (500.0, 4, 29)])
def test_weak_ecg_found_only_in_places_gives_no_bursts(sfreq, seed, n_beats):
    """The same 80-uV ECG under 10 uV of tonic EMG: the pairwise test recognises beats only here
    and there, with gaps of two and six beats between them (1000 Hz, seed 7: 3 bursts before the
    regularity test counted the hidden beats), or only in the middle 8-16 s, further than a
    train's extension reaches; the weak train fills the rest (500 Hz, seeds 6 and 4: 7 and 2
    bursts before)."""
    sim = make_emg(sfreq=sfreq, seed=seed, duration_s=30, n_bursts=0, ecg_uv=80.0, tonic_uv=10.0)
    res = detect_bursts(sim.data_uv, sfreq, ["EMG R TRAP"])
    assert len(res) == 0, res.events
    assert res.channel_status["EMG R TRAP"].n_ecg_beats >= n_beats - 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 4).map(lambda k: 850.0 * k), st.floats(1.0, 3000.0)), max_size=30),
       st.integers(1, 4))
def test_local_rrs_are_the_local_rr_of_each_window(intervals, reach):
    """The vectorised local R-R intervals (windows of the same shape together) equal _local_rr
    window by window, bit for bit (zero intervals included), with and without the interval itself
    (NaN where no other is in reach)."""
    x = np.asarray(intervals, float)
    expected = [art._local_rr(x[max(k - reach, 0) : k + reach + 1]) for k in range(x.size)]
    np.testing.assert_array_equal(art._local_rrs(x, reach), expected)
    around = [art._local_rr(np.concatenate((x[max(k - reach, 0) : k], x[k + 1 : k + reach + 1])))
              if x.size > 1 else np.nan for k in range(x.size)]
    np.testing.assert_array_equal(art._local_rrs(x, reach, without_own=True), around)


def test_template_neighbours_are_bounded_in_time():
    """Up to n neighbours on each side, but none further than ECG_TEMPLATE_SPAN_S: a sparse train
    must not draw a template from beats tens of seconds away (chunked and one-shot would differ)."""
    sfreq = 100.0
    span = art.ECG_TEMPLATE_SPAN_S * sfreq
    peaks = np.array([0, 100, 200, 300, 2500, 2600, 2700, 2800, 2900, 3000, 3100, 3200, 3300, 3400, 3500])
    for one_sided in (False, True):
        lo, hi = art.template_neighbours(peaks, 6, sfreq, one_sided=one_sided)
        for i, p in enumerate(peaks):
            chosen = peaks[lo[i] : hi[i]]
            assert lo[i] <= i < hi[i]
            assert np.all(np.abs(chosen - p) <= span), (i, chosen)
            assert hi[i] - lo[i] <= 13
    lo, hi = art.template_neighbours(peaks, 6, sfreq)
    assert (lo[0], hi[0]) == (0, 4)  # the beats 22 s later are out of reach
    assert (lo[10], hi[10]) == (4, 15)  # up to 6 on each side
    lo, hi = art.template_neighbours(peaks, 6, sfreq, one_sided=True)
    assert (lo[14], hi[14]) == (4, 15)  # near the end: taken from one side, still within the span
    lo, hi = art.template_neighbours(peaks, 6, 0.0, one_sided=True)  # no sampling rate: by count only
    assert (lo[0], hi[0]) == (0, 13)


def test_sparse_beat_trains_give_the_same_results_chunked_and_one_shot():
    """A weak ECG found only in places on two channels (90 s at 500 Hz, 7-s chunks): templates and
    residual levels from neighbours bounded in time agree chunked and one-shot (before: a burst
    onset 2.2 ms apart, its template drawn from beats beyond the chunk's data)."""
    from test_chunking import CHUNKED, ONE_SHOT, assert_same_events

    sfreq = 500.0
    x = np.vstack([make_emg(sfreq=sfreq, seed=seed, duration_s=90, n_bursts=n, ecg_uv=80.0, tonic_uv=10.0).data_uv
                   for seed, n in ((7, 0), (57, 25))])
    names = ["EMG R TRAP", "EMG L TRAP"]
    one = detect_bursts(x, sfreq, names, settings=ONE_SHOT)
    chk = detect_bursts(x, sfreq, names, settings=CHUNKED)
    assert len(one) >= 20
    assert_same_events(one.events, chk.events)
    assert_same_events(one.artefacts, chk.artefacts)
    assert one.channel_status == chk.channel_status


def test_excess_zero_crossings_ignore_the_noise_riding_on_a_slow_wave():
    """Rice's formula on the excess over the background: band-passed amplifier noise riding on a
    20-Hz wave (what a movement leaks through the high-pass) makes the count of crossings look like
    EMG, but the wave's own rate (40 per second, estimated within about 20) stays below
    MOVEMENT_MAX_ZC_PER_S; band-limited EMG stays far above it."""
    from myoclonus.signals.artefacts import MOVEMENT_MAX_ZC_PER_S, excess_zero_crossings_per_s

    sfreq, seconds = 2048.0, 0.5
    t = np.arange(int(seconds * sfreq)) / sfreq
    for seed in range(8):
        rng = np.random.default_rng(seed)
        noise = 3.0 * np.vstack([band_noise(rng, t.size, sfreq, 20.0, 450.0) for _ in range(2)])
        background = noise[1]  # beside the run

        def rate(v, bg=background):
            return excess_zero_crossings_per_s(np.array([np.mean(v**2)]), np.array([np.mean(np.diff(v) ** 2)]),
                                               np.array([np.mean(bg**2)]), np.array([np.mean(np.diff(bg) ** 2)]), sfreq)[0]

        slow = 15.0 * np.sin(2 * np.pi * 20.0 * t) + noise[0]
        counted = np.count_nonzero(np.signbit(slow[1:]) != np.signbit(slow[:-1])) / seconds
        assert counted > MOVEMENT_MAX_ZC_PER_S  # the count on the run itself calls it EMG
        assert rate(slow) < MOVEMENT_MAX_ZC_PER_S
        emg = 20.0 * band_noise(rng, t.size, sfreq, 20.0, 250.0) + noise[0]
        assert rate(emg) > 5 * MOVEMENT_MAX_ZC_PER_S
    # no power above the background: no evidence either way
    assert np.isnan(excess_zero_crossings_per_s(np.array([1.0]), np.array([2.0]), np.array([2.0]), np.array([2.0]), sfreq)[0])


def test_rr_interval_with_hidden_beats():
    """Gaps spanning a beat hidden under a burst do not double the R-R estimate."""
    from myoclonus.signals.artefacts import _local_rr

    assert _local_rr(np.array([1.9, 1.94, 0.97, 0.95, 1.91])) == pytest.approx(0.96, abs=0.02)
    assert _local_rr(np.array([0.8, 0.82, 0.79])) == pytest.approx(0.8, abs=0.01)


def _strong_and_weak_ecg(sfreq: float, seed: int, weak_uv: float = 120.0, duration_s: float = 60.0, n_bursts: int = 0):
    """A rectus-like channel with a 300-uV ECG under 5 uV of tonic EMG and a neck-like channel with
    the same heart's beats at ``weak_uv`` under 24 uV of tonic EMG (and ``n_bursts`` bursts)."""
    rng = np.random.default_rng(seed)
    ecg, r_peaks = ecg_train(rng, int(duration_s * sfreq), sfreq, 1.0)
    strong = make_emg(sfreq=sfreq, seed=seed + 10, duration_s=duration_s, n_bursts=0, tonic_uv=5.0).data_uv + 300.0 * ecg
    weak = make_emg(sfreq=sfreq, seed=seed + 20, duration_s=duration_s, n_bursts=n_bursts, tonic_uv=24.0, snr=(3.0, 8.0),
                    min_gap_s=0.4).data_uv + weak_uv * ecg
    return strong, weak, r_peaks / sfreq


def _near(onsets: np.ndarray, times: np.ndarray, within_s: float = 0.1) -> int:
    return int(sum(np.min(np.abs(times - t)) <= within_s for t in onsets))


@pytest.mark.parametrize("sfreq", RATES)
def test_weak_ecg_is_removed_with_the_beats_of_a_strong_ecg_channel(sfreq):
    """A QRS of 120 uV under 24 uV of tonic EMG is too buried for the channel's own pairwise test
    (before the weak-train search: 6-11 bursts at R peaks, no beat recognised; since: a weak train,
    complete at 2048 Hz, 51 of 72 beats and 4 bursts at 5000 Hz); with a strong-ECG channel of the
    same recording its beats are subtracted at the shared R-peak times and no burst is left."""
    strong, weak, r_s = _strong_and_weak_ecg(sfreq, seed=2)
    alone = detect_bursts(weak, sfreq, ["EMG R SCM"])
    both = detect_bursts(np.vstack([strong, weak]), sfreq, ["EMG RA", "EMG R SCM"])
    assert len(both) == 0, both.events
    assert both.channel_status["EMG R SCM"].n_ecg_beats >= 0.9 * r_s.size
    assert both.channel_status["EMG RA"].n_ecg_beats >= 0.9 * r_s.size
    assert alone.channel_status["EMG R SCM"].n_ecg_beats <= both.channel_status["EMG R SCM"].n_ecg_beats
    assert len(alone) >= len(both)


@pytest.mark.parametrize("sfreq", [500.0, 5000.0])
def test_weak_train_yields_to_the_train_of_a_strong_ecg_channel(sfreq):
    """A 110-uV QRS under 24 uV of tonic EMG is found alone only as a weak train missing beats; the
    strong channel's train replaces it (when the weak train was kept as the channel's own, 1 burst
    was left at 500 and at 5000 Hz and the neck channel kept 65 / 51 of the 72 beats)."""
    strong, weak, r_s = _strong_and_weak_ecg(sfreq, seed=2, weak_uv=110.0)
    alone = detect_bursts(weak, sfreq, ["EMG R SCM"])
    assert 0 < alone.channel_status["EMG R SCM"].n_ecg_beats < 0.95 * r_s.size
    both = detect_bursts(np.vstack([strong, weak]), sfreq, ["EMG RA", "EMG R SCM"])
    assert len(both) == 0, both.events
    assert both.channel_status["EMG R SCM"].n_ecg_beats >= 0.95 * r_s.size


def test_ecg_too_weak_for_the_pairwise_test_is_found_as_a_train():
    """The simulator's seed-31 neck channel alone: a QRS of 20-35 uV (band-passed) under tonic EMG,
    single complexes correlating 0.5-0.7 with each other and < 0.8 with their neighbours' median.
    Before the weak-train search no beat was recognised and 3 QRS complexes came out as bursts."""
    sim = simulate("peripheral", minutes=0.25, seed=31, sfreq_hz=2048.0)
    emg, names = sim.emg_uv()
    channel = "EMG R SCM"
    assert channel in sim.truth.ecg_channels and not sim.truth.burst_onsets_s(channel)
    res = detect_bursts(emg[names.index(channel)], 2048.0, [channel])
    assert len(res) == 0, res.events
    r_peaks = np.asarray(sim.truth.ecg_r_peaks_s)
    beats = res.artefacts.loc[res.artefacts["kind"] == "ecg", "onset_s"].to_numpy() + art.ECG_HALF_WINDOW_S
    assert beats.size >= 0.9 * r_peaks.size
    assert np.all(np.min(np.abs(beats[:, None] - r_peaks[None, :]), axis=1) < 0.03)


def test_weak_train_tests_keep_qrs_and_drop_mains_residue_and_slow_deflections():
    """The per-beat tests of a weak train: a QRS-like wave passes; a 50-Hz residue is outside the
    QRS band; a QRS riding on a 300-uV slow deflection is a movement leak."""
    sfreq = 1000.0
    n = 20_000
    beats = np.arange(1000, n - 1000, 800)
    half = int(round(art.ECG_MATCH_HALF_S * sfreq))
    t = (np.arange(n)[:, None] - beats[None, :]) / sfreq
    qrs = 30.0 * np.sum(np.exp(-(t / 0.012) ** 2) * np.sin(2 * np.pi * 25.0 * t + 0.5), axis=1)
    mains = 30.0 * np.sin(2 * np.pi * 50.0 * np.arange(n) / sfreq)
    assert art._in_qrs_band(qrs, beats, half, sfreq).all()
    assert not art._in_qrs_band(mains, beats, half, sfreq).any()
    assert not art._slow_deflections(qrs, qrs, beats, half, sfreq).any()
    slow = qrs + 300.0 * np.sum(np.exp(-(t / 0.1) ** 2), axis=1)
    assert art._slow_deflections(qrs, slow, beats, half, sfreq).all()


def test_shared_beat_train_is_the_same_chunked_and_one_shot():
    """The shared train is formed per chunk; chunked and one-shot detection still agree (bursts,
    artefacts including the weak channel's beats, silent periods of both paths)."""
    from myoclonus.settings import ChunkSettings
    from myoclonus.signals.silent import detect_bursts_and_silent_periods, detect_silent_periods

    from test_chunking import CHUNKED, ONE_SHOT, assert_same_events

    sfreq = 1000.0
    strong, weak, r_s = _strong_and_weak_ecg(sfreq, seed=1, n_bursts=30)
    limb = make_emg(sfreq=sfreq, seed=7, duration_s=60, n_bursts=40, tonic_uv=20.0, n_silent=20, min_gap_s=0.4)
    x = np.vstack([strong, weak, limb.data_uv])
    names = ["EMG RA", "EMG R SCM", "EMG R FDI"]
    one = detect_bursts(x, sfreq, names, settings=ONE_SHOT)
    chk = detect_bursts(x, sfreq, names, settings=CHUNKED)
    assert one.channel_status["EMG R SCM"].n_ecg_beats >= 0.9 * r_s.size
    assert one.channel_status["EMG R FDI"].n_ecg_beats == 0  # no ECG there: the train is not imposed
    assert len(one.events[one.events["channel"] == "EMG R SCM"]) >= 20
    assert_same_events(one.events, chk.events)
    assert_same_events(one.artefacts, chk.artefacts)
    assert one.channel_status == chk.channel_status
    threaded = AnalysisSettings(chunks=ChunkSettings(chunk_s=7.0, n_threads=2))
    bursts, silent = detect_bursts_and_silent_periods(x, sfreq, names, settings=threaded)
    assert_same_events(bursts.events, chk.events)
    assert_same_events(silent.events, detect_silent_periods(x, sfreq, names, bursts=chk, settings=CHUNKED).events)


def test_shared_beat_train_votes_across_channels_with_their_lags():
    """Trains of three channels, one 12 ms late with a beat missing, one with a spurious beat: the
    shared train holds every beat once, at the reference's times, and not the spurious one (nor
    with four trains and a beat only one holds); a
    channel's QRS candidates that follow the train at a fixed lag give it at that lag, scattered
    candidates do not."""
    from myoclonus.signals.artefacts import beats_at_lag, shared_beat_train

    sfreq = 1000.0
    beats = np.arange(500, 30_000, 830)
    late = np.delete(beats + 12, 5)
    spurious = np.sort(np.append(beats, beats[3] + 400))
    train = shared_beat_train([late, beats, spurious], sfreq)
    np.testing.assert_array_equal(train, beats)
    # a beat held by one train of four (hidden under bursts on the others) is kept where the rhythm
    # puts it; the spurious beat of one train is not
    hidden = [np.delete(beats, 7), np.delete(beats + 12, [5, 7]), np.delete(beats, 7) - 3]
    np.testing.assert_array_equal(shared_beat_train(hidden + [spurious], sfreq), beats)
    rng = np.random.default_rng(0)
    noise = np.sort(rng.choice(30_000, 120, replace=False))
    at_lag = np.sort(np.concatenate((np.delete(beats, [2, 9]) - 7 + rng.integers(-2, 3, beats.size - 2), noise)))
    lag = beats_at_lag(train, at_lag, sfreq) - train
    assert np.all(lag == lag[0]) and -9 <= lag[0] <= -5
    assert beats_at_lag(train, noise, sfreq) is None


def _lag_hits_by_windows(reference, other, max_lag, tol):
    """The plain formulation of artefacts._lag_hits: every offset within +-max_lag starts a window
    [o, o + 2 tol]; the first holding the most distinct reference events wins (median offset)."""
    pairs = [(int(o - r), i) for i, r in enumerate(reference) for o in other if abs(int(o - r)) <= max_lag]
    if not pairs:
        return 0, 0
    offsets = sorted(p[0] for p in pairs)
    best, lag = 0, 0
    for start in offsets:
        inside = [(o, i) for o, i in pairs if start <= o <= start + 2 * tol]
        held = len({i for _, i in inside})
        if held > best:
            best, lag = held, int(np.median([o for o, _ in inside]))
    return lag, best


@settings(max_examples=150, deadline=None)
@given(n_ref=st.integers(0, 25), n_other=st.integers(0, 60), lag=st.integers(-40, 40), tol=st.integers(1, 12),
       seed=st.integers(0, 10_000))
def test_lag_hits_equals_the_window_by_window_count(n_ref, n_other, lag, tol, seed):
    rng = np.random.default_rng(seed)
    reference = np.sort(rng.choice(5000, n_ref, replace=False)).astype(np.int64)
    near = reference[rng.random(n_ref) < 0.6] + lag + rng.integers(-tol, tol + 1, 1)  # a lagged copy, partly
    other = np.unique(np.concatenate((near, rng.choice(5000, n_other)))).astype(np.int64)
    max_lag = max(3 * tol, 30)
    assert art._lag_hits(reference, other, max_lag, tol) == _lag_hits_by_windows(reference, other, max_lag, tol)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 80), n_trains=st.integers(1, 5), tol=st.integers(1, 20), seed=st.integers(0, 10_000))
def test_one_beat_per_cluster_equals_the_cluster_by_cluster_rule(n, n_trains, tol, seed):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(-200, 3000, n)).astype(np.int64)
    who = rng.integers(0, n_trains, n)
    beats, support = art._one_beat_per_cluster(t, who, n_trains, tol)
    starts = np.flatnonzero(np.concatenate(([True], np.diff(t) > tol)))
    for k, (a, b) in enumerate(zip(starts, np.append(starts[1:], n))):
        at_ref = t[a:b][who[a:b] == 0]
        assert beats[k] == (at_ref[0] if at_ref.size else int(np.median(t[a:b])))
        assert support[k] == np.unique(who[a:b]).size


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 60), min_gap=st.integers(1, 600), seed=st.integers(0, 10_000))
def test_strongest_apart_keeps_the_strongest_of_close_beats(n, min_gap, seed):
    """Highest energy first, a beat is kept when no kept beat lies closer than min_gap."""
    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 1.0, 12_000).astype(np.float32)
    beats = np.sort(rng.integers(0, y.size, n))
    got = art._strongest_apart(y, beats, 20, min_gap)
    if beats.size < 2 or np.all(np.diff(beats) >= min_gap):
        np.testing.assert_array_equal(got, beats)
        return
    energy = np.sum(art._segments(y, beats, 20) ** 2, axis=1)
    kept = []
    for i in np.argsort(-energy, kind="stable"):
        if all(abs(int(beats[i]) - int(beats[j])) >= min_gap for j in kept):
            kept.append(i)
    np.testing.assert_array_equal(got, beats[np.sort(kept)])
