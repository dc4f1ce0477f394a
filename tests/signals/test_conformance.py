"""The conformance battery applied to every signal detector."""
from __future__ import annotations

import numpy as np
import pytest

from myoclonus.signals.bursts import detect_bursts
from myoclonus.signals.silent import detect_silent_periods

from conformance import check_detector
from synthetic import band_noise, make_emg


def burst_signal(sfreq, seed, at_start, at_end):
    sim = make_emg(sfreq=sfreq, seed=seed, duration_s=30, n_bursts=12)
    x, truth = sim.data_uv.copy(), list(sim.onsets_s)
    rng = np.random.default_rng(seed)
    w = int(0.06 * sfreq)
    if at_start:
        x[:w] += 60 * band_noise(rng, w, sfreq)
        truth.append(0.0)
    if at_end:
        x[-w:] += 60 * band_noise(rng, w, sfreq)
        truth.append((x.size - w) / sfreq)
    return x, np.sort(truth)


def silent_signal(sfreq, seed, at_start, at_end):
    sim = make_emg(sfreq=sfreq, seed=seed, duration_s=30, n_bursts=4, n_silent=12, min_gap_s=0.4, tonic_uv=20.0)
    x = sim.data_uv.copy()
    rng = np.random.default_rng(seed)
    w = int(0.1 * sfreq)
    if at_start:  # silence at the very start: no tonic activity before it, so not negative myoclonus
        x[:w] = 3.0 * rng.standard_normal(w)
    if at_end:
        x[-w:] = 3.0 * rng.standard_normal(w)
    return x, sim.silent_onsets_s


def test_detect_bursts_conforms():
    check_detector(detect_bursts, burst_signal)


def test_detect_silent_periods_conforms():
    check_detector(detect_silent_periods, silent_signal, edge_events=False)


@pytest.mark.parametrize("detect", [detect_bursts, detect_silent_periods])
def test_results_share_the_yasa_api(detect):
    x, _ = burst_signal(1000.0, 1, False, False)
    res = detect(x, 1000.0, ["EMG R FDI"])
    assert set(res.summary(grp_chan=True).columns) >= {"channel", "count", "median_duration_ms", "iqr_duration_ms"}
    assert set(res.compare_detection([]).keys()) == {"tp", "fp", "fn", "precision", "recall", "f1", "median_onset_error_ms"}
    epochs, times = res.get_sync_events(x, time_before_s=0.05, time_after_s=0.1)
    assert epochs.shape[1:] == (1, times.size)
