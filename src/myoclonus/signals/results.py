"""Shared base of the detector results (YASA-shaped): events table, scoring, annotations, epochs.

Every detector returns a small dataclass deriving from :class:`EventResults`. The events live in
one :class:`pandas.DataFrame` (one row per event, fixed columns documented by each detector);
the base class gives the shared methods:

- ``summary(grp_chan=False)``: the events table, or per-channel aggregates;
- ``compare_detection(truth_onsets_s, channel=None, tolerance_ms=...)``: tp/fp/fn, precision,
  recall, F1 and the median onset error against reference onsets;
- ``to_annotations()``: :class:`mne.Annotations` with namespaced descriptions and channel names;
- ``get_sync_events(...)``: event-locked epochs of any signal (the back-averaging hook).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from myoclonus.errors import InputError, did_you_mean

__all__ = ["ChannelStatus", "EventResults", "match_onsets"]

logger = logging.getLogger(__name__)

#: Default tolerance when matching detected onsets to reference onsets (engineering choice: the
#: accuracy target is a median onset error <= 3 ms; 25 ms is wide enough to pair a detection with
#: its reference yet well under the ~50 ms shortest inter-burst gap we want to keep apart).
DEFAULT_TOLERANCE_MS = 25.0


def _suggest(value: str, choices: list[str]) -> str:
    lower = {c.lower(): c for c in choices}
    hint = did_you_mean(value, list(lower))
    return f" Did you mean '{lower[hint.split(chr(39))[1]]}'?" if hint else ""


@dataclass(frozen=True)
class ChannelStatus:
    """Quality of one analysed channel.

    Attributes
    ----------
    channel : str
        Channel name.
    state : str
        ``"ok"``, ``"flat"`` (no signal: constant or below the amplifier noise floor) or
        ``"disconnected"`` (only mains / noise with no physiological content).
    saturated_fraction : float
        Fraction of samples at the clipping rails (0-1).
    mains_hz : float | None
        Mains frequency found in this channel (50 or 60 Hz), None when absent.
    ecg_detected : bool
        Whether a repeated QRS-like waveform (ECG contamination) was found and removed.
    n_ecg_beats : int
        Number of ECG beats removed.
    """

    channel: str
    state: str = "ok"
    saturated_fraction: float = 0.0
    mains_hz: float | None = None
    ecg_detected: bool = False
    n_ecg_beats: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready)."""
        return {
            "channel": self.channel,
            "state": self.state,
            "saturated_fraction": float(self.saturated_fraction),
            "mains_hz": self.mains_hz,
            "ecg_detected": bool(self.ecg_detected),
            "n_ecg_beats": int(self.n_ecg_beats),
        }


