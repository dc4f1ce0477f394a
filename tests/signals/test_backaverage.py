"""Jerk-locked back-averaging: finds a ~20 ms premyoclonic potential, bounded false positives."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from myoclonus.errors import InputError
from myoclonus.settings import OriginSettings
from myoclonus.signals.backaverage import eeg_channel_side, is_central_channel, jerk_locked_average

SFREQ = 1000.0
NAMES = ["Fz", "Cz", "Pz", "C3", "C4", "FC3", "FC4", "P3"]


def _eeg(rng: np.random.Generator, minutes: float = 2.0) -> np.ndarray:
    """Background EEG: low-passed (1/f-like) noise plus white noise, ~5 uV SD."""
    n = int(minutes * 60 * SFREQ)
    w = rng.standard_normal((len(NAMES), n))
    b, a = signal.butter(1, 5, fs=SFREQ)
    return signal.lfilter(b, a, w, axis=1) * 30 + rng.standard_normal((len(NAMES), n)) * 3


def _add_spike(eeg: np.ndarray, onsets_s: np.ndarray, channel: int, amp_uv: float) -> None:
    """Positive-negative spike, positive peak 20 ms before each onset (J Clin Neurophysiol 1992)."""
    t = np.arange(-60, 60) / SFREQ
    wave = amp_uv * np.exp(-(((t + 0.020) / 0.004) ** 2)) - amp_uv * np.exp(-(((t + 0.005) / 0.006) ** 2))
    for o in onsets_s:
        i = int(round(o * SFREQ))
        eeg[channel, i - 60 : i + 60] += wave


def test_finds_premyoclonic_potential_contralateral():
    rng = np.random.default_rng(1)
    eeg = _eeg(rng)
    onsets = np.sort(rng.uniform(1, 119, 80))
    _add_spike(eeg, onsets, NAMES.index("C3"), 4.0)
    res = jerk_locked_average(eeg, SFREQ, NAMES, onsets, muscle_side="right", trigger="R FDI")
    assert res.found, res.reason
    assert res.peak_channel == "C3"
    assert res.topography == "contralateral central"
    assert res.p_value < 0.01
    assert res.split_half_r > 0.5
    pos = res.components["positive_peak"]["latency_ms"]
    assert -25 <= pos <= -15  # positive peak ~20 ms before onset
    assert res.n_epochs == 80
    assert res.to_dict()["status"] == "found"


def test_false_positive_rate_bounded_on_null_data():
    found = 0
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        eeg = _eeg(rng)
        onsets = np.sort(rng.uniform(1, 119, 60))
        found += jerk_locked_average(eeg, SFREQ, NAMES, onsets, seed=seed).found
    assert found <= 1  # alpha 0.01: expected 0.12 of 12; 2+ would be p < 0.007


def test_not_assessable_reasons():
    rng = np.random.default_rng(2)
    eeg = _eeg(rng, minutes=0.5)
    few = jerk_locked_average(eeg, SFREQ, NAMES, np.array([1.0, 2.0, 3.0]))
    assert few.status == "not_assessable"
    assert "fewer than the 50" in few.reason
    none = jerk_locked_average(np.zeros((0, 100)), SFREQ, [], np.arange(60.0))
    assert none.status == "not_assessable" and "no EEG" in none.reason
    # a lower minimum from settings is honoured
    res = jerk_locked_average(eeg, SFREQ, NAMES, np.arange(1.0, 29.0, 0.5), settings=OriginSettings(jlba_min_epochs=10))
    assert res.status in {"found", "none_found"}


def test_artefact_epochs_rejected():
    rng = np.random.default_rng(3)
    eeg = _eeg(rng)
    onsets = np.arange(2.0, 118.0, 1.9)
    for o in onsets[:10]:
        eeg[0, int(o * SFREQ) - 30 : int(o * SFREQ)] += 500.0  # big artefact in 10 epochs
    res = jerk_locked_average(eeg, SFREQ, NAMES, onsets)
    assert res.n_rejected == 10
    assert res.n_epochs == len(onsets) - 10


def test_mismatched_names_is_clear_error():
    with pytest.raises(InputError, match="channel names"):
        jerk_locked_average(np.zeros((3, 1000)), SFREQ, ["C3"], np.arange(60.0))


@pytest.mark.parametrize(("name", "side", "central"), [("C3", "left", True), ("EEG C4-A1", "right", True), ("Cz", "midline", True), ("FC3", "left", True), ("Pz", "midline", False), ("O1", "left", False)])
def test_channel_parsing(name, side, central):
    assert eeg_channel_side(name) == side
    assert is_central_channel(name) is central


def test_duplicated_triggers_do_not_fake_significance():
    """The same lapse seen on three muscles must count once (else the surrogate test is fooled)."""
    found = 0
    for seed in range(6):
        rng = np.random.default_rng(300 + seed)
        eeg = _eeg(rng)
        onsets = np.sort(rng.choice(np.arange(1.2, 118.0, 0.5), 60, replace=False))
        tripled = np.concatenate([onsets, onsets + 0.001, onsets + 0.002])
        res = jerk_locked_average(eeg, SFREQ, NAMES, tripled, seed=seed)
        assert res.n_epochs == jerk_locked_average(eeg, SFREQ, NAMES, onsets, seed=seed).n_epochs
        found += res.found
    assert found <= 1


def test_sem_is_the_standard_error_across_epochs():
    from myoclonus.signals.backaverage import jerk_locked_average

    rng = np.random.default_rng(3)
    sfreq, n = 1000.0, 120_000
    eeg = rng.normal(0.0, 5.0, size=(2, n))
    onsets = np.arange(2.0, 118.0, 1.0)
    res = jerk_locked_average(eeg, sfreq, ["C3", "C4"], onsets)
    assert res.sem_uv.shape == res.average_uv.shape
    # white noise of SD 5 uV band-passed and averaged over n epochs: SEM well below 5 / sqrt(n) * 3
    assert 0 < np.median(res.sem_uv) < 3 * 5.0 / np.sqrt(res.n_epochs)
