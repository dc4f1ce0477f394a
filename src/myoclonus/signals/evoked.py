"""Stimulus-locked responses: SEP components (giant SEP), C-reflex, startle / blink latencies.

All three start from stimulus onsets (a STIM/TRIG channel or annotation markers).

- **SEP**: median-nerve SEP N20, P25 and N33 over the central / centro-parietal electrodes; giant SEP
  judged by every published definition (CRITERIA 1.3), the strictest one deciding.
- **C-reflex**: the long-latency reflex in hand muscles after median-nerve stimulation; about 40 ms in
  cortical reflex myoclonus, whereas the normal long-latency reflex in FDI starts at about 49-51 ms
  (Podivinsky 1989) (CRITERIA 1.1).
- **Stimulus -> burst latencies**: per muscle, the first burst after each stimulus; startle order
  (orbicularis oculi, then SCM as the first "true" startle muscle, Brown et al. Brain 1991) and the
  SCM onset against the strict (< 83 ms, J Physiol 2007;584:97) and lenient (< 120 ms, StartReact,
  Front Hum Neurosci 2025) cut-offs; functional jerks have variable latencies usually > 100 ms
  (Thompson et al., Mov Disord 1992;7:257; Pal 2011).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import signal

from myoclonus.settings import OriginSettings
from myoclonus.signals.backaverage import _eeg_token, epoch_indices, extract_epochs

__all__ = [
    "SEPResult",
    "somatosensory_evoked_potential",
    "CReflexResult",
    "c_reflex",
    "StimulusResponseResult",
    "stimulus_responses",
    "GIANT_SEP_RULES",
    "HAND_MUSCLES",
]

#: Hand muscles in which the C-reflex is measured (CRITERIA 1.1: "about 40 ms in hand muscles").
HAND_MUSCLES = ("FDI", "APB", "ADM")

#: Every giant-SEP definition of CRITERIA 1.3: (id, component, threshold uV, source).
#: Components are peak-to-peak from the preceding peak: P25 = N20-P25, N33 = P25-N33.
GIANT_SEP_RULES: tuple[tuple[str, str, float, str], ...] = (
    ("shibasaki_p25", "P25", 8.6, "Shibasaki et al., Brain 1985, via Latorre et al. 2023: P25 > 8.6 uV"),
    ("shibasaki_n33", "N33", 8.4, "Shibasaki et al., Brain 1985, via Latorre et al. 2023: N33 > 8.4 uV"),
    ("teaching_10uv", "N33", 10.0, "Teaching rule (nasafordoctors.co.za): P25-N30/N33 > 10 uV"),
    ("demura_giant_conditions", "P25", 10.0, "Demura et al., J Clin Neurophysiol 2022: N20-P25 normal mean + 3 SD = 10.0 uV (earlobe reference, 1 Hz, 1 Hz-1 kHz)"),
    ("demura_routine_conditions", "P25", 7.8, "Demura et al. 2022: N20-P25 mean + 3 SD = 7.8 uV under routine SSEP conditions (Fz reference, 5 Hz, 20 Hz-3 kHz)"),
)

#: Strictest threshold per component (CRITERIA 7: sources disagree, use the stricter rule).
STRICT_GIANT_UV = {"P25": 10.0, "N33": 10.0}

_SEP_CHANNELS = {"C", "CP", "P", "FC"}


@dataclass
class SEPResult:
    """Median-nerve SEP components and the giant-SEP verdicts.

    Attributes
    ----------
    status : {"measured", "not_assessable"}
    reason : str
    channel : str | None
        Electrode with the largest P25-N33 complex.
    n_stimuli : int
    latencies_ms, amplitudes_uv : dict
        N20, P25, N33 peak latency and baseline-to-peak amplitude.
    p25_uv, n33_uv : float | None
        N20-P25 and P25-N33 peak-to-peak amplitudes.
    noise_uv : float | None
        Peak-to-peak of the plus-minus (alternating-sign) average in the component window: the
        residual noise the components must exceed.
    giant : bool | None
        Verdict of the strictest rule (10 uV for P25 and N33) when reliable above noise.
    rules : list of dict
        Verdict of every definition, for display.
    conditions : dict
        Recording conditions (rate, stimulation rate, filters) needed to read the thresholds.
    """

    status: str
    reason: str
    channel: str | None = None
    n_stimuli: int = 0
    latencies_ms: dict = field(default_factory=dict)
    amplitudes_uv: dict = field(default_factory=dict)
    p25_uv: float | None = None
    n33_uv: float | None = None
    noise_uv: float | None = None
    giant: bool | None = None
    rules: list = field(default_factory=list)
    conditions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        r = lambda x: None if x is None else round(float(x), 2)  # noqa: E731
        return {
            "status": self.status, "reason": self.reason, "channel": self.channel,
            "n_stimuli": self.n_stimuli,
            "latencies_ms": {k: r(v) for k, v in self.latencies_ms.items()},
            "amplitudes_uv": {k: r(v) for k, v in self.amplitudes_uv.items()},
            "n20_p25_uv": r(self.p25_uv), "p25_n33_uv": r(self.n33_uv), "noise_uv": r(self.noise_uv),
            "giant": self.giant, "rule_used": "strictest: P25 (N20-P25) > 10 uV or N33 (P25-N33) > 10 uV",
            "rules": self.rules, "conditions": self.conditions,
        }


def _peak(wave: np.ndarray, times_ms: np.ndarray, lo: float, hi: float, sign: int) -> tuple[float, float] | None:
    sel = (times_ms >= lo) & (times_ms <= hi)
    if not sel.any():
        return None
    seg = wave[sel] * sign
    k = int(np.argmax(seg))
    return float(times_ms[sel][k]), float(wave[sel][k])


def somatosensory_evoked_potential(
    eeg_uv: np.ndarray,
    sfreq: float,
    ch_names: list[str],
    stimuli_s: np.ndarray,
    *,
    settings: OriginSettings | None = None,
    min_stimuli: int = 10,
) -> SEPResult:
    """Average the EEG after median-nerve stimuli and measure N20, P25, N33.

    Parameters
    ----------
    eeg_uv : ndarray, shape (n_channels, n_times)
    sfreq : float
    ch_names : list of str
    stimuli_s : ndarray
        Stimulus onsets in seconds.
    settings : OriginSettings | None
        ``sep_window_ms``.
    min_stimuli : int
        Fewest stimuli to average (engineering choice: 10; clinical SEPs average hundreds).

    Returns
    -------
    SEPResult

    Notes
    -----
    Baseline -20..-5 ms. Peaks: N20 most negative in 15-25 ms, P25 most positive from N20 to 35 ms,
    N33 most negative from P25 to 45 ms (latency windows: engineering choice around the named
    latencies). Giant SEP is decided by the strictest threshold (10 uV), and only when the complex
    also exceeds twice the plus-minus-average noise; every definition's verdict is listed.

    References
    ----------
    Shibasaki H et al., Brain 1985 (via Latorre et al. 2023). Demura et al., J Clin Neurophysiol 2022.
    """
    s = settings or OriginSettings()
    stim = np.sort(np.asarray(stimuli_s, dtype=float))
    res = SEPResult("not_assessable", "", n_stimuli=int(stim.size))
    if np.asarray(eeg_uv).ndim != 2 or np.asarray(eeg_uv).shape[0] == 0:
        res.reason = "no EEG channel in the recording"
        return res
    picks = [i for i, n in enumerate(ch_names) if (_eeg_token(n) or ("", ""))[0] in _SEP_CHANNELS]
    if not picks:
        res.reason = "no central or parietal EEG electrode for the SEP"
        return res
    window = (s.sep_window_ms[0] / 1e3, s.sep_window_ms[1] / 1e3)
    idx, _ = epoch_indices(stim, sfreq, window, np.asarray(eeg_uv).shape[1])
    if idx.shape[0] < min_stimuli:
        res.reason = f"{idx.shape[0]} stimuli, fewer than {min_stimuli} needed to average an SEP"
        return res
    data = np.asarray(eeg_uv)[picks]
    high = min(1000.0, 0.45 * sfreq)
    sos = signal.butter(2, [1.0, high], btype="bandpass", fs=sfreq, output="sos")
    data = signal.sosfiltfilt(sos, data, axis=-1)
    epochs = extract_epochs(data, idx)
    times_ms = (np.arange(idx.shape[1]) + int(round(window[0] * sfreq))) / sfreq * 1e3
    base = (times_ms >= -20) & (times_ms <= -5)
    epochs = epochs - epochs[:, :, base].mean(axis=2, keepdims=True)
    avg = epochs.mean(axis=0)
    sign = np.where(np.arange(epochs.shape[0]) % 2 == 0, 1.0, -1.0)
    plus_minus = (epochs * sign[:, None, None]).mean(axis=0)
    best = None
    for k, ch in enumerate(picks):
        n20 = _peak(avg[k], times_ms, 15, 25, -1)
        if n20 is None:
            continue
        p25 = _peak(avg[k], times_ms, n20[0], 35, +1)
        n33 = _peak(avg[k], times_ms, p25[0], 45, -1) if p25 else None
        if p25 is None or n33 is None:
            continue
        size = p25[1] - n33[1]
        if best is None or size > best[0]:
            best = (size, k, ch, n20, p25, n33)
    if best is None:
        res.reason = "no N20/P25/N33 peaks in the SEP window"
        return res
    _, k, ch, n20, p25, n33 = best
    comp = (times_ms >= 15) & (times_ms <= 45)
    noise = float(np.ptp(plus_minus[k][comp]))
    res.status = "measured"
    res.channel = ch_names[ch]
    res.latencies_ms = {"N20": n20[0], "P25": p25[0], "N33": n33[0]}
    res.amplitudes_uv = {"N20": n20[1], "P25": p25[1], "N33": n33[1]}
    res.p25_uv = p25[1] - n20[1]
    res.n33_uv = p25[1] - n33[1]
    res.noise_uv = noise
    values = {"P25": res.p25_uv, "N33": res.n33_uv}
    res.rules = [
        {"id": rid, "component": c, "threshold_uv": thr, "value_uv": round(values[c], 2), "exceeded": bool(values[c] > thr), "source": src}
        for rid, c, thr, src in GIANT_SEP_RULES
    ]
    reliable = max(values.values()) > 2 * noise
    strict = any(values[c] > thr for c, thr in STRICT_GIANT_UV.items())
    res.giant = bool(strict and reliable)
    isi = np.diff(stim)
    res.conditions = {
        "sfreq_hz": float(sfreq),
        "n_stimuli_averaged": int(idx.shape[0]),
        "stimulation_rate_hz": round(float(1 / np.median(isi)), 2) if isi.size else None,
        "filter_hz": [1.0, high],
        "reference": "as recorded (not known to the software); thresholds depend on montage, filters and rate (Demura 2022)",
    }
    verdict = "giant" if res.giant else ("not giant" if reliable else "not reliable above noise")
    res.reason = (
        f"N20-P25 {res.p25_uv:.1f} uV, P25-N33 {res.n33_uv:.1f} uV at {res.channel} "
        f"({idx.shape[0]} stimuli, noise {noise:.1f} uV): {verdict} by the strictest rule (> 10 uV)"
    )
    return res


@dataclass
class CReflexResult:
    """Long-latency (C-) reflex in one hand muscle after median-nerve stimuli.

    Attributes
    ----------
    channel : str
    status : {"present", "absent", "not_assessable"}
    latency_ms : float | None
        Onset of the averaged rectified EMG response in ``c_reflex_window_ms``.
    enhanced : bool | None
        Onset earlier than the normal long-latency reflex (< 49 ms, Podivinsky 1989) - the
        cortical C-reflex (~40 ms).
    """

    channel: str
    status: str
    reason: str
    n_stimuli: int = 0
    latency_ms: float | None = None
    amplitude_uv: float | None = None
    enhanced: bool | None = None
    reference: str = "cortical C-reflex ~40 ms in hand muscles (CRITERIA 1.1, secondary); normal long-latency reflex in FDI 49-51 ms (Podivinsky 1989)"

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        r = lambda x: None if x is None else round(float(x), 1)  # noqa: E731
        return {"channel": self.channel, "status": self.status, "reason": self.reason,
                "n_stimuli": self.n_stimuli, "latency_ms": r(self.latency_ms),
                "amplitude_uv": r(self.amplitude_uv), "enhanced": self.enhanced, "reference": self.reference}


#: Normal long-latency reflex onset in FDI (Podivinsky 1989, CRITERIA 1.1).
NORMAL_LLR_ONSET_MS = 49.0


def c_reflex(
    emg_rectified_uv: np.ndarray,
    sfreq: float,
    channel: str,
    stimuli_s: np.ndarray,
    *,
    settings: OriginSettings | None = None,
    min_stimuli: int = 10,
    threshold_sd: float = 5.0,
) -> CReflexResult:
    """Onset latency of the reflex response in one hand muscle's rectified EMG.

    The response onset is the first sample in ``c_reflex_window_ms`` where the averaged rectified
    EMG exceeds the pre-stimulus mean + ``threshold_sd`` SD (of the average's -50..-5 ms baseline)
    for at least 3 ms (threshold and duration: engineering choice).
    """
    s = settings or OriginSettings()
    stim = np.sort(np.asarray(stimuli_s, dtype=float))
    x = np.asarray(emg_rectified_uv, dtype=float)[None, :]
    idx, _ = epoch_indices(stim, sfreq, (-0.05, 0.15), x.shape[1])
    if idx.shape[0] < min_stimuli:
        return CReflexResult(channel, "not_assessable", f"{idx.shape[0]} stimuli, fewer than {min_stimuli}", n_stimuli=int(idx.shape[0]))
    avg = extract_epochs(x, idx)[:, 0, :].mean(axis=0)
    times_ms = (np.arange(idx.shape[1]) - int(round(0.05 * sfreq))) / sfreq * 1e3
    base = (times_ms >= -50) & (times_ms <= -5)
    thr = avg[base].mean() + threshold_sd * avg[base].std()
    win = (times_ms >= s.c_reflex_window_ms[0]) & (times_ms <= s.c_reflex_window_ms[1])
    above = (avg > thr) & win
    need = max(1, int(round(0.003 * sfreq)))
    run = np.convolve(above.astype(int), np.ones(need, int), mode="full")[: above.size]
    hits = np.flatnonzero(run >= need)
    if hits.size == 0:
        return CReflexResult(channel, "absent", f"no reflex response {s.c_reflex_window_ms[0]:g}-{s.c_reflex_window_ms[1]:g} ms after {idx.shape[0]} stimuli", n_stimuli=int(idx.shape[0]))
    onset = hits[0] - need + 1
    lat = float(times_ms[onset])
    enhanced = lat < NORMAL_LLR_ONSET_MS
    return CReflexResult(
        channel, "present",
        f"reflex onset {lat:.1f} ms ({'earlier than' if enhanced else 'not earlier than'} the normal long-latency reflex at 49-51 ms)",
        n_stimuli=int(idx.shape[0]), latency_ms=lat, amplitude_uv=float(avg[win].max() - avg[base].mean()), enhanced=enhanced,
    )


@dataclass
class StimulusResponseResult:
    """First burst of each muscle after each stimulus.

    Attributes
    ----------
    n_stimuli : int
    per_muscle : pandas.DataFrame
        ``channel, label, muscle, n_responses, response_rate, median_latency_ms, iqr_latency_ms,
        cv_latency`` sorted by median latency.
    first_latency_ms : ndarray
        Per responded stimulus, the earliest burst latency over all muscles.
    order : list of str
        Muscle labels by median latency.
    startle : dict
        Startle-order checks (OOC first, SCM first non-blink muscle) and SCM latency against the
        strict (< 83 ms) and lenient (< 120 ms) cut-offs.
    """

    n_stimuli: int
    per_muscle: pd.DataFrame
    first_latency_ms: np.ndarray
    order: list[str]
    startle: dict

    @property
    def n_responded(self) -> int:
        """Stimuli followed by at least one burst."""
        return int(self.first_latency_ms.size)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        fl = self.first_latency_ms
        return {
            "n_stimuli": self.n_stimuli,
            "n_responded": self.n_responded,
            "first_latency_median_ms": round(float(np.median(fl)), 1) if fl.size else None,
            "first_latency_cv": round(float(np.std(fl) / np.mean(fl)), 3) if fl.size > 1 and np.mean(fl) > 0 else None,
            "order": self.order,
            "per_muscle": self.per_muscle.round(3).to_dict(orient="records"),
            "startle": self.startle,
        }


#: Startle cut-offs for the SCM onset (CRITERIA 7: use the stricter, show both).
SCM_STRICT_MS = 83.0  # J Physiol 2007;584:97 (PMC2277050, Table 2)
SCM_LENIENT_MS = 120.0  # StartReact, Front Hum Neurosci 2025 (10.3389/fnhum.2025.1592691)


def stimulus_responses(
    stimuli_s: np.ndarray,
    bursts: pd.DataFrame,
    labels: dict[str, str] | None = None,
    *,
    settings: OriginSettings | None = None,
) -> StimulusResponseResult:
    """Latency of each muscle's first burst after each stimulus, and the startle-order checks.

    Parameters
    ----------
    stimuli_s : ndarray
        Stimulus onsets in seconds.
    bursts : pandas.DataFrame
        Burst table with ``channel`` and ``onset_s`` (``muscle`` used when present).
    labels : dict | None
        Channel name -> muscle label (``"R SCM"``) for display.
    settings : OriginSettings | None
        ``stimulus_response_max_ms``.
    """
    s = settings or OriginSettings()
    stim = np.sort(np.asarray(stimuli_s, dtype=float))
    max_s = s.stimulus_response_max_ms / 1e3
    rows = []
    first: dict[int, float] = {}
    for ch, grp in bursts.groupby("channel", sort=False) if len(bursts) else []:
        on = np.sort(grp["onset_s"].to_numpy(float))
        lat = []
        for i, t in enumerate(stim):
            k = np.searchsorted(on, t, side="right")
            if k < on.size and on[k] - t <= max_s:
                lat.append((on[k] - t) * 1e3)
                first[i] = min(first.get(i, np.inf), (on[k] - t) * 1e3)
        if not lat:
            continue
        lat_a = np.asarray(lat)
        muscle = grp["muscle"].iloc[0] if "muscle" in grp.columns else None
        rows.append({
            "channel": ch, "label": (labels or {}).get(ch, ch), "muscle": muscle,
            "n_responses": int(lat_a.size), "response_rate": lat_a.size / max(stim.size, 1),
            "median_latency_ms": float(np.median(lat_a)),
            "iqr_latency_ms": float(np.subtract(*np.percentile(lat_a, [75, 25]))),
            "cv_latency": float(lat_a.std() / lat_a.mean()) if lat_a.mean() > 0 else np.nan,
        })
    cols = ["channel", "label", "muscle", "n_responses", "response_rate", "median_latency_ms", "iqr_latency_ms", "cv_latency"]
    table = pd.DataFrame(rows, columns=cols).sort_values("median_latency_ms").reset_index(drop=True)
    order = table["label"].tolist()
    muscles = table["muscle"].tolist()
    startle: dict = {"assessable": False}
    if "SCM" in muscles:
        scm_lat = float(table.loc[table["muscle"] == "SCM", "median_latency_ms"].min())
        non_blink = [m for m in muscles if m != "OOC"]
        startle = {
            "assessable": True,
            "ooc_first": bool(muscles and muscles[0] == "OOC"),
            "scm_first_non_blink": bool(non_blink and non_blink[0] == "SCM"),
            "scm_latency_ms": round(scm_lat, 1),
            "scm_below_strict_83ms": scm_lat < SCM_STRICT_MS,
            "scm_below_lenient_120ms": scm_lat < SCM_LENIENT_MS,
            "rule_used": "strict (< 83 ms, J Physiol 2007;584:97); lenient < 120 ms (StartReact, Front Hum Neurosci 2025) shown",
        }
    return StimulusResponseResult(
        n_stimuli=int(stim.size), per_muscle=table,
        first_latency_ms=np.asarray([first[i] for i in sorted(first)]), order=order, startle=startle,
    )
