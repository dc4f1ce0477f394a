"""detect_silent_periods: silences in tonic EMG (CRITERIA 1.6) against exact synthetic truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from myoclonus.errors import InputError
from myoclonus.signals.bursts import BURST_COLUMNS, BurstResults
from myoclonus.signals.results import ChannelStatus
from myoclonus.settings import AnalysisSettings, ChunkSettings
from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.silent import SILENT_COLUMNS, detect_bursts_and_silent_periods, detect_silent_periods

from synthetic import band_noise, make_emg

RATES = (500.0, 1000.0, 2048.0, 5000.0)


@pytest.mark.parametrize("sfreq", RATES)
@pytest.mark.parametrize("kwargs", [dict(tonic_uv=20.0), dict(tonic_uv=20.0, mains_hz=60.0)], ids=["tonic", "tonic_mains"])
def test_silent_period_f1(sfreq, kwargs):
    sim = make_emg(sfreq=sfreq, seed=4, duration_s=40, n_bursts=15, n_silent=25, min_gap_s=0.4, **kwargs)
    res = detect_silent_periods(sim.data_uv, sfreq, ["EMG R ECR"])
    score = res.compare_detection(sim.silent_onsets_s)
    assert score["f1"] >= 0.9, score
    assert score["median_onset_error_ms"] <= 5.0, score
    assert list(res.summary().columns) == SILENT_COLUMNS
    # durations within the 50-300 ms rule
    assert res.events["duration_ms"].between(50, 300).all()


@pytest.mark.parametrize("sfreq", (1000.0, 2048.0))
def test_silent_period_with_ecg_and_mains(sfreq):
    sim = make_emg(sfreq=sfreq, seed=4, duration_s=40, n_bursts=15, n_silent=25, min_gap_s=0.4, tonic_uv=20.0,
                   ecg_uv=200.0, mains_hz=50.0)
    score = detect_silent_periods(sim.data_uv, sfreq, ["EMG RA"]).compare_detection(sim.silent_onsets_s)
    assert score["f1"] >= 0.9, score


def test_no_silent_period_without_tonic_activity():
    sim = make_emg(sfreq=2048.0, seed=4, duration_s=30, n_bursts=15, n_silent=0, tonic_uv=0.0)
    assert len(detect_silent_periods(sim.data_uv, 2048.0, ["X"])) == 0


def test_silence_preceded_by_a_burst_is_not_negative_myoclonus():
    """A lapse right after a positive burst is a post-burst silence, not negative myoclonus (Rubboli 2006)."""
    sfreq = 2000.0
    rng = np.random.default_rng(1)
    n = int(20 * sfreq)
    gain = np.full(n, 20.0)
    truth = []
    for k, t in enumerate(np.arange(2.0, 18.0, 1.6)):
        a = int(t * sfreq)
        gain[a : a + int(0.12 * sfreq)] = 0.0  # 120 ms silence
        if k % 2 == 0:  # every other silence follows a burst ending 20 ms before it
            gain[a - int(0.06 * sfreq) : a - int(0.02 * sfreq)] = 300.0
        else:
            truth.append(t)
    x = band_noise(rng, n, sfreq) * gain + 2.0 * rng.standard_normal(n)
    res = detect_silent_periods(x, sfreq, ["EMG R FDI"])
    score = res.compare_detection(np.asarray(truth))
    assert score["tp"] == len(truth) and score["fp"] == 0, (score, res.events)


def test_given_bursts_are_used():
    sim = make_emg(sfreq=2048.0, seed=4, duration_s=30, n_bursts=0, n_silent=15, min_gap_s=0.4, tonic_uv=20.0)
    # a fake burst ending just before every silence suppresses all of them
    rows = [("X", None, None, on - 0.04, on - 0.01, 30.0, 100.0, 1.0, on - 0.03) for on in sim.silent_onsets_s]
    fake = BurstResults(events=pd.DataFrame(rows, columns=BURST_COLUMNS), sfreq=2048.0, channel_status={"X": ChannelStatus("X")})
    assert len(detect_silent_periods(sim.data_uv, 2048.0, ["X"])) >= 13
    assert len(detect_silent_periods(sim.data_uv, 2048.0, ["X"], bursts=fake)) == 0


def test_nan_error_and_annotations():
    sim = make_emg(sfreq=1000.0, seed=4, duration_s=20, n_bursts=0, n_silent=8, min_gap_s=0.4, tonic_uv=20.0)
    ann = detect_silent_periods(sim.data_uv, 1000.0, ["EMG L TA"]).to_annotations()
    assert set(ann.description) == {"myoclonus/silent_period"} and len(ann) >= 6
    x = sim.data_uv.copy()
    x[500] = np.nan
    with pytest.raises(InputError, match="channel 'EMG L TA'"):
        detect_silent_periods(x, 1000.0, ["EMG L TA"])


@pytest.mark.parametrize("sfreq", (1000.0, 5000.0))
def test_negative_myoclonus_on_the_project_simulator(sfreq):
    simulate = pytest.importorskip("myoclonus.simulate").simulate
    sim = simulate("cortical", minutes=0.5, seed=2, sfreq_hz=sfreq, negative=True)
    res = detect_silent_periods(sim.raw)
    tp = fp = fn = 0
    for ch in res.channels:
        score = res.compare_detection([p.onset_s for p in sim.truth.silent_periods_on(ch)], channel=ch)
        tp, fp, fn = tp + score["tp"], fp + score["fp"], fn + score["fn"]
    assert tp >= 20
    assert 2 * tp / (2 * tp + fp + fn) >= 0.9, (tp, fp, fn)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_one_pass_equals_bursts_then_silent_periods_across_chunks(n_threads):
    """The single conditioning pass gives what the two detectors give one after the other, with
    many chunks (silences and bursts fall on chunk edges) and channels in threads."""
    sims = [make_emg(sfreq=1000.0, seed=s, duration_s=120, n_bursts=60, n_silent=60, min_gap_s=0.3, tonic_uv=20.0)
            for s in (5, 6)]
    data = np.vstack([sim.data_uv for sim in sims])
    settings = AnalysisSettings(chunks=ChunkSettings(chunk_s=20.0, overlap_s=5.0, n_threads=n_threads))
    names = ["EMG R ECR", "EMG L ECR"]
    bursts, silent = detect_bursts_and_silent_periods(data, 1000.0, names, settings=settings)
    separate_bursts = detect_bursts(data, 1000.0, names, settings=settings)
    separate_silent = detect_silent_periods(data, 1000.0, names, bursts=separate_bursts, settings=settings)
    pd.testing.assert_frame_equal(bursts.events, separate_bursts.events)
    pd.testing.assert_frame_equal(silent.events, separate_silent.events)
    assert len(silent) >= 100 and len(bursts) >= 100
    for sim, name in zip(sims, names):
        mine = silent.events[silent.events["channel"] == name]
        score = silent.__class__(events=mine, sfreq=1000.0).compare_detection(sim.silent_onsets_s)
        assert score["f1"] >= 0.9, score


@pytest.mark.parametrize("block, step", [(2048, 8), (1000, 5), (999, 3)])
def test_block_median_levels_equal_numpy_median(block, step):
    """The sort-based block medians are np.median's values exactly (even and odd block sizes)."""
    from scipy.ndimage import median_filter

    from myoclonus.signals.silent import _median_level

    env = np.random.default_rng(block).random(12 * block + 77).astype(np.float32)
    sub, b = env[::step], block // step
    full = sub.size // b
    ref = [np.median(sub[i * b:(i + 1) * b]) for i in range(full)] + [np.median(sub[full * b:])]
    ref = median_filter(np.asarray(ref, np.float32), size=5, mode="nearest")
    np.testing.assert_array_equal(_median_level(env, block, step), ref)
