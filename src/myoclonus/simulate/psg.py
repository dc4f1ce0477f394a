"""Simulated polysomnography with known leg movements, PLM series, fragmentary myoclonus and
hypnic jerks, a hypnogram, respiratory events and arousals (seeded, ground truth included).

Every EMG component is a continuous-time signal (a sum of sinusoids with random frequencies in
the surface-EMG band and random phases, drawn independently of the sampling rate) sampled at the
requested rate, so the same seed gives the same signal at 200, 256, 512 or 1000 Hz. Optional
white noise (``white_noise_uv``, band-limited to 20-90 Hz) is the only rate-dependent part.

Ground truth (``SimulatedPSG.truth``): one row per event, BIDS-style columns ``onset``,
``duration`` (s), ``trial_type`` (``limb_movement``, ``fragmentary_myoclonus``, ``hypnic_jerk``),
``side`` (``left``/``right``/``bilateral``/channel), ``plm_series`` (designed series number or 0),
``respiratory`` and ``arousal`` (bool), ``stage``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SimulatedPSG", "simulate_psg", "LEG_CHANNELS", "EMG_CHANNELS"]

LEG_CHANNELS = {"EMG L TA": "left", "EMG R TA": "right"}
EMG_CHANNELS = ["EMG Chin", "EMG L DEL", "EMG R DEL", "EMG L TA", "EMG R TA"]
EEG_CHANNEL = "EEG C3-M2"
EPOCH_S = 30.0
_N_SINES = 24
_EMG_BAND_HZ = (20.0, 80.0)  # carrier band: inside the 10-100 Hz leg-EMG filter at every rate >= 200 Hz
_RAMP_S = 0.05  # raised-cosine rise/fall of each burst


@dataclass
class SimulatedPSG:
    """A simulated PSG: ``raw`` (mne RawArray, volts, with stage/respiratory/arousal annotations),
    ``truth`` (DataFrame, see module docstring), ``stages`` (one per 30-s epoch), ``sfreq``."""

    raw: object
    truth: pd.DataFrame
    stages: tuple[str, ...]
    sfreq: float
    respiratory_events: list[tuple[float, float]] = field(default_factory=list)
    arousals: list[tuple[float, float]] = field(default_factory=list)

    def truth_of(self, trial_type: str) -> pd.DataFrame:
        return self.truth[self.truth.trial_type == trial_type].reset_index(drop=True)

    def to_edf(self, path) -> None:
        """Write the PSG as EDF+ (annotations included) with MNE's exporter."""
        import mne

        mne.export.export_raw(str(path), self.raw, fmt="edf", overwrite=True, verbose="error")


class _Carrier:
    """A noise-like continuous-time signal with unit RMS: sum of sinusoids."""

    def __init__(self, rng: np.random.Generator, band_hz=_EMG_BAND_HZ, n=_N_SINES) -> None:
        self.freqs = rng.uniform(*band_hz, size=n)
        self.phases = rng.uniform(0, 2 * np.pi, size=n)
        self.scale = np.sqrt(2.0 / n)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        out = np.zeros_like(t)
        for f, p in zip(self.freqs, self.phases):
            out += np.sin(2 * np.pi * f * t + p)
        return out * self.scale


