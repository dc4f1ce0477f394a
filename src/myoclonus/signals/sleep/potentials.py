"""Brief EMG potentials (tens to hundreds of ms) on any EMG channel: the raw material of
fragmentary myoclonus and hypnic jerks.

A potential is a run of the 20 ms RMS envelope >= 8 uV above resting EMG (gaps < 20 ms bridged),
whose peak rectified amplitude reaches ``min_peak_uv``. Durations are measured on the envelope.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.envelope import condition_leg_emg, resting_level, rms_envelope, samples

__all__ = ["Potential", "detect_potentials"]

POTENTIAL_ENVELOPE_S = 0.02  # RMS window for brief potentials (engineering choice: < 1/3 of 75 ms)
POTENTIAL_BRIDGE_S = 0.02  # envelope dips shorter than this inside one potential are bridged (engineering choice)


@dataclass(frozen=True)
class Potential:
    """One brief EMG potential on one channel (onset and duration in s, peak in uV)."""

    onset_s: float
    duration_s: float
    channel: str
    peak_uv: float

    @property
    def offset_s(self) -> float:
        return self.onset_s + self.duration_s


def detect_potentials(data_uv: np.ndarray, sfreq: float, *, channel: str, max_duration_s: float,
                      min_peak_uv: float = R.FM_MIN_AMPLITUDE_UV) -> list[Potential]:
    """Brief potentials on one EMG channel, at most ``max_duration_s`` long.

    Parameters
    ----------
    data_uv : ndarray
        Raw EMG in microvolts.
    sfreq : float
        Sampling rate, Hz.
    channel : str
        Channel name.
    max_duration_s : float
        Longest potential kept (longer activity is a movement, not a potential).
    min_peak_uv : float
        Lowest peak of the rectified, filtered EMG (default 50 uV, FMI50).
    """
    filtered = condition_leg_emg(data_uv, sfreq)
    env = rms_envelope(filtered, sfreq, POTENTIAL_ENVELOPE_S)
    active = (env - resting_level(env, sfreq)) >= R.LM_ONSET_ABOVE_REST_UV
    padded = np.concatenate(([False], active, [False])).astype(np.int8)
    diff = np.diff(padded)
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1)
    if starts.size == 0:
        return []
    bridge = samples(POTENTIAL_BRIDGE_S, sfreq)
    keep = np.concatenate(([True], (starts[1:] - ends[:-1]) >= bridge))
    starts = starts[keep]
    ends = np.concatenate((ends[np.flatnonzero(keep)[1:] - 1], [ends[-1]]))
    out = []
    rectified = np.abs(filtered)
    for s, e in zip(starts, ends):
        duration = (e - s) / sfreq
        if duration > max_duration_s:
            continue
        peak = float(rectified[s:e].max())
        if peak >= min_peak_uv:
            out.append(Potential(onset_s=s / sfreq, duration_s=duration, channel=channel, peak_uv=peak))
    return out
