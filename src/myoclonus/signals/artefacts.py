"""Artefacts in surface EMG: clipping, flat/disconnected channels, electrode pops, movement, ECG.

Each finder is local (works within baseline blocks or a few seconds around an event) so that
chunked and one-shot processing agree. Burst candidates that fall into clipped intervals, or whose
waveform is a pop, a movement deflection or a repeated QRS complex, are rejected and reported as
artefacts instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

__all__ = [
    "find_clipping",
    "flat_block_mask",
    "EcgBeats",
    "find_ecg_beats",
    "subtract_ecg",
    "is_pop",
    "is_movement",
    "FLAT_RMS_UV",
]

logger = logging.getLogger(__name__)

#: A block whose band-passed RMS is below this is "flat": surface-EMG amplifiers have an input
#: noise of roughly 1 µV RMS, so less than 0.1 µV means no electrode signal at all
#: (engineering choice).
FLAT_RMS_UV = 0.1
#: Consecutive identical samples at a block's extreme value that count as clipping
#: (engineering choice: 3 equal samples at the rail never happen in live EMG above 500 Hz).
CLIP_MIN_RUN = 3
#: Margin around a clipped run also excluded from detection: the filter rings after the edge
#: (engineering choice, ~ the settling time of the 20 Hz high-pass).
CLIP_MARGIN_S = 0.05
#: Waveform correlation above which two candidate events are the same deterministic waveform
#: (engineering choice: independent EMG interference patterns correlate < 0.5; QRS complexes of
#: one lead correlate > 0.9).
ECG_MIN_CORR = 0.8
#: Half-width of the QRS window compared between beats (QRS lasts 80-120 ms; engineering choice).
ECG_HALF_WINDOW_S = 0.05
#: Shortest and longest R-R interval accepted (200 and 30 beats per minute).
ECG_RR_RANGE_S = (0.3, 2.0)
#: Share of the burst energy in its largest 2 ms above which the burst is a single transient
#: (electrode pop), not an interference pattern (engineering choice).
POP_MAX_ENERGY_SHARE = 0.5
#: Zero crossings per second below which a "burst" is a slow deflection leaking through the
#: high-pass (movement artefact); surface EMG crosses zero 150-400 times per second
#: (engineering choice from the EMG spectrum, mean frequency 60-150 Hz).
MOVEMENT_MAX_ZC_PER_S = 60.0


def find_clipping(x: np.ndarray, block: int) -> np.ndarray:
    """Sample intervals where the raw signal sits at its block's extreme value (clipping).

    Parameters
    ----------
    x : ndarray, shape (n_times,)
        Raw signal.
    block : int
        Samples per block (the rails are each block's min and max).

    Returns
    -------
    ndarray, shape (n_intervals, 2)
        ``[start, stop)`` sample intervals.
    """
    n = x.size
    if n < CLIP_MIN_RUN:
        return np.empty((0, 2), int)
    nb = -(-n // block)
    pad = nb * block - n
    xb = np.pad(x, (0, pad), mode="edge").reshape(nb, block)
    hi = np.repeat(xb.max(axis=1), block)[:n]
    lo = np.repeat(xb.min(axis=1), block)[:n]
    spread = np.repeat((xb.max(axis=1) - xb.min(axis=1)) > 0, block)[:n]
    at_rail = ((x == hi) | (x == lo)) & spread
    same = np.concatenate(([False], x[1:] == x[:-1]))
    run = at_rail & (same | np.concatenate((same[1:], [False])))
    intervals = _runs(run)
    if intervals.size == 0:
        return intervals
    keep = (intervals[:, 1] - intervals[:, 0]) >= CLIP_MIN_RUN
    return intervals[keep]


def _runs(mask: np.ndarray) -> np.ndarray:
    """``[start, stop)`` of the True runs of a boolean array."""
    if mask.size == 0:
        return np.empty((0, 2), int)
    d = np.diff(mask.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return np.column_stack((starts, stops))


def flat_block_mask(y: np.ndarray, block: int) -> np.ndarray:
    """Per block, whether the band-passed signal is flat (RMS below :data:`FLAT_RMS_UV`)."""
    n = y.size
    nb = -(-n // block)
    if n == 0:
        return np.zeros(0, bool)
    sq = np.pad(np.asarray(y, np.float64) ** 2, (0, nb * block - n)).reshape(nb, block)
    counts = np.full(nb, block)
    counts[-1] = n - (nb - 1) * block
    rms = np.sqrt(sq.sum(axis=1) / counts)
    return rms < FLAT_RMS_UV


@dataclass(frozen=True)
class EcgBeats:
    """QRS complexes found in one EMG channel.

    Attributes
    ----------
    peaks : ndarray of int
        Sample index of each beat's largest deflection.
    half_window : int
        Half-width (samples) of the subtracted QRS window.
    """

    peaks: np.ndarray
    half_window: int


def _segments(y: np.ndarray, peaks: np.ndarray, half: int) -> np.ndarray:
    idx = peaks[:, None] + np.arange(-half, half + 1)[None, :]
    return y[np.clip(idx, 0, y.size - 1)].astype(np.float64)


def _normalise(seg: np.ndarray) -> np.ndarray:
    seg = seg - seg.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(seg, axis=1, keepdims=True)
    return seg / np.maximum(norm, 1e-12)


def find_ecg_beats(y: np.ndarray, sfreq: float, candidate_peaks: np.ndarray, n_neighbours: int = 3) -> EcgBeats:
    """Which candidate peaks are QRS complexes: the same waveform repeating at a heart rate.

    A myoclonic burst is a stochastic interference pattern of motor-unit potentials, so two bursts
    never share a waveform; a QRS complex picked up by a trunk electrode repeats almost exactly.
    A candidate is a beat when its waveform (±50 ms around the peak) correlates above
    :data:`ECG_MIN_CORR` with at least two of its ``n_neighbours`` nearest candidates on either side,
    and the interval to one of them is a plausible R-R interval.

    Parameters
    ----------
    y : ndarray
        Band-passed EMG.
    sfreq : float
    candidate_peaks : ndarray of int
        Peak samples of the candidate events, sorted.
    n_neighbours : int
        Neighbours compared on each side.
    """
    half = max(int(round(ECG_HALF_WINDOW_S * sfreq)), 2)
    peaks = np.asarray(candidate_peaks, dtype=int)
    if peaks.size < 3:
        return EcgBeats(np.empty(0, int), half)
    seg = _normalise(_segments(y, peaks, half))
    n = peaks.size
    votes = np.zeros(n, int)
    rr_ok = np.zeros(n, bool)
    lo_rr, hi_rr = (int(ECG_RR_RANGE_S[0] * sfreq), int(ECG_RR_RANGE_S[1] * sfreq))
    for k in range(1, n_neighbours + 1):
        if k >= n:
            break
        corr = np.abs(np.einsum("ij,ij->i", seg[:-k], seg[k:]))
        similar = corr > ECG_MIN_CORR
        votes[:-k] += similar
        votes[k:] += similar
        if k == 1:
            gap = np.diff(peaks)
            plausible = similar & (gap >= lo_rr) & (gap <= hi_rr)
            rr_ok[:-1] |= plausible
            rr_ok[1:] |= plausible
    is_beat = (votes >= 2) & rr_ok
    return EcgBeats(peaks[is_beat], half)


def subtract_ecg(y: np.ndarray, beats: EcgBeats, n_template: int = 4) -> np.ndarray:
    """Remove each beat by subtracting a local template (mean of up to ``n_template`` beats on
    each side, aligned on the peak) scaled by least squares. Returns a new float32 array."""
    out = np.array(y, dtype=np.float32, copy=True)
    peaks = beats.peaks
    if peaks.size == 0:
        return out
    half = beats.half_window
    seg = _segments(y, peaks, half)
    idx_all = np.arange(-half, half + 1)
    taper = np.hanning(2 * half + 1)
    for i, p in enumerate(peaks):
        lo, hi = max(i - n_template, 0), min(i + n_template + 1, peaks.size)
        others = [j for j in range(lo, hi) if j != i]
        signs = np.sign(np.einsum("ij,j->i", seg[others], seg[i]))
        signs[signs == 0] = 1
        template = np.mean(seg[others] * signs[:, None], axis=0)
        denom = float(template @ template)
        scale = float(seg[i] @ template) / denom if denom > 0 else 0.0
        idx = p + idx_all
        ok = (idx >= 0) & (idx < out.size)
        out[idx[ok]] -= (scale * template * taper)[ok].astype(np.float32)
    return out


def is_pop(y_burst: np.ndarray, sfreq: float) -> bool:
    """Whether a burst is a single sharp transient (electrode pop) rather than an EMG pattern."""
    e = np.asarray(y_burst, dtype=np.float64) ** 2
    total = e.sum()
    if total <= 0 or e.size < 4:
        return False
    w = max(int(round(0.002 * sfreq)), 1)
    top = np.convolve(e, np.ones(w), mode="valid").max()
    return bool(top / total > POP_MAX_ENERGY_SHARE and e.size > 4 * w)


def is_movement(y_burst: np.ndarray, sfreq: float) -> bool:
    """Whether a burst is a slow deflection leaking through the high-pass (movement artefact)."""
    y = np.asarray(y_burst, dtype=np.float64)
    if y.size < 8:
        return False
    zc = np.count_nonzero(np.signbit(y[1:]) != np.signbit(y[:-1]))
    rate = zc / (y.size / sfreq)
    return bool(rate < MOVEMENT_MAX_ZC_PER_S)
