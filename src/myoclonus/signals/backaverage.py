"""Jerk-locked back-averaging (JLBA) of the EEG around EMG onsets.

The premyoclonic cortical potential of cortical myoclonus is a positive-negative biphasic spike over
the contralateral sensorimotor cortex whose positive peak lies about 20 ms before the EMG onset in
hand muscles ("Jerk-locked averaging: technique and application", J Clin Neurophysiol 1992;9:495,
CRITERIA 1.1). JLBA averages 50-200 epochs (Latorre et al. 2023, secondary) and is positive in about
70% of clinically cortical cases, so a negative JLBA does not exclude a cortical origin.

Significance is tested against random triggers: the same number of epochs taken at random times
of the same recording, averaged the same way, gives the null distribution of the largest
|t|-value in the search window over all channels (so the test is corrected for channels and
latencies). A split-half check (odd vs even epochs) reports whether the waveform is reproducible.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import signal

from myoclonus.errors import InputError
from myoclonus.settings import OriginSettings

__all__ = [
    "BackAverageResult",
    "jerk_locked_average",
    "epoch_indices",
    "extract_epochs",
    "eeg_channel_side",
    "is_central_channel",
]

logger = logging.getLogger(__name__)

#: Triggers closer than this are one trigger (engineering choice: the same event seen twice).
MIN_TRIGGER_SEPARATION_S = 0.005

_EEG_NAME = re.compile(r"(?:EEG[\s_\-.]*)?([A-Za-z]{1,3})(\d{1,2}|z|Z)(?:[\s_\-.].*)?$")


def _eeg_token(name: str) -> tuple[str, str] | None:
    """Split a 10-20/10-10 name such as ``"EEG C3-A2"`` into (``"C"``, ``"3"``)."""
    m = _EEG_NAME.match(name.strip())
    if not m:
        return None
    return m.group(1).upper(), m.group(2).lower()


def eeg_channel_side(name: str) -> Literal["left", "right", "midline"] | None:
    """Hemisphere of a 10-20 electrode: odd numbers left, even right, ``z`` midline."""
    tok = _eeg_token(name)
    if tok is None:
        return None
    if tok[1] == "z":
        return "midline"
    return "left" if int(tok[1]) % 2 else "right"


def is_central_channel(name: str) -> bool:
    """True for central / fronto-central / centro-parietal electrodes (C, FC, CP)."""
    tok = _eeg_token(name)
    return tok is not None and tok[0] in {"C", "FC", "CP"}


def epoch_indices(onsets_s: np.ndarray, sfreq: float, window_s: tuple[float, float], n_times: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample index matrix (n_epochs, n_samples) of the epochs that fit inside the recording.

    Returns the index matrix and the boolean mask of the onsets kept.
    """
    start = int(round(window_s[0] * sfreq))
    stop = int(round(window_s[1] * sfreq))
    offsets = np.arange(start, stop + 1)
    centre = np.round(np.asarray(onsets_s, dtype=float) * sfreq).astype(np.int64)
    keep = (centre + start >= 0) & (centre + stop < n_times)
    return centre[keep, None] + offsets[None, :], keep


