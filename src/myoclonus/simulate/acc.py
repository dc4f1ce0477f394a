"""Accelerometer on the right hand: the movement that follows the arm and hand EMG bursts.

Each burst in an arm or hand muscle of the right side adds a damped oscillation starting one
electromechanical delay after the burst onset, scaled by the burst's RMS amplitude. The delay,
resonance and gain are engineering choices (no CRITERIA threshold depends on them).
"""
from __future__ import annotations

import numpy as np

from myoclonus.simulate.truth import TruthBurst

__all__ = ["ACC_CHANNEL", "ELECTROMECHANICAL_DELAY_MS", "hand_acceleration"]

ACC_CHANNEL = "ACC R HAND"
#: Delay from EMG onset to movement (engineering choice: tens of ms in surface recordings).
ELECTROMECHANICAL_DELAY_MS = 30.0
_MUSCLES = ("EMG R FDI", "EMG R ECR", "EMG R FCR", "EMG R BIC", "EMG R TRI", "EMG R DEL")
_RESONANCE_HZ, _DECAY_S = 8.0, 0.08  # wrist-hand mechanics (engineering choice)
_GAIN = 0.01  # m/s^2 per uV RMS per 30 ms of burst (engineering choice)
_NOISE = 0.01  # sensor noise RMS, m/s^2


def hand_acceleration(rng: np.random.Generator, n_times: int, sfreq_hz: float, bursts: list[TruthBurst]) -> np.ndarray:
    """Acceleration (m/s^2) of the right hand from the right arm/hand bursts."""
    acc = _NOISE * rng.standard_normal(n_times)
    t = np.arange(int(5 * _DECAY_S * sfreq_hz)) / sfreq_hz
    kernel = np.sin(2 * np.pi * _RESONANCE_HZ * t) * np.exp(-t / _DECAY_S)
    for b in bursts:
        if b.channel not in _MUSCLES:
            continue
        i0 = int(round((b.onset_s + ELECTROMECHANICAL_DELAY_MS * 1e-3) * sfreq_hz))
        if i0 >= n_times:
            continue
        scale = _GAIN * b.rms_uv * (b.offset_s - b.onset_s) / 0.03
        n = min(kernel.size, n_times - i0)
        acc[i0 : i0 + n] += scale * kernel[:n]
    return acc
