"""Surface-EMG synthesis: a motor-unit-like noise carrier shaped by tonic and burst envelopes.

Surface EMG is modelled as band-limited Gaussian noise (the interference pattern of many motor
units) whose amplitude follows an envelope: tonic activity, bursts (positive myoclonus) and
silences (negative myoclonus). Amplifier noise is added separately. The spectral band, ramp
lengths and noise model are engineering choices (no threshold of the literature depends on them).
"""
from __future__ import annotations

import numpy as np
from scipy import signal

__all__ = [
    "EMG_BAND_HZ",
    "BURST_RISE_MS",
    "BURST_FALL_MS",
    "SILENCE_RAMP_MS",
    "emg_carrier",
    "add_burst",
    "apply_silence",
    "white_noise",
]

#: Surface-EMG power band (engineering choice: surface EMG carries most power at 20-250 Hz).
EMG_BAND_HZ = (20.0, 250.0)
#: Rise of a burst envelope from zero to plateau (engineering choice: motor-unit recruitment
#: at jerk onset is abrupt; a 1.5 ms ramp keeps the true onset sharp to a sample or two).
BURST_RISE_MS = 1.5
#: Fall of a burst envelope (engineering choice, at most 20% of the burst).
BURST_FALL_MS = 4.0
#: Ramp into and out of a silent period (engineering choice).
SILENCE_RAMP_MS = 3.0


def _band_sos(sfreq_hz: float, band_hz: tuple[float, float]) -> np.ndarray:
    hi = min(band_hz[1], 0.45 * sfreq_hz)
    return signal.butter(4, [band_hz[0], hi], btype="bandpass", fs=sfreq_hz, output="sos")


def emg_carrier(rng: np.random.Generator, n_times: int, sfreq_hz: float, band_hz: tuple[float, float] = EMG_BAND_HZ) -> np.ndarray:
    """Unit-RMS band-limited Gaussian noise, the interference pattern of many motor units."""
    x = signal.sosfilt(_band_sos(sfreq_hz, band_hz), rng.standard_normal(n_times + 2048))[2048:]
    return x / np.sqrt(np.mean(x**2))


def white_noise(rng: np.random.Generator, n_times: int, rms_uv: float) -> np.ndarray:
    """Broadband amplifier noise with the given RMS (microvolts)."""
    return rms_uv * rng.standard_normal(n_times)


def _ramp(n: int) -> np.ndarray:
    if n <= 0:
        return np.zeros(0)
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)


def add_burst(
    envelope: np.ndarray,
    sfreq_hz: float,
    onset_s: float,
    duration_s: float,
    rms_uv: float,
    *,
    discharge_hz: float | None = None,
) -> tuple[float, float]:
    """Add one burst envelope in place; return the (onset_s, offset_s) actually placed.

    The envelope starts at the first sample at or after ``onset_s`` with a short raised-cosine
    rise, holds ``rms_uv`` and falls off at the end. ``discharge_hz`` modulates the plateau
    with a high-frequency repetitive discharge (hemifacial spasm).
    """
    i0 = int(np.ceil(onset_s * sfreq_hz - 1e-9))
    n = max(int(round(duration_s * sfreq_hz)), 2)
    i1 = min(i0 + n, envelope.size)
    n = i1 - i0
    if n <= 1:
        return i0 / sfreq_hz, i0 / sfreq_hz
    rise = min(int(round(BURST_RISE_MS * 1e-3 * sfreq_hz)), n // 10)
    fall = min(int(round(BURST_FALL_MS * 1e-3 * sfreq_hz)), n // 5)
    shape = np.ones(n)
    shape[:rise] = _ramp(rise)
    if fall:
        shape[n - fall :] = _ramp(fall)[::-1]
    if discharge_hz is not None and sfreq_hz >= 4 * discharge_hz:
        t = np.arange(n) / sfreq_hz
        shape *= 0.3 + 1.4 * np.cos(np.pi * discharge_hz * t) ** 8
    envelope[i0:i1] += rms_uv * shape
    return i0 / sfreq_hz, (i1 - 1) / sfreq_hz


def apply_silence(tonic: np.ndarray, sfreq_hz: float, onset_s: float, offset_s: float) -> tuple[float, float]:
    """Silence the tonic envelope between onset and offset (short ramps); return the silent interval.

    The returned interval runs from the middle of the ramp down to the middle of the ramp up,
    i.e. where tonic activity is below half its level.
    """
    ramp = max(int(round(SILENCE_RAMP_MS * 1e-3 * sfreq_hz)), 1)
    i0 = int(round(onset_s * sfreq_hz))
    i1 = int(round(offset_s * sfreq_hz))
    gain = np.zeros(i1 - i0 + 2 * ramp)
    gain[:ramp] = _ramp(ramp)[::-1]
    gain[-ramp:] = _ramp(ramp)
    lo, hi = i0 - ramp, i1 + ramp
    tonic[lo:hi] *= gain[: max(0, min(hi, tonic.size) - lo)]
    return i0 / sfreq_hz, i1 / sfreq_hz
