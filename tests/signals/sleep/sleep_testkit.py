"""Hand-built leg-EMG signals and movement sequences for the sleep tests."""
from __future__ import annotations

import numpy as np

from myoclonus.signals.sleep.limb_movements import LegMovement


def carrier(t: np.ndarray, seed: int, band=(20.0, 80.0), n: int = 48) -> np.ndarray:
    """Unit-RMS noise-like continuous-time signal (sum of sinusoids), identical at any rate."""
    rng = np.random.default_rng(seed)
    f = rng.uniform(*band, size=n)
    p = rng.uniform(0, 2 * np.pi, size=n)
    return np.sqrt(2.0 / n) * np.sin(2 * np.pi * f[:, None] * t[None, :] + p[:, None]).sum(axis=0)


def leg_emg(duration_s: float, sfreq: float, bursts, *, rest_uv: float = 2.0, seed: int = 0) -> np.ndarray:
    """Resting EMG plus bursts ``(onset_s, duration_s, rms_uv)`` with 20 ms raised-cosine edges."""
    t = np.arange(int(round(duration_s * sfreq))) / sfreq
    x = rest_uv * carrier(t, seed)
    for k, (onset, dur, amp) in enumerate(bursts):
        ramp = min(0.02, dur / 3)
        e = np.clip(np.minimum((t - onset) / ramp, (onset + dur - t) / ramp), 0, 1)
        x += amp * 0.5 * (1 - np.cos(np.pi * e)) * carrier(t, seed + 100 + k)
    return x


def lm(onset: float, duration: float = 1.0, side: str = "left", **kw) -> LegMovement:
    """A leg movement for hand-built sequences."""
    return LegMovement(onset_s=onset, duration_s=duration, channel=f"EMG {side[0].upper()} TA",
                       sides=(side,), peak_uv=30.0, **kw)


def train(onsets, **kw) -> list[LegMovement]:
    return [lm(o, **kw) for o in onsets]
