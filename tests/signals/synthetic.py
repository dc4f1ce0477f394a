"""Small seeded synthetic surface-EMG fixtures with exact ground truth (for detector tests).

The signals are built from band-limited Gaussian noise (the interference pattern of many motor
units), so a burst is a stretch of louder noise with a known onset and offset; confounders are
added on top: tonic background, mains at 50 or 60 Hz with harmonics, ECG, movement deflections,
electrode pops and clipping. Everything is reproducible from the seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

__all__ = ["SyntheticEmg", "make_emg", "ecg_train", "band_noise", "make_polymyography"]


def band_noise(rng: np.random.Generator, n: int, sfreq: float, low: float = 30.0, high: float = 300.0) -> np.ndarray:
    """Unit-RMS Gaussian noise band-limited to the motor-unit spectrum."""
    high = min(high, 0.4 * sfreq)
    sos = signal.butter(2, [low, high], btype="bandpass", fs=sfreq, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal(n + 2000))[2000:]
    return x / np.std(x)


def ecg_train(rng: np.random.Generator, n: int, sfreq: float, amp_uv: float, hr_bpm: float = 72.0) -> tuple[np.ndarray, np.ndarray]:
    """QRS + T complexes at a heart rate with 5 % beat-to-beat variability; returns (signal, R samples)."""
    t = np.arange(-0.3, 0.5, 1 / sfreq)
    qrs = -0.15 * np.exp(-((t + 0.025) / 0.008) ** 2) + 1.0 * np.exp(-(t / 0.01) ** 2) - 0.25 * np.exp(-((t - 0.03) / 0.01) ** 2)
    twave = 0.25 * np.exp(-((t - 0.28) / 0.05) ** 2)
    beat = amp_uv * (qrs + twave)
    out = np.zeros(n)
    rs = []
    pos = rng.uniform(0.2, 0.8)
    while True:
        r = int(pos * sfreq)
        if r >= n:
            break
        rs.append(r)
        i0 = r + int(round(t[0] * sfreq))
        a, b = max(i0, 0), min(i0 + beat.size, n)
        out[a:b] += beat[a - i0 : b - i0]
        pos += 60.0 / hr_bpm * rng.uniform(0.95, 1.05)
    return out, np.asarray(rs, int)


@dataclass
class SyntheticEmg:
    """One synthetic EMG channel with its truth."""

    data_uv: np.ndarray
    sfreq: float
    onsets_s: np.ndarray
    offsets_s: np.ndarray
    silent_onsets_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    silent_offsets_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    artefact_intervals_s: list[tuple[float, float]] = field(default_factory=list)


def _place(rng, duration_s, n, dur_ms, min_gap_s, margin_s=0.3):
    """Non-overlapping event onsets (s) and durations (s)."""
    onsets, durs = [], []
    tries = 0
    while len(onsets) < n and tries < 100 * n:
        tries += 1
        d = rng.uniform(*dur_ms) / 1000.0
        t = rng.uniform(margin_s, duration_s - margin_s - d)
        if all(t + d + min_gap_s < o or t > o + od + min_gap_s for o, od in zip(onsets, durs)):
            onsets.append(t)
            durs.append(d)
    order = np.argsort(onsets)
    return np.asarray(onsets)[order], np.asarray(durs)[order]


def make_emg(*, sfreq: float = 2048.0, duration_s: float = 20.0, seed: int = 0, n_bursts: int = 20,
             dur_ms: tuple[float, float] = (20.0, 150.0), snr: tuple[float, float] = (8.0, 40.0),
             noise_uv: float = 3.0, tonic_uv: float = 0.0, mains_hz: float | None = None, mains_uv: float = 50.0,
             ecg_uv: float = 0.0, n_silent: int = 0, silent_ms: tuple[float, float] = (60.0, 250.0),
             movement: int = 0, pops: int = 0, clip_at_uv: float | None = None, min_gap_s: float = 0.15) -> SyntheticEmg:
    """One EMG channel with bursts (RMS = snr x background RMS, background = noise and tonic
    activity) and optional confounders."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sfreq))
    x = noise_uv * rng.standard_normal(n)  # amplifier noise, white
    onsets, durs = _place(rng, duration_s, n_bursts + n_silent, dur_ms, min_gap_s)
    # split events into bursts and silent periods at random
    is_silent = np.zeros(onsets.size, bool)
    if n_silent:
        is_silent[rng.choice(onsets.size, size=min(n_silent, onsets.size), replace=False)] = True
    gain = np.zeros(n)
    amp_env = np.ones(n)
    background_uv = float(np.hypot(noise_uv, tonic_uv))  # SNR is relative to the whole background
    s_on, s_off = [], []
    for o, d, sil in zip(onsets, durs, is_silent):
        a, b = int(round(o * sfreq)), int(round((o + d) * sfreq))
        if sil:
            d = rng.uniform(*silent_ms) / 1000.0
            b = int(round((o + d) * sfreq))
            amp_env[a:b] = 0.0
            s_on.append(a / sfreq)
            s_off.append(b / sfreq)
        else:
            gain[a:b] = rng.uniform(*snr) * background_uv
    burst_sig = band_noise(rng, n, sfreq) * gain
    if tonic_uv:
        x += tonic_uv * band_noise(rng, n, sfreq) * amp_env
    x += burst_sig
    b_on = np.array([o for o, s in zip(onsets, is_silent) if not s])
    b_off = np.array([int(round((o + d) * sfreq)) / sfreq for o, d, s in zip(onsets, durs, is_silent) if not s])
    b_on = np.round(b_on * sfreq) / sfreq
    t = np.arange(n) / sfreq
    if mains_hz:
        for k, rel in ((1, 1.0), (3, 0.3), (5, 0.1)):
            if k * mains_hz < sfreq / 2:
                x += mains_uv * rel * np.sin(2 * np.pi * k * mains_hz * t + rng.uniform(0, 2 * np.pi))
    artefacts = []
    if ecg_uv:
        x += ecg_train(rng, n, sfreq, ecg_uv, hr_bpm=rng.uniform(55, 95))[0]
    for _ in range(movement):
        c = rng.uniform(1, duration_s - 1)
        w = rng.uniform(0.2, 0.6)
        seg = (t > c) & (t < c + w)
        x[seg] += rng.choice([-1, 1]) * rng.uniform(500, 2000) * np.sin(np.pi * (t[seg] - c) / w)
        artefacts.append((c, c + w))
    for _ in range(pops):
        c = rng.uniform(1, duration_s - 1)
        seg = t >= c
        x[seg] += rng.choice([-1, 1]) * rng.uniform(500, 3000) * np.exp(-(t[seg] - c) / 0.3)
        artefacts.append((c, c + 0.05))
    if clip_at_uv is not None:
        x = np.clip(x, -clip_at_uv, clip_at_uv)
    return SyntheticEmg(x, sfreq, b_on, b_off, np.asarray(s_on), np.asarray(s_off), artefacts)


