"""EMG conditioning: band edges, delay compensation, robust mains removal, envelopes."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from scipy.ndimage import uniform_filter1d

from myoclonus.settings import ConditioningSettings
from myoclonus.signals.conditioning import apply_filter, band_edges_hz, design_emg_filter, rectified_moving_averages

from synthetic import band_noise

COND = ConditioningSettings()


@pytest.mark.parametrize(("sfreq", "expected_high"), [(500.0, 225.0), (1000.0, 450.0), (5000.0, 450.0)])
def test_upper_band_edge_stays_below_nyquist(sfreq, expected_high):
    low, high = band_edges_hz(sfreq, COND)
    assert low == 20.0 and high == pytest.approx(expected_high)
    filt = design_emg_filter(sfreq, COND)
    _, h = signal.sosfreqz(filt.sos, worN=[100.0], fs=sfreq)
    assert abs(h[0]) > 0.9  # the EMG band passes


@pytest.mark.parametrize("sfreq", [500.0, 2048.0, 5000.0])
def test_delay_compensation_keeps_onsets_in_place(sfreq):
    """The envelope of a burst starting at a known sample rises within 2 ms of it."""
    rng = np.random.default_rng(0)
    n = int(2 * sfreq)
    onset = int(1.0 * sfreq)
    x = 0.5 * rng.standard_normal(n)
    x[onset : onset + int(0.05 * sfreq)] += 100 * band_noise(rng, int(0.05 * sfreq), sfreq)
    y = apply_filter(x, design_emg_filter(sfreq, COND))
    first = np.flatnonzero(np.abs(y) > 20)[0]
    assert abs(first - onset) / sfreq * 1000 <= 2.0


def test_robust_mains_removal_shortens_the_tail_after_a_burst():
    """A plain notch rings after a large burst for ~200 ms; the robust estimate rings ~3x less
    (measured: 20-200 ms after a 400 uV burst, SD 2.1-2.9 uV vs 6-10 uV; 1.2-1.6 uV without mains)."""
    sfreq = 2048.0
    rng = np.random.default_rng(1)
    n = int(6 * sfreq)
    t = np.arange(n) / sfreq
    line = 100 * np.sin(2 * np.pi * 50 * t)
    x = 2.0 * rng.standard_normal(n)
    a, b = int(3 * sfreq), int(3.1 * sfreq)
    x[a:b] += 400 * band_noise(rng, b - a, sfreq)
    band = design_emg_filter(sfreq, COND)
    robust = apply_filter(x + line, design_emg_filter(sfreq, COND, (50.0,)), block=int(sfreq), at_recording_start=True)
    plain_sos = np.vstack([band.sos, signal.tf2sos(*signal.iirnotch(50.0, 30.0, fs=sfreq))])
    plain = signal.sosfilt(plain_sos, x + line)
    no_mains = signal.sosfilt(band.sos, x)
    tail = slice(b + int(0.02 * sfreq), b + int(0.2 * sfreq))
    assert np.std(robust[tail]) < 0.4 * np.std(plain[tail])
    assert np.std(robust[tail]) < 2.0 * np.std(no_mains[tail])
    quiet = slice(int(1 * sfreq), int(2 * sfreq))
    assert np.std(robust[quiet]) < 1.2 * np.std(no_mains[quiet])  # the 100 uV line is gone


def test_moving_averages_match_a_centred_boxcar():
    r = np.abs(np.random.default_rng(2).standard_normal(5000))
    (m,) = rectified_moving_averages(r, 1000.0, (10.0,)).rows
    ref = uniform_filter1d(r, size=10)  # window [i - 5, i + 5)
    np.testing.assert_allclose(m[20:-20], ref[20:-20], rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_cols", [1, 2, 5, 118, 119])
def test_row_medians_are_numpy_medians(n_cols, dtype):
    from myoclonus.signals.conditioning import row_medians

    a = np.random.default_rng(n_cols).random((300, n_cols)).astype(dtype)
    got = row_medians(a)
    np.testing.assert_array_equal(got, np.median(a, axis=1))
    assert got.dtype == np.median(a, axis=1).dtype


@pytest.mark.parametrize("sfreq", (500.0, 1000.0, 2048.0, 5000.0))
def test_recording_start_has_no_filter_transient(sfreq):
    """At the recording start the band-pass warms up on the fitted line and mains continued
    backwards with only the rest mirrored: a plain mirror image reversed the slope of the mains
    sinusoid and of the drift, and the kink came out as a decaying offset of several microvolts
    (a false burst at 0 s; peak of the first 50 ms 5.6-11 x the later peak of 1 uV noise)."""
    cond = COND
    rng = np.random.default_rng(0)
    t = np.arange(int(3 * sfreq)) / sfreq
    for f0 in (50.0, 60.0):
        filt = design_emg_filter(sfreq, cond, tuple(h for h in (f0, 3 * f0) if h < 0.45 * sfreq))
        for phase in np.linspace(0, 2 * np.pi, 8, endpoint=False):
            x = (40.0 + 30.0 * t + 15.0 * np.sin(2 * np.pi * f0 * t + phase) + 5.0 * np.sin(2 * np.pi * 3 * f0 * t + 3 * phase)
                 + rng.standard_normal(t.size))
            y = apply_filter(x, filt, block=int(sfreq), at_recording_start=True)
            assert np.abs(y[: int(0.05 * sfreq)]).max() <= 1.2 * np.abs(y[int(sfreq):]).max(), (f0, phase)


@pytest.mark.parametrize("sfreq", (500.0, 1000.0, 2048.0, 5000.0))
def test_recording_start_has_no_transient_from_a_slow_wave(sfreq):
    """A slow wave that is not a line (a 2-Hz, 20-uV wave: movement, an ECG P or T wave) has a
    slope at sample 0 that the fitted line does not take up; the rest of the start is reflected
    through its level, so the slope stays continuous. A plain mirror reversed it: the peak of the
    first 50 ms was 1.3-2.0 x the later peak of 1 uV noise (0.86-1.19 x with the reflection)."""
    filt = design_emg_filter(sfreq, COND)
    rng = np.random.default_rng(0)
    t = np.arange(int(3 * sfreq)) / sfreq
    for phase in np.linspace(0, 2 * np.pi, 8, endpoint=False):
        x = 20.0 * np.sin(2 * np.pi * 2.0 * t + phase) + rng.standard_normal(t.size)
        y = apply_filter(x, filt, block=int(sfreq), at_recording_start=True)
        assert np.abs(y[: int(0.05 * sfreq)]).max() <= 1.25 * np.abs(y[int(sfreq):]).max(), phase