def extract_epochs(data: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Epochs (n_epochs, n_channels, n_samples) from ``data`` (n_channels, n_times) and an index matrix."""
    if idx.size == 0:
        return np.zeros((0, data.shape[0], idx.shape[1] if idx.ndim == 2 else 0), dtype=data.dtype)
    return np.transpose(data[:, idx], (1, 0, 2))


def _bandpass(data: np.ndarray, sfreq: float, band_hz: tuple[float, float]) -> np.ndarray:
    low, high = band_hz
    high = min(high, 0.45 * sfreq)
    sos = signal.butter(4, [low, high], btype="bandpass", fs=sfreq, output="sos")
    return signal.sosfiltfilt(sos, data, axis=-1).astype(np.float32)


@dataclass
class BackAverageResult:
    """Outcome of jerk-locked back-averaging.

    Attributes
    ----------
    status : {"found", "none_found", "not_assessable"}
        Whether a significant, reproducible premyoclonic potential was found.
    reason : str
        Why (counts, p-value, split-half, or why it could not be assessed).
    trigger : str
        What the epochs were locked to (e.g. ``"R FDI burst onsets"``).
    n_triggers, n_epochs, n_rejected : int
        Onsets offered, epochs averaged, epochs rejected for amplitude.
    times_ms : ndarray
        Epoch time axis, 0 = EMG onset.
    average_uv : ndarray, shape (n_channels, n_samples)
    sem_uv : ndarray, shape (n_channels, n_samples)
        Standard error of the mean across the averaged epochs (the report's 95% band is
        ``average_uv +- 1.96 sem_uv``).
        The averaged EEG (baseline corrected).
    ch_names : list of str
    p_value : float | None
        Random-trigger surrogate p-value of the largest |t| in the search window.
    statistic : float | None
        The largest |t| (over channels and latencies in the search window).
    split_half_r : float | None
        Correlation of the odd- and even-epoch averages at the peak channel in the search window.
    peak_channel, peak_latency_ms, peak_amplitude_uv, polarity, topography
        The premyoclonic potential (latency < 0 = before the EMG onset), when found.
    """

    status: Literal["found", "none_found", "not_assessable"]
    reason: str
    trigger: str = ""
    n_triggers: int = 0
    n_epochs: int = 0
    n_rejected: int = 0
    times_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    average_uv: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    sem_uv: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    ch_names: list[str] = field(default_factory=list)
    p_value: float | None = None
    statistic: float | None = None
    split_half_r: float | None = None
    peak_channel: str | None = None
    peak_latency_ms: float | None = None
    peak_amplitude_uv: float | None = None
    polarity: str | None = None
    topography: str | None = None
    components: dict = field(default_factory=dict)
    reference: str = "J Clin Neurophysiol 1992;9:495 (positive peak ~20 ms before hand-muscle EMG onset); Latorre et al. 2023 (50-200 epochs, positive in ~70% of cortical cases)"

    @property
    def found(self) -> bool:
        """True when a significant, reproducible potential was found."""
        return self.status == "found"

    def plot(self, ax=None):
        """Plot the back-averaged EEG (one line per channel, 0 = EMG onset); returns the Figure."""
        import matplotlib.pyplot as plt

        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.5))
        for name, wave in zip(self.ch_names, self.average_uv):
            ax.plot(self.times_ms, wave, lw=2.0 if name == self.peak_channel else 0.8, label=name)
        ax.axvline(0, color="k", lw=0.8, ls="--")
        ax.set(xlabel="time from EMG onset (ms)", ylabel="EEG (uV, positive up)",
               title=f"JLBA ({self.trigger}, n = {self.n_epochs}): {self.status.replace('_', ' ')}")
        if self.ch_names:
            ax.legend(fontsize=6, ncol=2)
        return fig

    def to_dict(self) -> dict:
        """JSON-ready summary (no waveforms)."""
        return {
            "status": self.status,
            "reason": self.reason,
            "trigger": self.trigger,
            "n_triggers": self.n_triggers,
            "n_epochs": self.n_epochs,
            "n_rejected": self.n_rejected,
            "p_value": _round(self.p_value, 4),
            "max_abs_t": _round(self.statistic, 2),
            "split_half_r": _round(self.split_half_r, 2),
            "peak_channel": self.peak_channel,
            "peak_latency_ms": _round(self.peak_latency_ms, 1),
            "peak_amplitude_uv": _round(self.peak_amplitude_uv, 2),
            "polarity": self.polarity,
            "topography": self.topography,
            "components": self.components,
            "reference": self.reference,
        }


def _round(x: float | None, nd: int) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _max_abs_t(epochs: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest |t| over channels x samples of epochs (n_epochs, n_ch, n_s), and the t map."""
    n = epochs.shape[0]
    mean = epochs.mean(axis=0)
    sd = epochs.std(axis=0, ddof=1)
    t = mean / np.maximum(sd, 1e-12) * np.sqrt(n)
    return float(np.max(np.abs(t))), t


def _baseline(epochs: np.ndarray, times_s: np.ndarray, baseline_s: tuple[float, float]) -> np.ndarray:
    sel = (times_s >= baseline_s[0]) & (times_s <= baseline_s[1])
    return epochs - epochs[:, :, sel].mean(axis=2, keepdims=True)


def _reject(epochs: np.ndarray, reject_uv: float) -> np.ndarray:
    """Boolean mask of epochs kept: every channel's peak-to-peak below ``reject_uv``."""
    if epochs.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    ptp = epochs.max(axis=2) - epochs.min(axis=2)
    return np.all(ptp < reject_uv, axis=1)


def _topography(avg_at_peak: np.ndarray, ch_names: list[str], peak_idx: int, muscle_side: str | None) -> str:
    """Describe where the potential is largest: contralateral central, generalized ..."""
    amp = np.abs(avg_at_peak)
    strong = amp >= 0.5 * amp[peak_idx]
    sides = {eeg_channel_side(n) for n, s in zip(ch_names, strong) if s}
    if len(ch_names) >= 4 and strong.mean() >= 0.75 and {"left", "right"} <= sides:
        return "generalized (bilateral, widespread)"
    name = ch_names[peak_idx]
    side = eeg_channel_side(name)
    region = "central" if is_central_channel(name) else "non-central"
    if side == "midline":
        return f"midline {region}"
    if muscle_side in ("left", "right") and side in ("left", "right"):
        rel = "contralateral" if side != muscle_side else "ipsilateral"
        return f"{rel} {region}"
    return f"{side or 'unknown side'} {region}"


def jerk_locked_average(
    eeg_uv: np.ndarray,
    sfreq: float,
    ch_names: list[str],
    onsets_s: np.ndarray,
    *,
    muscle_side: str | None = None,
    trigger: str = "EMG onsets",
    settings: OriginSettings | None = None,
    seed: int = 0,
) -> BackAverageResult:
    """Back-average the EEG around EMG onsets and test for a premyoclonic potential.

    Parameters
    ----------
    eeg_uv : ndarray, shape (n_channels, n_times)
        EEG in microvolts.
    sfreq : float
        Sampling rate in Hz.
    ch_names : list of str
        EEG channel names (10-20 names give hemisphere and region).
    onsets_s : ndarray
        EMG onset times in seconds (one muscle's burst onsets or jerk onsets).
    muscle_side : {"left", "right"} | None
        Side of the trigger muscle, to call the topography contralateral or ipsilateral.
    trigger : str
        Description of the onsets, reported.
    settings : OriginSettings | None
        ``jlba_*`` fields and ``significance_alpha``.
    seed : int
        Seed of the random triggers (the result is reproducible).

    Returns
    -------
    BackAverageResult

    Notes
    -----
    The EEG is band-passed (``jlba_band_hz``), epoched (``jlba_window_ms``), baseline corrected
    (``jlba_baseline_ms``) and epochs over ``jlba_reject_uv`` peak-to-peak are dropped. The statistic
    is the largest |t| (mean / SE across epochs) over all channels and the ``jlba_search_ms`` window.
    Its null distribution comes from ``jlba_surrogates`` averages of the same number of epochs
    drawn from a pool of random-trigger epochs of the same recording; p = (1 + #null >= obs) /
    (1 + n_surrogates). A potential is "found" when p < ``significance_alpha`` and the odd/even
    split-half correlation at the peak channel is >= ``jlba_split_half_min_r``.

    References
    ----------
    Jerk-locked averaging: technique and application. J Clin Neurophysiol 1992;9:495.
    Latorre A et al. 2023 (secondary): 50-200 epochs; positive in ~70% of cortical cases.
    """
    s = settings or OriginSettings()
    eeg_uv = np.asarray(eeg_uv)
    if eeg_uv.ndim != 2 or eeg_uv.shape[0] == 0:
        return BackAverageResult("not_assessable", "no EEG channel in the recording", trigger=trigger)
    if eeg_uv.shape[0] != len(ch_names):
        raise InputError(f"got {eeg_uv.shape[0]} EEG rows but {len(ch_names)} channel names", where="jerk_locked_average")
    onsets_s = np.sort(np.asarray(onsets_s, dtype=float))
    n_trig = int(onsets_s.size)
    if onsets_s.size:
        # duplicated triggers would count one EEG segment several times and fake significance
        onsets_s = onsets_s[np.concatenate([[True], np.diff(onsets_s) > MIN_TRIGGER_SEPARATION_S])]
    window_s = (s.jlba_window_ms[0] / 1e3, s.jlba_window_ms[1] / 1e3)
    idx, _ = epoch_indices(onsets_s, sfreq, window_s, eeg_uv.shape[1])
    if idx.shape[0] < s.jlba_min_epochs:
        return BackAverageResult(
            "not_assessable",
            f"{idx.shape[0]} usable triggers ({trigger}), fewer than the {s.jlba_min_epochs} needed "
            "(JLBA averages 50-200 epochs, Latorre et al. 2023)",
            trigger=trigger, n_triggers=n_trig, ch_names=list(ch_names),
        )
    filtered = _bandpass(eeg_uv, sfreq, s.jlba_band_hz)
    times_s = np.arange(idx.shape[1]) / sfreq + int(round(window_s[0] * sfreq)) / sfreq
    baseline_s = (s.jlba_baseline_ms[0] / 1e3, s.jlba_baseline_ms[1] / 1e3)
    epochs = _baseline(extract_epochs(filtered, idx), times_s, baseline_s)
    keep = _reject(epochs, s.jlba_reject_uv)
    epochs = epochs[keep]
    n_ep = int(epochs.shape[0])
    n_rej = int((~keep).sum())
    if n_ep < s.jlba_min_epochs:
        return BackAverageResult(
            "not_assessable",
            f"{n_ep} epochs left after rejecting {n_rej} over {s.jlba_reject_uv:g} uV; "
            f"{s.jlba_min_epochs} needed",
            trigger=trigger, n_triggers=n_trig, n_rejected=n_rej, ch_names=list(ch_names),
        )
    search = (times_s >= s.jlba_search_ms[0] / 1e3) & (times_s <= s.jlba_search_ms[1] / 1e3)
    stat, tmap = _max_abs_t(epochs[:, :, search])

    # Null distribution: random triggers from the same recording.
    rng = np.random.default_rng(seed)
    pool_size = int(min(max(5 * n_ep, 1000), max(n_ep, 4000)))
    first = int(round(-window_s[0] * sfreq)) + 1
    last = eeg_uv.shape[1] - int(round(window_s[1] * sfreq)) - 2
    rand_s = rng.integers(first, last, size=pool_size) / sfreq
    ridx, _ = epoch_indices(rand_s, sfreq, window_s, eeg_uv.shape[1])
    pool = _baseline(extract_epochs(filtered, ridx), times_s, baseline_s)
    pool = pool[_reject(pool, s.jlba_reject_uv)][:, :, search]
    if pool.shape[0] < n_ep:
        return BackAverageResult(
            "not_assessable", "too few artefact-free random-trigger epochs for the surrogate test",
            trigger=trigger, n_triggers=n_trig, n_epochs=n_ep, n_rejected=n_rej, ch_names=list(ch_names),
        )
    null = np.empty(s.jlba_surrogates)
    for i in range(s.jlba_surrogates):
        pick = rng.integers(0, pool.shape[0], size=n_ep)
        null[i] = _max_abs_t(pool[pick])[0]
    p_value = float((1 + np.sum(null >= stat)) / (1 + s.jlba_surrogates))

    average = epochs.mean(axis=0)
    sem = epochs.std(axis=0, ddof=1) / np.sqrt(n_ep) if n_ep > 1 else np.zeros_like(average)
    ch_i, t_i = np.unravel_index(int(np.argmax(np.abs(tmap))), tmap.shape)
    search_times = times_s[search]
    peak_amp = float(average[:, search][ch_i, t_i])
    odd = epochs[0::2, ch_i][:, search].mean(axis=0)
    even = epochs[1::2, ch_i][:, search].mean(axis=0)
    r = float(np.corrcoef(odd, even)[0, 1]) if np.std(odd) > 0 and np.std(even) > 0 else float("nan")
    result = BackAverageResult(
        "none_found", "", trigger=trigger, n_triggers=n_trig, n_epochs=n_ep, n_rejected=n_rej,
        times_ms=times_s * 1e3, average_uv=average, sem_uv=sem, ch_names=list(ch_names), p_value=p_value,
        statistic=stat, split_half_r=r,
    )
    significant = p_value < s.significance_alpha
    consistent = np.isfinite(r) and r >= s.jlba_split_half_min_r
    if significant and consistent:
        result.status = "found"
        result.peak_channel = ch_names[ch_i]
        result.peak_latency_ms = float(search_times[t_i] * 1e3)
        result.peak_amplitude_uv = peak_amp
        result.polarity = "positive" if peak_amp > 0 else "negative"
        result.topography = _topography(average[:, search][:, t_i], list(ch_names), int(ch_i), muscle_side)
        wave = average[ch_i, search]
        result.components = {
            "positive_peak": {"latency_ms": round(float(search_times[np.argmax(wave)] * 1e3), 1), "amplitude_uv": round(float(wave.max()), 2)},
            "negative_peak": {"latency_ms": round(float(search_times[np.argmin(wave)] * 1e3), 1), "amplitude_uv": round(float(wave.min()), 2)},
        }
        result.reason = (
            f"{result.polarity} potential {abs(result.peak_latency_ms):.0f} ms before EMG onset at "
            f"{result.peak_channel} ({peak_amp:.1f} uV), surrogate p = {p_value:.3f} over {n_ep} epochs, "
            f"split-half r = {r:.2f}"
        )
    elif significant:
        result.reason = f"significant (p = {p_value:.3f}) but not reproducible in split halves (r = {r:.2f})"
    else:
        result.reason = f"no potential above random-trigger averages (p = {p_value:.3f}, {n_ep} epochs)"
    logger.info("JLBA %s: %s", result.status, result.reason)
    return result