def make_polymyography(*, sfreq: float = 2048.0, duration_s: float = 30.0, seed: int = 0, n_jerks: int = 25,
                       muscles: tuple[str, ...] = ("EMG R SCM", "EMG R DEL", "EMG R BIC", "EMG R FDI"),
                       latencies_ms: tuple[float, ...] = (0.0, 8.0, 12.0, 20.0), dur_ms: tuple[float, float] = (25.0, 45.0),
                       jitter_ms: float = 1.0, noise_uv: float = 3.0, snr: float = 25.0) -> tuple[np.ndarray, list[str], np.ndarray, dict]:
    """Several EMG channels with jerks recruited in a fixed order.

    Returns (data (n_ch, n), ch_names, jerk_onsets_s, per-channel truth onsets dict).
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * sfreq))
    jerk_on, _ = _place(rng, duration_s, n_jerks, (200.0, 200.0), 0.3, margin_s=0.5)
    data = noise_uv * rng.standard_normal((len(muscles), n))
    truth: dict[str, list[float]] = {m: [] for m in muscles}
    for i, (m, lat) in enumerate(zip(muscles, latencies_ms)):
        gain = np.zeros(n)
        for j in jerk_on:
            o = j + (lat + rng.normal(0, jitter_ms)) / 1000.0
            d = rng.uniform(*dur_ms) / 1000.0
            a, b = int(round(o * sfreq)), int(round((o + d) * sfreq))
            gain[a:b] = snr * noise_uv
            truth[m].append(a / sfreq)
        data[i] += band_noise(rng, n, sfreq) * gain
    return data, list(muscles), jerk_on, {m: np.asarray(v) for m, v in truth.items()}