def match_onsets(detected_s: np.ndarray, truth_s: np.ndarray, tolerance_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Pair detected and reference onsets one-to-one, greedily by smallest distance.

    Parameters
    ----------
    detected_s, truth_s : ndarray
        Onsets in seconds.
    tolerance_s : float
        Largest distance of a valid pair.

    Returns
    -------
    det_idx, truth_idx : ndarray of int
        Indices of the matched pairs.
    """
    det = np.asarray(detected_s, dtype=float).ravel()
    tru = np.asarray(truth_s, dtype=float).ravel()
    if det.size == 0 or tru.size == 0:
        return np.empty(0, int), np.empty(0, int)
    order = np.argsort(tru)
    tru_sorted = tru[order]
    # candidate pairs: each detection with its neighbours in the sorted truth within tolerance
    lo = np.searchsorted(tru_sorted, det - tolerance_s, side="left")
    hi = np.searchsorted(tru_sorted, det + tolerance_s, side="right")
    pairs_d, pairs_t = [], []
    for i, (a, b) in enumerate(zip(lo, hi)):
        for j in range(a, b):
            pairs_d.append(i)
            pairs_t.append(j)
    if not pairs_d:
        return np.empty(0, int), np.empty(0, int)
    pd_ = np.asarray(pairs_d)
    pt_ = np.asarray(pairs_t)
    dist = np.abs(det[pd_] - tru_sorted[pt_])
    used_d = np.zeros(det.size, bool)
    used_t = np.zeros(tru.size, bool)
    out_d, out_t = [], []
    for k in np.argsort(dist, kind="stable"):
        d, t = pd_[k], pt_[k]
        if not used_d[d] and not used_t[t]:
            used_d[d] = used_t[t] = True
            out_d.append(d)
            out_t.append(order[t])
    return np.asarray(out_d, int), np.asarray(out_t, int)


@dataclass
class EventResults:
    """Base of every detector result: an events table plus channel quality.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per event (columns documented by the subclass), sorted by ``onset_s``.
    sfreq : float
        Sampling rate of the analysed signal (Hz).
    channel_status : dict[str, ChannelStatus]
        Quality of each analysed channel.
    artefacts : pandas.DataFrame
        Flagged intervals: ``channel, kind, onset_s, offset_s`` (kind: saturation, pop, movement,
        ecg, flat).
    """

    events: pd.DataFrame
    sfreq: float
    channel_status: dict[str, ChannelStatus] = field(default_factory=dict)
    artefacts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["channel", "kind", "onset_s", "offset_s"]))

    #: description used in :meth:`to_annotations`
    annotation_label: ClassVar[str] = "myoclonus/event"

    def __len__(self) -> int:
        return len(self.events)

    @property
    def channels(self) -> list[str]:
        """Names of the analysed channels."""
        return list(self.channel_status)

    # ------------------------------------------------------------------ tables
    def summary(self, grp_chan: bool = False) -> pd.DataFrame:
        """Events table, or per-channel aggregates.

        Parameters
        ----------
        grp_chan : bool
            If True, one row per channel: ``channel, count, median_duration_ms,
            iqr_duration_ms`` (plus ``median_peak_uv`` where the events have a peak).

        Returns
        -------
        pandas.DataFrame
        """
        if not grp_chan:
            return self.events.copy()
        rows = []
        for ch in self.channels:
            ev = self.events[self.events["channel"] == ch] if len(self.events) else self.events
            dur = ev["duration_ms"].to_numpy(float) if len(ev) else np.empty(0)
            row = {
                "channel": ch,
                "count": int(len(ev)),
                "median_duration_ms": float(np.median(dur)) if dur.size else np.nan,
                "iqr_duration_ms": float(np.subtract(*np.percentile(dur, [75, 25]))) if dur.size else np.nan,
            }
            if "peak_uv" in self.events.columns:
                row["median_peak_uv"] = float(np.median(ev["peak_uv"])) if len(ev) else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    def _pick_channel(self, channel: str | None) -> pd.DataFrame:
        if channel is None:
            return self.events
        if channel not in self.channel_status:
            raise InputError(
                f"channel {channel!r} was not analysed; analysed channels are {self.channels}."
                + _suggest(channel, self.channels),
                where="channel",
            )
        return self.events[self.events["channel"] == channel]

    # ------------------------------------------------------------------ scoring
    def compare_detection(
        self,
        truth_onsets_s: np.ndarray,
        channel: str | None = None,
        tolerance_ms: float = DEFAULT_TOLERANCE_MS,
    ) -> dict[str, float]:
        """Score the detected onsets against reference onsets.

        Parameters
        ----------
        truth_onsets_s : array-like
            Reference onsets in seconds (for one channel when ``channel`` is given).
        channel : str | None
            Restrict the detections to this channel.
        tolerance_ms : float
            Largest onset difference of a true positive.

        Returns
        -------
        dict
            ``tp, fp, fn, precision, recall, f1, median_onset_error_ms`` (absolute error over the
            true positives; NaN when there is none).
        """
        ev = self._pick_channel(channel)
        det = ev["onset_s"].to_numpy(float) if len(ev) else np.empty(0)
        truth = np.asarray(truth_onsets_s, dtype=float).ravel()
        di, ti = match_onsets(det, truth, tolerance_ms / 1000.0)
        tp = int(di.size)
        fp = int(det.size - tp)
        fn = int(truth.size - tp)
        precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        err = np.abs(det[di] - truth[ti]) * 1000.0 if tp else np.empty(0)
        return {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "median_onset_error_ms": float(np.median(err)) if err.size else float("nan"),
        }

    # ------------------------------------------------------------------ MNE interop
    def to_annotations(self, orig_time: Any = None):
        """Events as :class:`mne.Annotations` (description ``myoclonus/...``, with channel names).

        Parameters
        ----------
        orig_time : datetime | None
            Passed to :class:`mne.Annotations` (use ``raw.info['meas_date']`` to attach to a Raw).
        """
        import mne

        ev = self.events
        onsets = ev["onset_s"].to_numpy(float) if len(ev) else np.empty(0)
        durations = (ev["offset_s"].to_numpy(float) - onsets) if len(ev) else np.empty(0)
        ch_names = [self._annotation_channels(row) for _, row in ev.iterrows()] if len(ev) else []
        return mne.Annotations(
            onset=onsets,
            duration=durations,
            description=[self.annotation_label] * len(onsets),
            ch_names=ch_names or None,
            orig_time=orig_time,
        )

    def _annotation_channels(self, row: pd.Series) -> tuple[str, ...]:
        return (str(row["channel"]),)

    def get_sync_events(
        self,
        data: np.ndarray,
        *,
        sfreq: float | None = None,
        center: str = "onset_s",
        time_before_s: float = 0.1,
        time_after_s: float = 0.3,
        channel: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Event-locked epochs of ``data`` (e.g. EEG for back-averaging).

        Parameters
        ----------
        data : ndarray, shape (n_channels, n_times) or (n_times,)
            Signal sampled at ``sfreq`` on the same time axis as the detection.
        sfreq : float | None
            Its sampling rate (default: the detector's).
        center : str
            Column whose time locks the epochs (``"onset_s"``, ``"peak_s"``...).
        time_before_s, time_after_s : float
            Window around each event.
        channel : str | None
            Use only the events of this channel.

        Returns
        -------
        epochs : ndarray, shape (n_events, n_channels, n_samples)
            Only events whose window lies inside the signal.
        times_s : ndarray, shape (n_samples,)
        """
        sf = float(sfreq or self.sfreq)
        x = np.atleast_2d(np.asarray(data))
        ev = self._pick_channel(channel)
        if center not in ev.columns:
            raise InputError(f"no column {center!r}; available: {list(ev.columns)}" + did_you_mean(center, ev.columns), where="center")
        before = int(round(time_before_s * sf))
        after = int(round(time_after_s * sf))
        times = np.arange(-before, after + 1) / sf
        starts = np.round(ev[center].to_numpy(float) * sf).astype(int) - before if len(ev) else np.empty(0, int)
        starts = starts[(starts >= 0) & (starts + before + after + 1 <= x.shape[1])]
        if starts.size == 0:
            return np.empty((0, x.shape[0], times.size)), times
        idx = starts[:, None] + np.arange(before + after + 1)[None, :]
        return np.transpose(x[:, idx], (1, 0, 2)), times
