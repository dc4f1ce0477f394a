"""Coherence: Rosenberg limit, beta band found with a common drive, bounded false positives."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from myoclonus.errors import InputError
from myoclonus.signals.coherence import coherence, rectified_emg, rosenberg_limit

SFREQ = 1000.0


def test_rosenberg_limit_formula():
    # 1 - alpha^(1/(L-1)); L=101 at alpha 0.05: 1 - 0.05^(0.01)
    assert rosenberg_limit(101, 0.05) == pytest.approx(1 - 0.05 ** 0.01)
    assert rosenberg_limit(1) == 1.0
    assert rosenberg_limit(200) < rosenberg_limit(50)


def _pair(rng, drive_gain, lag_samples=15, seconds=120):
    n = int(seconds * SFREQ)
    b, a = signal.butter(1, 5, fs=SFREQ)
    eeg = signal.lfilter(b, a, rng.standard_normal(n)) * 30 + rng.standard_normal(n) * 3
    drive = signal.sosfiltfilt(signal.butter(4, [15, 25], btype="band", fs=SFREQ, output="sos"), rng.standard_normal(n))
    drive /= drive.std()
    eeg = eeg + drive_gain * 3 * drive
    emg = rng.standard_normal(n) * 20 * (1 + drive_gain * 0.3 * np.roll(drive, lag_samples))
    return eeg, rectified_emg(emg, SFREQ)


def test_beta_coherence_found_with_delay():
    eeg, emg = _pair(np.random.default_rng(1), drive_gain=1.0)
    res = coherence(eeg, emg, SFREQ, names=("C3", "R FDI"), alpha=0.01)
    assert res.significant
    assert 14 <= res.peak_hz <= 26
    assert res.delay_ms is not None and 5 < res.delay_ms < 25  # EEG leads by 15 ms
    assert res.n_segments == int(120 / 0.512)
    assert res.to_dict()["pair"] == ["C3", "R FDI"]


def test_false_positive_rate_bounded():
    hits = sum(coherence(*_pair(np.random.default_rng(50 + s), 0.0), SFREQ, alpha=0.01).significant for s in range(20))
    assert hits <= 1


def test_short_signal_is_clear_error():
    with pytest.raises(InputError, match="fewer than 2 segments"):
        coherence(np.zeros(100), np.zeros(100), SFREQ)
    with pytest.raises(InputError, match="equal length"):
        coherence(np.zeros(100), np.zeros(90), SFREQ)


def test_batched_welch_equals_scipy():
    from myoclonus.signals.coherence import _welch_spectra

    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(10_000), rng.standard_normal(10_000)
    nper = 512
    kw = dict(fs=SFREQ, window="hann", nperseg=nper, noverlap=0, detrend="constant")
    n_seg = x.size // nper
    f, pxy, pxx, pyy = _welch_spectra(x, y, SFREQ, nper, n_seg)
    f2, pxy2 = signal.csd(x[: n_seg * nper], y[: n_seg * nper], **kw)
    _, pxx2 = signal.welch(x[: n_seg * nper], **kw)
    np.testing.assert_allclose(f, f2)
    np.testing.assert_allclose(pxy, pxy2, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(pxx, pxx2, rtol=1e-10, atol=1e-14)
    res = coherence(x, y, SFREQ, segment_s=nper / SFREQ)
    _, coh2 = signal.coherence(x[: n_seg * nper], y[: n_seg * nper], **kw)
    np.testing.assert_allclose(res.coherence, coh2, rtol=1e-9)
