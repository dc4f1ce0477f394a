"""Bereitschaftspotential: found before self-generated jerks, not on null data, says when not assessable."""
from __future__ import annotations

import numpy as np
from scipy import signal

from myoclonus.signals.bereitschaft import bereitschaftspotential, clean_onsets

SFREQ = 500.0
NAMES = ["Fz", "Cz", "C3", "C4", "FC3", "FC4", "Pz"]


def _eeg(rng, minutes=2.0):
    n = int(minutes * 60 * SFREQ)
    b, a = signal.butter(1, 5, fs=SFREQ)
    return signal.lfilter(b, a, rng.standard_normal((len(NAMES), n)), axis=1) * 30 + rng.standard_normal((len(NAMES), n)) * 3


def _onsets(rng, minutes=2.0):
    on = np.cumsum(rng.uniform(3.0, 5.0, 60))
    return on[on < minutes * 60 - 1]


def _add_bp(eeg, onsets, amp_uv=8.0, start_s=1.5):
    """Slow negative ramp from ``start_s`` before each onset at Cz/FC (Terada 1995: 0.7-2.1 s)."""
    n = int(2 * SFREQ)
    t = np.arange(-n, 0) / SFREQ
    ramp = np.where(t > -start_s, -amp_uv * (t + start_s) / start_s, 0.0)
    for o in onsets:
        i = int(round(o * SFREQ))
        for ch in ("Cz", "FC3", "FC4"):
            eeg[NAMES.index(ch), i - n : i] += ramp


def test_bp_found_with_onset():
    rng = np.random.default_rng(7)
    eeg = _eeg(rng)
    on = _onsets(rng)
    _add_bp(eeg, on)
    res = bereitschaftspotential(eeg, SFREQ, NAMES, on)
    assert res.found, res.reason
    assert res.late_amplitude_uv < -3
    assert -2.0 <= res.onset_s <= -0.7
    assert set(res.channels) == {"Cz", "FC3", "FC4", "C3", "C4"}  # Fz, Pz not in the ROI
    import matplotlib

    matplotlib.use("Agg")
    fig = res.plot()
    assert len(fig.axes[0].lines) >= 3  # average, onset line, zero line


def test_bp_false_positive_rate_bounded():
    found = 0
    for seed in range(15):
        rng = np.random.default_rng(200 + seed)
        found += bereitschaftspotential(_eeg(rng), SFREQ, NAMES, _onsets(rng)).found
    assert found <= 1


def test_bp_not_assessable_when_intervals_short():
    rng = np.random.default_rng(8)
    eeg = _eeg(rng)
    on = np.arange(1.0, 119.0, 1.0)  # 1 Hz jerks: no clean 2.5-s window
    res = bereitschaftspotential(eeg, SFREQ, NAMES, on)
    assert res.status == "not_assessable"
    assert "clean" in res.reason and "too short" in res.reason


def test_bp_not_assessable_without_roi():
    rng = np.random.default_rng(9)
    res = bereitschaftspotential(_eeg(rng)[:1], SFREQ, ["O1"], _onsets(rng))
    assert res.status == "not_assessable" and "Cz" in res.reason


def test_clean_onsets():
    assert clean_onsets(np.array([1.0, 2.0, 5.0, 10.0]), 2.5).tolist() == [1.0, 5.0, 10.0]
