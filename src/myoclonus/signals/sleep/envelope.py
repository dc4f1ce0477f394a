"""Leg-EMG amplitude in microvolts and its resting level, defined in seconds (not samples).

Every window is a duration converted to samples with the channel's own sampling rate, so the
same movement gives the same onset and offset at 200, 256, 512 or 1000 Hz (psgscoring once
converted window indices with a fixed 0.1 s and drifted by minutes over a night).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage, signal

__all__ = ["LEG_EMG_BAND_HZ", "condition_leg_emg", "rms_envelope", "resting_level", "samples"]

LEG_EMG_BAND_HZ = (10.0, 100.0)  # AASM v2.5 recommended leg-EMG filter settings, 10-100 Hz
NYQUIST_FRACTION = 0.45  # upper band edge clipped to 0.45 x sfreq (engineering choice, as conditioning)
REST_BLOCK_S = 1.0  # resting level: 1-s block medians ... (engineering choice)
REST_WINDOW_S = 60.0  # ... whose 10th percentile over a sliding 60 s is "resting EMG" (engineering choice;
REST_PERCENTILE = 10.0  # a PLM series keeps the leg active < 50% of the time, so the 10th percentile is rest)


def samples(duration_s: float, sfreq: float) -> int:
    """Number of samples in ``duration_s`` at ``sfreq`` (at least 1)."""
    return max(1, int(round(duration_s * sfreq)))


def condition_leg_emg(data_uv: np.ndarray, sfreq: float) -> np.ndarray:
    """Band-pass leg EMG (10-100 Hz, AASM; upper edge clipped below Nyquist), zero phase.

    Parameters
    ----------
    data_uv : ndarray, shape (n_times,)
        Raw EMG in microvolts.
    sfreq : float
        Sampling rate in Hz.
    """
    x = np.asarray(data_uv, dtype=float)  # no offset removal needed: sosfiltfilt pads by odd extension
    high_hz = min(LEG_EMG_BAND_HZ[1], NYQUIST_FRACTION * sfreq)
    if x.size < 30 or high_hz <= LEG_EMG_BAND_HZ[0]:
        return x
    sos = signal.butter(4, [LEG_EMG_BAND_HZ[0], high_hz], btype="bandpass", fs=sfreq, output="sos")
    padlen = min(3 * 2 * len(sos), x.size - 1)
    return signal.sosfiltfilt(sos, x, padlen=padlen)


def _moving_rms(x: np.ndarray, sfreq: float, window_s: float) -> np.ndarray:
    length = max(window_s * sfreq, 1.0)
    half = int(np.floor((length - 1.0) / 2.0))
    core = 2 * half + 1
    edge = (length - core) / 2.0
    x2 = np.square(x)
    total = ndimage.uniform_filter1d(x2, size=core, mode="nearest") * core
    if edge > 0 and x2.size:
        padded = np.pad(x2, half + 1, mode="edge")
        total = total + edge * (padded[: x2.size] + padded[2 * half + 2:])
    return np.sqrt(np.maximum(total / length, 0.0))


def rms_envelope(filtered_uv: np.ndarray, sfreq: float, window_s: float) -> np.ndarray:
    """Centred moving RMS over exactly ``window_s`` seconds (same length as the input, microvolts).

    The window is centred on each sample and lasts ``window_s * sfreq`` samples exactly: a full
    odd-length core plus the two outermost samples weighted by the fractional remainder. Rounding
    the window to whole samples instead would make it up to one sample longer or shorter at some
    sampling rates (and an even window would shift every onset by half a sample): rate-dependent bias.

    The square of a signal band-limited to ``f`` Hz reaches ``2 f``; below ``4 f`` samples per
    second its mean would alias, so the signal is first up-sampled by an integer factor
    (polyphase, exact at the original samples' positions) and the envelope read back at the
    original samples.
    """
    x = np.asarray(filtered_uv, dtype=float)
    high_hz = min(LEG_EMG_BAND_HZ[1], NYQUIST_FRACTION * sfreq)
    factor = int(np.floor(4.0 * high_hz / sfreq)) + 1 if 4.0 * high_hz >= sfreq else 1
    if factor == 1 or x.size < 2:
        return _moving_rms(x, sfreq, window_s)
    up = signal.resample_poly(x, factor, 1)
    return _moving_rms(up, sfreq * factor, window_s)[::factor][: x.size]


def resting_level(envelope_uv: np.ndarray, sfreq: float) -> np.ndarray:
    """Resting EMG level per sample: sliding low percentile of 1-s block medians.

    Returns an array of the envelope's length, in microvolts.
    """
    n = envelope_uv.size
    if n == 0:
        return envelope_uv.copy()
    block = samples(REST_BLOCK_S, sfreq)
    n_full = n // block
    medians = np.median(envelope_uv[: n_full * block].reshape(n_full, block), axis=1)
    if n_full * block < n:  # last, partial block
        medians = np.append(medians, np.median(envelope_uv[n_full * block:]))
    size = max(1, int(round(REST_WINDOW_S / REST_BLOCK_S)))
    rest_blocks = ndimage.percentile_filter(medians, REST_PERCENTILE, size=size, mode="nearest")
    return np.repeat(rest_blocks, block)[:n]