def _hypnogram(duration_s: float) -> list[str]:
    """Wake, then NREM/REM cycles with a brief awakening and a second W->N1 transition per cycle."""
    cycle = ["W"] * 6 + ["N1"] * 4 + ["N2"] * 16 + ["N3"] * 12 + ["N2"] * 6 + ["R"] * 10 + ["N2"] * 8
    n = int(np.ceil(duration_s / EPOCH_S))
    stages = (cycle * (n // len(cycle) + 1))[:n]
    return stages


def _burst_envelope(t: np.ndarray, onset: float, duration: float) -> np.ndarray:
    """0..1 envelope: raised-cosine ramps of 50 ms (shorter for brief potentials) around a plateau."""
    ramp = min(_RAMP_S, duration / 3)
    x = np.clip((t - onset) / ramp, 0, 1)
    y = np.clip((onset + duration - t) / ramp, 0, 1)
    return 0.5 * (1 - np.cos(np.pi * np.minimum(x, y)))


def simulate_psg(duration_s: float = 3600.0, sfreq: float = 256.0, *, seed: int = 0,
                 n_series: int | None = None, isolated_lms: int | None = None,
                 rest_uv: float = 2.0, white_noise_uv: float = 0.0,
                 lm_amplitude_uv: tuple[float, float] = (15.0, 50.0),
                 respiratory: bool = True, arousals: bool = True,
                 fm_per_min: float = 0.0, hypnic_jerks: bool = True,
                 include_eeg: bool = True) -> SimulatedPSG:
    """Simulate a PSG with known sleep motor events.

    Parameters
    ----------
    duration_s, sfreq : float
        Length (s) and sampling rate (Hz).
    seed : int
        Seed; the same seed gives the same events and (rate-independent) signals.
    n_series, isolated_lms : int | None
        Designed PLM series (4-10 LMs each, IMI 15-45 s) and isolated LMs (> 100 s from any other
        LM). Default: about one series per 10 min and one isolated LM per 15 min.
    rest_uv : float
        Resting leg-EMG RMS, uV.
    white_noise_uv : float
        Extra broadband noise RMS, uV (rate-dependent realisation).
    lm_amplitude_uv : (float, float)
        Range of LM RMS amplitude, uV.
    respiratory, arousals : bool
        Add apnoeas with a respiratory-associated LM at their end, and arousals after some LMs.
    fm_per_min : float
        Fragmentary-myoclonus potentials per minute in NREM (spread over all EMG channels).
    hypnic_jerks : bool
        One multi-muscle jerk shortly after each wake -> N1 transition.
    """
    import mne

    rng = np.random.default_rng(seed)
    n_times = int(round(duration_s * sfreq))
    t = np.arange(n_times) / sfreq
    stages = _hypnogram(duration_s)
    n_ep = len(stages)

    def stage_at(x: float) -> str:
        i = int(x // EPOCH_S)
        return stages[i] if 0 <= i < n_ep else "?"

    n_series = max(1, int(duration_s // 600)) if n_series is None else n_series
    isolated_lms = max(1, int(duration_s // 900)) if isolated_lms is None else isolated_lms
    busy: list[tuple[float, float]] = []  # LM-reserved intervals (incl. 100 s guard)

    def free(a: float, b: float) -> bool:
        return a >= 5 and b <= duration_s - 5 and all(b <= x0 or a >= x1 for x0, x1 in busy)

    lms: list[dict] = []
    sleep_epochs = [i for i, s in enumerate(stages) if s in {"N2", "N3", "R"}]
    if not sleep_epochs:  # too short to reach N2: no PLM series or apnoeas
        n_series = 0
        respiratory = False
    for k in range(n_series):
        for _ in range(200):
            n = int(rng.integers(4, 11))
            imis = rng.uniform(15.0, 45.0, size=n - 1)
            start = float(rng.choice(sleep_epochs) * EPOCH_S + rng.uniform(0, EPOCH_S))
            onsets = start + np.concatenate(([0.0], np.cumsum(imis)))
            if free(start - 100, onsets[-1] + 110):
                busy.append((start - 100, onsets[-1] + 110))
                for o in onsets:
                    lms.append({"onset": float(o), "series": k + 1})
                break
    resp_events: list[tuple[float, float]] = []
    if respiratory:
        for _ in range(max(1, int(duration_s // 1800))):
            for _ in range(200):
                a0 = float(rng.choice(sleep_epochs) * EPOCH_S + rng.uniform(0, EPOCH_S))
                a1 = a0 + float(rng.uniform(12, 25))
                o = a1 + float(rng.uniform(0.5, 2.0))  # LM just after the apnoea ends
                if free(a0 - 100, o + 110):
                    busy.append((a0 - 100, o + 110))
                    resp_events.append((a0, a1))
                    lms.append({"onset": o, "series": 0, "resp": True})
                    break

    for _ in range(isolated_lms):
        for _ in range(200):
            o = float(rng.uniform(30, duration_s - 30))
            if free(o - 100, o + 110):
                busy.append((o - 100, o + 110))
                lms.append({"onset": o, "series": 0})
                break
    emg = {name: rest_uv * _Carrier(rng)(t) for name in EMG_CHANNELS}
    rows: list[dict] = []
    arousal_events: list[tuple[float, float]] = []
    for lm in sorted(lms, key=lambda d: d["onset"]):
        dur = float(rng.uniform(0.8, 5.0))
        side = str(rng.choice(["left", "right", "bilateral"], p=[0.35, 0.35, 0.3]))
        legs = ["left", "right"] if side == "bilateral" else [side]
        onset = lm["onset"]
        offset = onset + dur
        for leg in legs:
            lag = 0.0 if leg == legs[0] else float(rng.uniform(0.0, 0.3))
            leg_dur = dur - lag if len(legs) > 1 else dur
            amp = float(rng.uniform(*lm_amplitude_uv))
            carrier = _Carrier(rng)
            i0, i1 = max(0, int((onset + lag) * sfreq) - 2), min(n_times, int((onset + lag + leg_dur) * sfreq) + 2)
            seg = t[i0:i1]
            mod = 0.8 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.3, 1.0) * seg + rng.uniform(0, 6.28))
            emg[f"EMG {leg[0].upper()} TA"][i0:i1] += amp * mod * _burst_envelope(seg, onset + lag, leg_dur) * carrier(seg)
        has_arousal = bool(arousals and rng.random() < 0.3)
        if has_arousal:
            arousal_events.append((onset + 1.0, onset + 1.0 + float(rng.uniform(3.0, 8.0))))
        rows.append({"onset": onset, "duration": offset - onset, "trial_type": "limb_movement", "side": side,
                     "plm_series": lm["series"], "respiratory": bool(lm.get("resp", False)),
                     "arousal": has_arousal, "stage": stage_at(onset)})

    def add_potential(channel: str, onset: float, duration: float, peak_uv: float) -> None:
        i0, i1 = max(0, int(onset * sfreq) - 2), min(n_times, int((onset + duration) * sfreq) + 2)
        seg = t[i0:i1]
        emg[channel][i0:i1] += peak_uv / 1.6 * _burst_envelope(seg, onset, duration) * _Carrier(rng)(seg)

    lm_spans = [(r["onset"] - 1.0, r["onset"] + r["duration"] + 1.0) for r in rows]
    if hypnic_jerks:
        for i in range(n_ep - 1):
            if stages[i] == "W" and stages[i + 1] == "N1":
                onset = (i + 1) * EPOCH_S + float(rng.uniform(2.0, 20.0))
                if any(a <= onset <= b for a, b in lm_spans):
                    continue
                dur = float(rng.uniform(0.12, 0.2))
                chans = list(rng.permutation(EMG_CHANNELS))[: int(rng.integers(3, 6))]
                lags = rng.uniform(0.0, 0.04, size=len(chans))
                for ch, lag in zip(chans, lags):
                    add_potential(str(ch), onset + float(lag), dur, float(rng.uniform(100, 200)))
                rows.append({"onset": onset, "duration": dur + float(lags.max()), "trial_type": "hypnic_jerk",
                             "side": ",".join(map(str, chans)), "plm_series": 0, "respiratory": False,
                             "arousal": False, "stage": stage_at(onset)})
    if fm_per_min > 0:
        for i, s in enumerate(stages):
            if s not in {"N1", "N2", "N3"}:
                continue
            n = int(rng.poisson(fm_per_min * EPOCH_S / 60.0))
            for o in np.sort(rng.uniform(i * EPOCH_S, (i + 1) * EPOCH_S - 0.2, size=n)):
                o = float(o)
                if any(a <= o <= b for a, b in lm_spans) or o + 0.2 > duration_s:
                    continue
                ch = str(rng.choice(EMG_CHANNELS))
                dur = float(rng.uniform(0.06, 0.12))
                add_potential(ch, o, dur, float(rng.uniform(70, 150)))
                rows.append({"onset": o, "duration": dur, "trial_type": "fragmentary_myoclonus", "side": ch,
                             "plm_series": 0, "respiratory": False, "arousal": False, "stage": s})

    if white_noise_uv > 0:
        from scipy import signal

        noise_rng = np.random.default_rng(seed + 1_000_003)
        sos = signal.butter(4, [20.0, min(90.0, 0.45 * sfreq)], btype="bandpass", fs=sfreq, output="sos")
        for name in EMG_CHANNELS:
            w = signal.sosfilt(sos, noise_rng.standard_normal(n_times))
            emg[name] += white_noise_uv * w / (np.std(w) or 1.0)

    names = list(EMG_CHANNELS)
    data = [emg[n] for n in names]
    types = ["emg"] * len(names)
    if include_eeg:
        eeg_rng = np.random.default_rng(seed + 7)
        eeg = np.cumsum(eeg_rng.standard_normal(n_times)) * 0.5
        eeg = eeg - np.convolve(eeg, np.ones(int(sfreq)) / int(sfreq), mode="same")
        alpha = 10.0 * np.sin(2 * np.pi * 10 * t) * np.array([stage_at(x) == "W" for x in np.floor(t / EPOCH_S) * EPOCH_S])
        data.append(eeg + alpha)
        names.append(EEG_CHANNEL)
        types.append("eeg")
    info = mne.create_info(names, sfreq, types)
    raw = mne.io.RawArray(np.vstack(data) * 1e-6, info, verbose="error")
    onsets = [i * EPOCH_S for i in range(n_ep)]
    durs = [min(EPOCH_S, duration_s - o) for o in onsets]
    desc = [f"Sleep stage {s}" for s in stages]
    for a0, a1 in resp_events:
        onsets.append(a0), durs.append(a1 - a0), desc.append("Obstructive apnea")
    for a0, a1 in arousal_events:
        onsets.append(a0), durs.append(a1 - a0), desc.append("Arousal")
    raw.set_annotations(mne.Annotations(onsets, durs, desc))
    truth = pd.DataFrame(rows, columns=["onset", "duration", "trial_type", "side", "plm_series",
                                        "respiratory", "arousal", "stage"]).sort_values("onset").reset_index(drop=True)
    return SimulatedPSG(raw=raw, truth=truth, stages=tuple(stages), sfreq=float(sfreq),
                        respiratory_events=resp_events if respiratory else [],
                        arousals=arousal_events if arousals else [])
