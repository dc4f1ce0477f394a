"""Confounders of real polymyography, each switchable and on by default at realistic levels.

Levels are engineering choices (no literature threshold depends on them) picked to resemble
clinical surface EMG: they are what a detector must survive, not physiology.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import signal

from myoclonus.simulate.muscles import ECG_LEAD_CHANNEL, channel_info
from myoclonus.simulate.truth import TruthArtefact, TruthBurst, TruthSilentPeriod

__all__ = [
    "Confounders",
    "TRUNK_MUSCLES",
    "ecg_train",
    "ecg_waveform",
    "ecg_lead",
    "ECG_LEAD_CHANNEL",
    "mains_wave",
    "baseline_drift",
    "movement_shape",
    "pop_shape",
    "place_interval",
    "add_confounders",
]

#: Muscles where ECG is picked up (trunk and neck; CONTRACTS: SCM, PSP, RA, INT).
TRUNK_MUSCLES = ("SCM", "PSP", "RA", "INT", "TRAP")
#: R wave of the simulated ECG lead in uV: limb-lead R waves are about 0.5-2 mV (textbook ECG);
#: 1 mV is an engineering choice within that range.
ECG_LEAD_R_UV = 1000.0


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
    return ecg_waveform(beats, n_times, sfreq_hz), np.asarray([b for b in beats if b < t[-1]])


def ecg_waveform(r_peaks_s, n_times: int, sfreq_hz: float) -> np.ndarray:
    """Unit-R-peak ECG with its R peaks at ``r_peaks_s`` (s): the waveform of :func:`ecg_train`
    (e.g. an ECG lead carrying the beats of a simulation's ``truth.ecg_r_peaks_s``)."""
    t = np.arange(n_times) / sfreq_hz
    x = np.zeros(n_times)
    # (offset s, width s, amplitude) of P, Q, R, S, T (engineering choice, McSharry-like shape)
    waves = ((-0.2, 0.025, 0.12), (-0.03, 0.008, -0.15), (0.0, 0.009, 1.0), (0.03, 0.009, -0.25), (0.3, 0.05, 0.3))
    half = int(0.5 * sfreq_hz)
    for b in r_peaks_s:
        c = int(round(b * sfreq_hz))
        lo, hi = max(c - half, 0), min(c + half, n_times)
        if hi <= lo:
            continue
        tt = t[lo:hi] - b
        x[lo:hi] += sum(a * np.exp(-0.5 * ((tt - o) / w) ** 2) for o, w, a in waves)
    return x


def ecg_lead(rng: np.random.Generator, r_peaks_s, n_times: int, sfreq_hz: float, conf: Confounders,
             mains_hz: float | None) -> np.ndarray:
    """A dedicated ECG lead in uV: the heart's beats at ``r_peaks_s`` with an R wave of
    :data:`ECG_LEAD_R_UV`, amplifier noise, and, when switched on, baseline drift (50-200 uV:
    respiration and electrode potentials) and mains (2-15 uV, as on the EMG channels)."""
    x = ECG_LEAD_R_UV * ecg_waveform(r_peaks_s, n_times, sfreq_hz)
    x += conf.noise_floor_uv * rng.standard_normal(n_times)
    if conf.drift:
        x += baseline_drift(rng, n_times, sfreq_hz, float(rng.uniform(50.0, 200.0)))
    if conf.mains and mains_hz:
        x += float(rng.uniform(2.0, 15.0)) * mains_wave(rng, n_times, sfreq_hz, mains_hz)
    return x


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


def add_confounders(conf: Confounders, rng: np.random.Generator, emg: np.ndarray, eeg: np.ndarray, emg_names: list[str],
                     sfreq_hz: float, duration_s: float, bursts: list[TruthBurst], silent: list[TruthSilentPeriod]) -> dict:
    """Add the switched-on confounders in place; return mains/ECG facts and artefact intervals."""
    n_times = emg.shape[1]
    minutes = duration_s / 60.0
    out: dict = {"mains_hz": None, "heart_rate_bpm": None, "ecg_channels": [], "ecg_r_peaks_s": [], "artefacts": []}
    # one independent stream per confounder: switching one off never changes the others
    r_drift, r_mains, r_ecg, r_move, r_pop, r_sat = rng.spawn(6)
    mains_hz = conf.mains_hz or float(r_mains.choice([50.0, 60.0]))
    hr = float(r_ecg.uniform(55.0, 95.0))
    events: dict[str, list[tuple[float, float]]] = {}
    for b in bursts:
        events.setdefault(b.channel, []).append((b.onset_s, b.offset_s))
    for s in silent:
        events.setdefault(s.channel, []).append((s.onset_s, s.offset_s))
    taken: dict[str, list[tuple[float, float]]] = {}

    def free(chans: list[str], margin: float = 0.3):
        def check(a: float, b: float) -> bool:
            for c in chans:
                for x, y in events.get(c, []) + taken.get(c, []):
                    if a - margin < y and b + margin > x:
                        return False
            return True
        return check

    def mark(chans: list[str], a: float, b: float, kind: str) -> None:
        for c in chans:
            taken.setdefault(c, []).append((a, b))
            out["artefacts"].append(TruthArtefact(channel=c, onset_s=round(a, 6), offset_s=round(b, 6), kind=kind))  # type: ignore[arg-type]

    if conf.drift:
        for i in range(emg.shape[0]):
            emg[i] += baseline_drift(r_drift, n_times, sfreq_hz, float(r_drift.uniform(20.0, 100.0)))
        for i in range(eeg.shape[0]):
            eeg[i] += baseline_drift(r_drift, n_times, sfreq_hz, float(r_drift.uniform(10.0, 40.0)))
    if conf.mains:
        wave = mains_wave(r_mains, n_times, sfreq_hz, mains_hz)
        for i in range(emg.shape[0]):
            emg[i] += float(r_mains.uniform(2.0, 15.0)) * wave
        for i in range(eeg.shape[0]):
            eeg[i] += float(r_mains.uniform(1.0, 5.0)) * wave
        out["mains_hz"] = mains_hz
    if conf.ecg:
        trunk = [c for c in emg_names if channel_info(c).muscle in TRUNK_MUSCLES]
        if trunk:
            ecg, peaks = ecg_train(r_ecg, n_times, sfreq_hz, hr)
            out["ecg_r_peaks_s"] = [round(float(x), 6) for x in peaks]
            for c in trunk:
                amp = float(r_ecg.uniform(30.0, 150.0)) if channel_info(c).muscle in ("SCM", "TRAP") else float(r_ecg.uniform(80.0, 400.0))
                emg[emg_names.index(c)] += amp * ecg
            out["heart_rate_bpm"] = round(hr, 3)
            out["ecg_channels"] = trunk
    if conf.movement:
        for _ in range(max(1, int(r_move.poisson(2.0 * minutes)))):
            length = float(r_move.uniform(0.5, 2.0))
            k = int(r_move.integers(2, min(4, len(emg_names)) + 1))
            first = int(r_move.integers(0, len(emg_names) - k + 1))
            chans = emg_names[first : first + k]
            a = place_interval(r_move, duration_s, length, free(chans))
            if a is None:
                continue
            i0, n = int(round(a * sfreq_hz)), int(round(length * sfreq_hz))
            shape = movement_shape(r_move, n, sfreq_hz)
            for c in chans:
                emg[emg_names.index(c), i0 : i0 + n] += float(r_move.uniform(200.0, 1500.0)) * r_move.choice([-1.0, 1.0]) * shape
            mark(chans, a, a + length, "movement")
    if conf.pops:
        for _ in range(max(1, int(r_pop.poisson(1.5 * minutes)))):
            tau = float(r_pop.uniform(0.1, 0.5))
            c = emg_names[int(r_pop.integers(len(emg_names)))]
            a = place_interval(r_pop, duration_s, 5 * tau, free([c]))
            if a is None:
                continue
            i0, n = int(round(a * sfreq_hz)), int(round(5 * tau * sfreq_hz))
            emg[emg_names.index(c), i0 : i0 + n] += float(r_pop.uniform(300.0, 3000.0)) * r_pop.choice([-1.0, 1.0]) * pop_shape(n, sfreq_hz, tau)
            mark([c], a, a + 5 * tau, "electrode_pop")
    if conf.saturation:
        for _ in range(max(1, int(r_sat.poisson(1.0 * minutes)))):
            length = float(r_sat.uniform(0.3, 1.5))
            c = emg_names[int(r_sat.integers(len(emg_names)))]
            a = place_interval(r_sat, duration_s, length, free([c]))
            if a is None:
                continue
            i = emg_names.index(c)
            rail = 1.05 * float(np.max(np.abs(emg[i])))
            i0, n = int(round(a * sfreq_hz)), int(round(length * sfreq_hz))
            emg[i, i0 : i0 + n] = rail * r_sat.choice([-1.0, 1.0])
            mark([c], a, a + length, "saturation")
    out["artefacts"] = sorted(out["artefacts"], key=lambda x: (x.onset_s, x.channel))
    return out
