"""Measure events back from simulated signals (independently of the simulator's own code).

A plain envelope detector for *clean* data (confounders off, so no drift or mains to remove):
rectify, 3-ms centred moving average, fixed threshold in microvolts, short gaps merged. No
filter on purpose: a zero-phase filter would smear large bursts backwards by several ms.
"""
from __future__ import annotations

import numpy as np


def envelope(x_uv: np.ndarray, sfreq: float, smooth_ms: float = 3.0) -> np.ndarray:
    y = np.abs(x_uv - np.median(x_uv))
    n = max(int(round(smooth_ms * 1e-3 * sfreq)), 1)
    return np.convolve(y, np.ones(n) / n, mode="same")


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1


def envelope_bursts(x_uv: np.ndarray, sfreq: float, threshold_uv: float = 12.0, merge_ms: float = 12.0,
                    min_ms: float = 4.0) -> list[tuple[float, float]]:
    """(onset_s, offset_s) of every stretch where the envelope exceeds ``threshold_uv``."""
    env = envelope(x_uv, sfreq)
    on, off = runs(env > threshold_uv)
    out: list[list[int]] = []
    for a, b in zip(on, off):
        if out and a - out[-1][1] <= merge_ms * 1e-3 * sfreq:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a / sfreq, b / sfreq) for a, b in out if (b - a) >= min_ms * 1e-3 * sfreq]


def match(measured: list[tuple[float, float]], truth_onsets: list[float], tol_s: float = 0.01) -> dict[float, tuple[float, float]]:
    """Map each true onset to the measured burst whose onset is nearest within ``tol_s``."""
    out = {}
    ons = np.asarray([m[0] for m in measured])
    for t in truth_onsets:
        if ons.size == 0:
            break
        i = int(np.argmin(np.abs(ons - t)))
        if abs(ons[i] - t) <= tol_s:
            out[t] = measured[i]
    return out
