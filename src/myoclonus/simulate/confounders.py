"""Confounders of real polymyography, each switchable and on by default at realistic levels.

Levels are engineering choices (no literature threshold depends on them) picked to resemble
clinical surface EMG: they are what a detector must survive, not physiology.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import signal

__all__ = [
    "Confounders",
    "TRUNK_MUSCLES",
    "ecg_train",
    "mains_wave",
    "baseline_drift",
    "movement_shape",
    "pop_shape",
    "place_interval",
]

#: Muscles where ECG is picked up (trunk and neck; CONTRACTS: SCM, PSP, RA, INT).
TRUNK_MUSCLES = ("SCM", "PSP", "RA", "INT", "TRAP")


class Confounders(BaseModel):
    """Which confounders to add and how strong (defaults: all on, realistic levels).

    ``Confounders.off()`` gives clean data (amplifier noise only) for self-consistency checks.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    noise_floor_uv: float = Field(2.0, ge=0, description="Amplifier noise RMS in uV (engineering choice: 1-5 uV RMS is usual for surface EMG).")
    tonic: bool = Field(True, description="Low-level tonic activity (3-10 uV RMS, slowly varying) in some muscles.")
    ecg: bool = Field(True, description="ECG (R wave 50-400 uV) in trunk muscles (SCM, PSP, RA, INT, TRAP).")
    mains: bool = Field(True, description="Mains interference at 50 or 60 Hz (random per seed) plus 3rd harmonic, 2-15 uV.")
    mains_hz: float | None = Field(None, description="Force the mains frequency (50 or 60); None draws it from the seed.")
    movement: bool = Field(True, description="Slow large deflections (200-1500 uV, 0.5-2 s) on a few channels, ~2 per minute.")
    pops: bool = Field(True, description="Electrode pops: a step of 300-3000 uV decaying over 0.1-0.5 s, ~1.5 per minute.")
    saturation: bool = Field(True, description="Amplifier saturation: a channel clipped at its rail for 0.3-1.5 s, ~1 per minute.")
    drift: bool = Field(True, description="Baseline drift below 0.3 Hz, 20-100 uV on EMG, 10-40 uV on EEG.")
    amplitude_spread: bool = Field(True, description="Burst amplitudes spread log-uniformly down to min_burst_snr x background RMS.")
    min_burst_snr: float = Field(4.0, gt=0, description="Weakest burst RMS as a multiple of the channel's background RMS when amplitude_spread is on.")

    @classmethod
    def off(cls, noise_floor_uv: float = 1.0) -> Confounders:
        """No confounder at all; amplifier noise only (clean data for self-consistency tests)."""
        return cls(noise_floor_uv=noise_floor_uv, tonic=False, ecg=False, mains=False, movement=False, pops=False,
                   saturation=False, drift=False, amplitude_spread=False)


def ecg_train(rng: np.random.Generator, n_times: int, sfreq_hz: float, heart_rate_bpm: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit-R-peak ECG (sum of Gaussian P, Q, R, S, T waves per beat) and the R-peak times (s)."""
    t = np.arange(n_times) / sfreq_hz
    rr = 60.0 / heart_rate_bpm
    beats = []
    tb = float(rng.uniform(0.1, rr))
    while tb < t[-1] + 0.5:
        beats.append(tb)
        tb += rr * (1.0 + 0.03 * rng.standard_normal())
    x = np.zeros(n_times)
    # (offset s, width s, amplitude) of P, Q, R, S, T (engineering choice, McSharry-like shape)
    waves = ((-0.2, 0.025, 0.12), (-0.03, 0.008, -0.15), (0.0, 0.009, 1.0), (0.03, 0.009, -0.25), (0.3, 0.05, 0.3))
    half = int(0.5 * sfreq_hz)
    for b in beats:
        c = int(round(b * sfreq_hz))
        lo, hi = max(c - half, 0), min(c + half, n_times)
        if hi <= lo:
            continue
        tt = t[lo:hi] - b
        x[lo:hi] += sum(a * np.exp(-0.5 * ((tt - o) / w) ** 2) for o, w, a in waves)
    return x, np.asarray([b for b in beats if b < t[-1]])


def mains_wave(rng: np.random.Generator, n_times: int, sfreq_hz: float, mains_hz: float) -> np.ndarray:
    """Unit-amplitude mains interference with a 30% third harmonic (below Nyquist only)."""
    t = np.arange(n_times) / sfreq_hz
    phase = rng.uniform(0, 2 * np.pi)
    x = np.sin(2 * np.pi * mains_hz * t + phase)
    if 3 * mains_hz < 0.5 * sfreq_hz:
        x += 0.3 * np.sin(2 * np.pi * 3 * mains_hz * t + 3 * phase)
    return x


def baseline_drift(rng: np.random.Generator, n_times: int, sfreq_hz: float, amplitude_uv: float) -> np.ndarray:
    """Slow wander below 0.3 Hz with the given peak amplitude."""
    t = np.arange(n_times) / sfreq_hz
    x = np.zeros(n_times)
    for _ in range(3):
        x += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * rng.uniform(0.02, 0.3) * t + rng.uniform(0, 2 * np.pi))
    return amplitude_uv * x / max(np.max(np.abs(x)), 1e-12)


def movement_shape(rng: np.random.Generator, n: int, sfreq_hz: float) -> np.ndarray:
    """A slow deflection of unit peak lasting ``n`` samples (one or two lobes, 1-4 Hz content)."""
    t = np.arange(n) / sfreq_hz
    lobes = int(rng.integers(1, 3))
    x = np.sin(np.pi * lobes * t / t[-1]) if n > 1 else np.zeros(n)
    lp = signal.butter(2, min(8.0, 0.45 * sfreq_hz), fs=sfreq_hz, output="sos")
    x = x + 0.15 * signal.sosfilt(lp, rng.standard_normal(n)) * np.sin(np.pi * t / max(t[-1], 1e-9))
    return x / max(np.max(np.abs(x)), 1e-12)


def pop_shape(n: int, sfreq_hz: float, tau_s: float) -> np.ndarray:
    """Electrode pop: an abrupt step decaying exponentially."""
    return np.exp(-np.arange(n) / (tau_s * sfreq_hz))


def place_interval(rng: np.random.Generator, duration_s: float, length_s: float,
                   is_free: Callable[[float, float], bool], tries: int = 200) -> float | None:
    """Random start of an interval of ``length_s`` for which ``is_free(start, stop)`` holds."""
    for _ in range(tries):
        start = float(rng.uniform(0.5, duration_s - length_s - 0.5))
        if start > 0 and is_free(start, start + length_s):
            return start
    return None
