"""EEG synthesis: background rhythm plus the cortical events of each origin.

Waveforms (all engineering choices for shape; timings and amplitudes that matter clinically come
from CRITERIA.md and are passed in by the recipes):

- premyoclonic spike: positive-negative biphasic spike, positive peak at the event time
  (~20 ms before hand EMG onset; J Clin Neurophysiol 1992;9:495, CRITERIA 1.1);
- Bereitschaftspotential: slow negativity from 1-2 s before the jerk, steeper in its late part
  (Terada 1995; CRITERIA 1.5), back to baseline within 300 ms after;
- polyspike-wave: three spikes 50 ms apart then a slow wave (generalized discharge, CRITERIA 1.1);
- SEP: N20 / P25 / N33 peaks (giant SEP criteria, CRITERIA 1.3);
- negative-myoclonus spike: sharp biphasic spike (ENM, Rubboli 2006, CRITERIA 1.6).
"""
from __future__ import annotations

import numpy as np
from scipy import signal

__all__ = ["EEG_BACKGROUND_UV", "eeg_background", "band_noise", "event_waveform", "add_event"]

#: Background EEG RMS per channel (engineering choice: awake adult EEG of 10-20 uV RMS).
EEG_BACKGROUND_UV = 12.0
_ALPHA_UV = 6.0  # posterior alpha share (engineering choice)


def band_noise(rng: np.random.Generator, n_times: int, sfreq_hz: float, band_hz: tuple[float, float]) -> np.ndarray:
    """Unit-RMS Gaussian noise limited to ``band_hz``."""
    sos = signal.butter(4, [band_hz[0], min(band_hz[1], 0.45 * sfreq_hz)], btype="bandpass", fs=sfreq_hz, output="sos")
    pad = int(2 * sfreq_hz)
    x = signal.sosfilt(sos, rng.standard_normal(n_times + pad))[pad:]
    return x / np.sqrt(np.mean(x**2))


def _pink(rng: np.random.Generator, n_times: int, sfreq_hz: float) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n_times))
    f = np.fft.rfftfreq(n_times, 1.0 / sfreq_hz)
    f[0] = f[1]
    spec /= np.sqrt(f)
    spec[f < 0.5] *= f[f < 0.5] / 0.5  # little power below 0.5 Hz (high-pass of the amplifier)
    spec[f > 70.0] = 0.0  # EEG band (engineering choice)
    x = np.fft.irfft(spec, n_times)
    return x / np.sqrt(np.mean(x**2))


def eeg_background(rng: np.random.Generator, n_times: int, sfreq_hz: float, channels: list[str]) -> np.ndarray:
    """Background EEG (microvolts): 1/f activity per channel plus a shared posterior alpha rhythm."""
    alpha = band_noise(rng, n_times, sfreq_hz, (8.5, 11.5))
    out = np.empty((len(channels), n_times))
    for i, ch in enumerate(channels):
        posterior = 1.0 if ch.startswith("P") else (0.5 if ch.startswith("C") else 0.25)
        out[i] = EEG_BACKGROUND_UV * _pink(rng, n_times, sfreq_hz) + _ALPHA_UV * posterior * alpha
    return out


def _gauss(t_ms: np.ndarray, mu_ms: float, sd_ms: float) -> np.ndarray:
    return np.exp(-0.5 * ((t_ms - mu_ms) / sd_ms) ** 2)


def event_waveform(kind: str, sfreq_hz: float, amplitude_uv: float, lead_ms: float = 0.0) -> tuple[np.ndarray, float]:
    """Waveform of an EEG event and the time (ms) of its first sample relative to the event time.

    ``amplitude_uv`` is the signed peak of the main component; ``lead_ms`` is the BP duration.
    """
    if kind in ("premyoclonic_spike", "negative_myoclonus_spike"):
        start, stop = -20.0, 50.0
        t = np.arange(start, stop, 1e3 / sfreq_hz)
        w = amplitude_uv * (_gauss(t, 0.0, 4.0) - 1.2 * _gauss(t, 12.0, 6.0))
    elif kind == "bereitschaftspotential":
        start, stop = -lead_ms, 600.0
        t = np.arange(start, stop, 1e3 / sfreq_hz)
        w = np.zeros_like(t)
        early = (t < -400.0)
        # early BP: slow linear negativity to 40% of the peak; late BP: steeper to the peak
        w[early] = 0.4 * (t[early] - start) / max(-400.0 - start, 1.0)
        late = (t >= -400.0) & (t < 0.0)
        w[late] = 0.4 + 0.6 * (t[late] + 400.0) / 400.0
        after = t >= 0.0
        w[after] = np.exp(-t[after] / 100.0)
        w *= amplitude_uv
    elif kind == "polyspike_wave":
        start, stop = -10.0, 500.0
        t = np.arange(start, stop, 1e3 / sfreq_hz)
        w = sum(_gauss(t, 50.0 * k, 7.0) for k in range(3)) - 0.5 * _gauss(t, 280.0, 70.0)
        w = amplitude_uv * w
    elif kind == "sep":
        start, stop = 0.0, 80.0
        t = np.arange(start, stop, 1e3 / sfreq_hz)
        # N20 normal, P25 and N33 giant (scaled from the P25 amplitude passed in)
        a = amplitude_uv / 14.0
        w = a * (-2.5 * _gauss(t, 20.0, 1.8) + 14.0 * _gauss(t, 25.0, 2.2) - 13.0 * _gauss(t, 33.0, 3.5))
    else:
        raise ValueError(f"unknown EEG event kind {kind!r}")
    return w, start


def add_event(eeg: np.ndarray, channels: list[str], sfreq_hz: float, time_s: float, kind: str,
              weights: dict[str, float], amplitude_uv: float, lead_ms: float = 0.0) -> None:
    """Add an event waveform (in place) on the weighted channels, aligned on ``time_s``."""
    w, start_ms = event_waveform(kind, sfreq_hz, amplitude_uv, lead_ms)
    i0 = int(round((time_s + start_ms * 1e-3) * sfreq_hz))
    lo, hi = max(i0, 0), min(i0 + w.size, eeg.shape[1])
    if hi <= lo:
        return
    for ch, g in weights.items():
        if ch in channels:
            eeg[channels.index(ch), lo:hi] += g * w[lo - i0 : hi - i0]
