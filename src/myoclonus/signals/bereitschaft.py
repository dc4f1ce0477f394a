"""Bereitschaftspotential (BP): slow central negativity before functional jerks.

A BP, a slow negative shift over Cz / FC starting 0.7-2.1 s before the jerk, was found in 5 of 6
patients with psychogenic myoclonus (Terada et al., JNNP 1995;58:745) and was absent in all organic
myoclonus (van der Salm et al., JNNP 2012;83:1162). Its sensitivity is low in functional
propriospinal myoclonus (25%, PRD 2016;31:116): absence does not exclude a functional cause.

Method (CRITERIA 1.5): back-average the EEG from -2 s to +0.5 s around jerk onsets with the
baseline at the window start, using only jerks with a clean pre-jerk window, and test for a slow
negativity at the central midline / fronto-central electrodes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import signal, stats

from myoclonus.settings import OriginSettings
from myoclonus.signals.backaverage import _eeg_token, epoch_indices, extract_epochs

__all__ = ["BPResult", "bereitschaftspotential", "BP_CHANNELS"]

logger = logging.getLogger(__name__)

#: Electrodes of the region of interest: central midline and fronto-central (Hale et al., MDS 2025
#: abstract: clinical montage FC3, FC4, Cz; CRITERIA 1.5 "Cz / FC"), plus C1-C4 (engineering
#: choice: the BP is bilateral over the central region; averaging more electrodes lowers the noise).
BP_CHANNELS = ("CZ", "FCZ", "FC1", "FC2", "FC3", "FC4", "C1", "C2", "C3", "C4")


@dataclass
class BPResult:
    """Outcome of the Bereitschaftspotential test.

    Attributes
    ----------
    status : {"found", "none_found", "not_assessable"}
    reason : str
    channels : list of str
        ROI electrodes averaged.
    n_jerks, n_clean, n_epochs : int
        Jerks offered, jerks with a clean pre-jerk window, epochs averaged after rejection.
    late_amplitude_uv : float | None
        Mean ROI amplitude in ``bp_late_window_s`` relative to the baseline (negative = BP).
    t_value, p_value : float | None
        One-sided one-sample t-test across epochs that the late amplitude is below zero.
    onset_s : float | None
        Start of the final, continuously significant stretch of negativity (e.g. -1.2 s).
    times_s, average_uv : ndarray
        The ROI back-average.
    """

    status: Literal["found", "none_found", "not_assessable"]
    reason: str
    channels: list[str] = field(default_factory=list)
    n_jerks: int = 0
    n_clean: int = 0
    n_epochs: int = 0
    late_amplitude_uv: float | None = None
    t_value: float | None = None
    p_value: float | None = None
    onset_s: float | None = None
    times_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    average_uv: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reference: str = "Terada et al., JNNP 1995;58:745 (onset 0.7-2.1 s before the jerk); van der Salm et al., JNNP 2012;83:1162 (absent in organic myoclonus)"

    @property
    def found(self) -> bool:
        """True when a significant slow negativity precedes the jerks."""
        return self.status == "found"

    def plot(self, ax=None):
        """Plot the ROI back-average from -2 to +0.5 s (0 = jerk onset); returns the Figure."""
        import matplotlib.pyplot as plt

        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.5))
        ax.plot(self.times_s, self.average_uv, color="C0")
        ax.axvline(0, color="k", lw=0.8, ls="--")
        if self.onset_s is not None:
            ax.axvline(self.onset_s, color="C3", lw=0.8, label=f"onset {self.onset_s:.2f} s")
            ax.legend(fontsize=7)
        ax.set(xlabel="time from jerk onset (s)", ylabel="EEG (uV, positive up)",
               title=f"Bereitschaftspotential ({'/'.join(self.channels)}, n = {self.n_epochs}): {self.status.replace('_', ' ')}")
        return fig

    def to_dict(self) -> dict:
        """JSON-ready summary (no waveform)."""
        def r(x, nd):
            return None if x is None or not np.isfinite(x) else round(float(x), nd)
        return {
            "status": self.status,
            "reason": self.reason,
            "channels": self.channels,
            "n_jerks": self.n_jerks,
            "n_clean": self.n_clean,
            "n_epochs": self.n_epochs,
            "late_amplitude_uv": r(self.late_amplitude_uv, 2),
            "t_value": r(self.t_value, 2),
            "p_value": r(self.p_value, 4),
            "onset_s": r(self.onset_s, 2),
            "reference": self.reference,
        }


def _roi(ch_names: list[str]) -> list[int]:
    out = []
    for i, name in enumerate(ch_names):
        tok = _eeg_token(name)
        if tok is not None and (tok[0] + tok[1].upper()) in BP_CHANNELS:
            out.append(i)
    return out


def clean_onsets(onsets_s: np.ndarray, clean_s: float) -> np.ndarray:
    """Onsets with no other onset in the preceding ``clean_s`` seconds."""
    on = np.sort(np.asarray(onsets_s, dtype=float))
    if on.size == 0:
        return on
    gaps = np.diff(np.concatenate([[-np.inf], on]))
    return on[gaps >= clean_s]


def bereitschaftspotential(
    eeg_uv: np.ndarray,
    sfreq: float,
    ch_names: list[str],
    onsets_s: np.ndarray,
    *,
    settings: OriginSettings | None = None,
) -> BPResult:
    """Test for a Bereitschaftspotential before jerk onsets.

    Parameters
    ----------
    eeg_uv : ndarray, shape (n_channels, n_times)
        EEG in microvolts.
    sfreq : float
        Sampling rate in Hz.
    ch_names : list of str
        EEG channel names; the ROI is Cz, FCz, FC1-4, C1-2 (whichever exist).
    onsets_s : ndarray
        Jerk onset times in seconds.
    settings : OriginSettings | None
        ``bp_*`` fields and ``significance_alpha``.

    Returns
    -------
    BPResult

    Notes
    -----
    Only jerks with no other jerk in the preceding ``bp_clean_s`` are used. The ROI average is
    low-passed (``bp_lowpass_hz``, no high-pass), epoched over ``bp_window_s``, baseline corrected
    with the first ``bp_baseline_s`` of the window, epochs whose ROI peak-to-peak exceeds
    ``bp_reject_uv`` are dropped, and the per-epoch mean over ``bp_late_window_s`` is tested with a
    one-sided one-sample t-test (below zero). The onset is where the final continuously significant
    stretch of the point-wise one-sided t (alpha 0.05, 100-ms smoothed average) begins.

    References
    ----------
    Terada K, Ikeda A, ... Shibasaki H. JNNP 1995;58:745.
    van der Salm SMA, Tijssen MAJ, Koelman JHTM, van Rootselaar AF. JNNP 2012;83:1162.
    """
    s = settings or OriginSettings()
    onsets = np.sort(np.asarray(onsets_s, dtype=float))
    eeg_uv = np.asarray(eeg_uv)
    if eeg_uv.ndim != 2 or eeg_uv.shape[0] == 0:
        return BPResult("not_assessable", "no EEG channel in the recording", n_jerks=int(onsets.size))
    roi = _roi(list(ch_names))
    if not roi:
        return BPResult("not_assessable", "no Cz / FC electrode for the Bereitschaftspotential", n_jerks=int(onsets.size))
    roi_names = [ch_names[i] for i in roi]
    clean = clean_onsets(onsets, s.bp_clean_s)
    idx, _ = epoch_indices(clean, sfreq, s.bp_window_s, eeg_uv.shape[1])
    base = BPResult("not_assessable", "", channels=roi_names, n_jerks=int(onsets.size), n_clean=int(idx.shape[0]))
    if idx.shape[0] < s.bp_min_epochs:
        base.reason = (
            f"{idx.shape[0]} jerks with a clean {s.bp_clean_s:g}-s pre-jerk window, fewer than "
            f"{s.bp_min_epochs} (inter-jerk intervals too short or too few jerks)"
        )
        return base
    sos = signal.butter(4, min(s.bp_lowpass_hz, 0.45 * sfreq), btype="lowpass", fs=sfreq, output="sos")
    roi_signal = signal.sosfiltfilt(sos, eeg_uv[roi].mean(axis=0))[None, :]
    epochs = extract_epochs(roi_signal, idx)[:, 0, :]
    times = (np.arange(idx.shape[1]) + int(round(s.bp_window_s[0] * sfreq))) / sfreq
    baseline = times < times[0] + s.bp_baseline_s
    epochs = epochs - epochs[:, baseline].mean(axis=1, keepdims=True)
    keep = (epochs.max(axis=1) - epochs.min(axis=1)) < s.bp_reject_uv
    epochs = epochs[keep]
    base.n_epochs = int(epochs.shape[0])
    if base.n_epochs < s.bp_min_epochs:
        base.reason = f"{base.n_epochs} epochs left after amplitude rejection, fewer than {s.bp_min_epochs}"
        return base
    late = (times >= s.bp_late_window_s[0]) & (times <= s.bp_late_window_s[1])
    values = epochs[:, late].mean(axis=1)
    test = stats.ttest_1samp(values, 0.0, alternative="less")
    avg = epochs.mean(axis=0)
    base.times_s, base.average_uv = times, avg
    base.late_amplitude_uv = float(values.mean())
    base.t_value, base.p_value = float(test.statistic), float(test.pvalue)
    if base.p_value < s.significance_alpha:
        base.status = "found"
        base.onset_s = _onset(epochs, times, sfreq, s.bp_late_window_s[1])
        onset_txt = f", onset {base.onset_s:.2f} s" if base.onset_s is not None else ""
        base.reason = (
            f"slow negativity {base.late_amplitude_uv:.1f} uV at {'/'.join(roi_names)} before the jerks "
            f"(t = {base.t_value:.2f}, one-sided p = {base.p_value:.4f}, {base.n_epochs} epochs{onset_txt})"
        )
    else:
        base.status = "none_found"
        base.reason = (
            f"no slow negativity before the jerks ({base.late_amplitude_uv:.1f} uV, one-sided p = "
            f"{base.p_value:.3f}, {base.n_epochs} epochs); absence does not exclude a functional cause "
            "(BP in only 25% of functional PSM, PRD 2016)"
        )
    logger.info("BP %s: %s", base.status, base.reason)
    return base


def _onset(epochs: np.ndarray, times: np.ndarray, sfreq: float, end_s: float) -> float | None:
    """Start of the last continuously significant negative stretch ending at ``end_s``."""
    width = max(1, int(round(0.1 * sfreq)))
    kernel = np.ones(width) / width
    smooth = np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 1, epochs)
    n = smooth.shape[0]
    t = smooth.mean(axis=0) / np.maximum(smooth.std(axis=0, ddof=1), 1e-12) * np.sqrt(n)
    crit = stats.t.ppf(0.05, df=n - 1)
    end = int(np.searchsorted(times, end_s))
    if end <= 0 or t[end - 1] >= crit:
        return None
    i = end - 1
    while i > 0 and t[i - 1] < crit:
        i -= 1
    return float(times[i])
