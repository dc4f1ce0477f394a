"""Figures of the recording report, drawn with matplotlib and embedded as base64 PNG.

Each function returns a :class:`ReportFigure`: either an image with its caption, or the reason the
figure cannot be drawn (no jerks, no EEG, no stimuli ...), so the report always says why a section
is empty. :func:`build_figures` draws every figure of one analysis in the order of the report:

1. example traces around representative jerks, bursts shaded;
2. burst-duration histogram per muscle with the 45/50, 70 and 100 ms lines (CRITERIA 1.1: van der
   Veen 2024 45 ms, Eberhardt & Topka 2017 50 ms, Pal 2011 70 ms, brainstem > 100 ms);
3. recruitment ladder (muscle x latency after the jerk onset) across jerks;
4. inter-jerk interval histogram;
5. jerk-locked back-average (JLBA) with its 95% confidence band and the EMG-onset line;
6. Bereitschaftspotential average;
7. coherence spectra with the Rosenberg confidence limit;
8. evoked responses (SEP and C-reflex averages) after stimuli.

Figures use the Agg canvas directly (no pyplot state), so they are safe to draw in threads.
The cut-off lines are read from :class:`myoclonus.settings.OriginSettings` so the figure and the
origin estimate always show the same numbers.
"""
from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import signal

from myoclonus.settings import AnalysisSettings

__all__ = [
    "ReportFigure",
    "build_figures",
    "example_traces_figure",
    "burst_duration_figure",
    "recruitment_ladder_figure",
    "interval_histogram_figure",
    "jlba_figure",
    "bp_figure",
    "coherence_figure",
    "evoked_figure",
    "MAX_PANELS",
    "MAX_TRACE_CHANNELS",
]

logger = logging.getLogger(__name__)

#: Most small-multiple panels in one figure (e.g. 64 muscles): the busiest are drawn and the caption
#: says how many were left out (engineering choice: legible on one printed page).
MAX_PANELS = 16
#: Most channels stacked in the example-trace figure (engineering choice, legibility).
MAX_TRACE_CHANNELS = 16
_DPI = 110
_WIDTH_IN = 9.0
#: Points drawn per trace column (min/max pairs): keeps PNGs small at any sampling rate.
_TRACE_POINTS = 1200


@dataclass
class ReportFigure:
    """One figure of the report.

    Attributes
    ----------
    id : str
        Stable identifier (``"traces"``, ``"burst_durations"`` ...), used as HTML anchor.
    title : str
    caption : str
        What is shown and how to read it (cut-offs with their sources).
    png_base64 : str | None
        The image, or ``None`` when the figure could not be drawn.
    reason : str | None
        Why there is no image (e.g. ``"no EEG channel in the recording"``).
    """

    id: str
    title: str
    caption: str = ""
    png_base64: str | None = None
    reason: str | None = None

    @property
    def available(self) -> bool:
        """True when an image was drawn."""
        return self.png_base64 is not None

    @property
    def data_uri(self) -> str:
        """``data:image/png;base64,...`` for an ``<img src>`` (empty when not available)."""
        return f"data:image/png;base64,{self.png_base64}" if self.png_base64 else ""


def _figure(height_in: float, width_in: float = _WIDTH_IN, *, left_in: float = 0.6, hspace: float = 0.65) -> Figure:
    """A figure with fixed margins in inches (a fixed layout draws several times faster than a
    constrained one, which matters for reports with dozens of panels)."""
    fig = Figure(figsize=(width_in, height_in), dpi=_DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=left_in / width_in, right=1 - 0.15 / width_in, bottom=0.5 / height_in,
                        top=1 - 0.3 / height_in, hspace=hspace, wspace=0.25)
    return fig


def _encode(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _unavailable(fid: str, title: str, reason: str) -> ReportFigure:
    return ReportFigure(id=fid, title=title, reason=reason)


def _frame(results: Any) -> pd.DataFrame:
    if results is None:
        return pd.DataFrame()
    if isinstance(results, pd.DataFrame):
        return results
    return results.summary()


def _labels(channels: Sequence[Any]) -> dict[str, str]:
    return {c.name: (getattr(c, "label", None) or c.name) for c in channels}


# ------------------------------------------------------------------------------ 1. example traces

#: Display filter of the example traces: the surface-EMG high-pass of the conditioning (20 Hz,
#: ConditioningSettings.highpass_hz) so movement and drift do not hide the bursts.
_DISPLAY_HIGHPASS_HZ = 20.0


def _display_emg(data: np.ndarray, sfreq: float, mains_hz: float | None) -> np.ndarray:
    if data.shape[-1] < 32:
        return data - np.median(data, axis=-1, keepdims=True) if data.size else data
    sos = signal.butter(2, _DISPLAY_HIGHPASS_HZ, btype="highpass", fs=sfreq, output="sos")
    out = signal.sosfiltfilt(sos, data, axis=-1)
    if mains_hz and mains_hz < 0.45 * sfreq:
        b, a = signal.iirnotch(mains_hz, 30.0, fs=sfreq)
        out = signal.filtfilt(b, a, out, axis=-1)
    return out



def representative_jerks(jerks: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Up to ``n`` jerks that show the usual pattern, spread over the recording.

    Jerks involving two or more muscles are preferred when there are enough of them, and among those
    the ones with the most common number of muscles (the typical jerk, not the largest outlier);
    among them, ones at evenly spaced quantiles of time are taken.
    """
    if not len(jerks):
        return jerks
    counts = jerks["n_muscles"].astype(int)
    pool = jerks[counts >= 2] if int((counts >= 2).sum()) >= n else jerks  # a jerk shows across muscles
    modal = int(pool["n_muscles"].astype(int).mode().max())
    typical = pool[pool["n_muscles"].astype(int) == modal]
    if len(typical) < n:
        typical = pool
    idx = np.unique(np.round(np.linspace(0, len(typical) - 1, min(n, len(typical)))).astype(int))
    return typical.sort_values("onset_s").iloc[idx]


def example_traces_figure(
    recording: Any,
    bursts: Any,
    jerks: Any,
    *,
    n_examples: int = 3,
    window_s: tuple[float, float] = (-0.2, 0.4),
    max_channels: int = MAX_TRACE_CHANNELS,
    mains_hz: float | None = None,
    silent_periods: Any = None,
) -> ReportFigure:
    """Raw EMG around representative jerks, one column per jerk, detected bursts shaded.

    Parameters
    ----------
    recording : SignalSource
        Read through ``get_data`` (only the windows shown are read).
    bursts, jerks : results or DataFrames
        ``channel, onset_s, offset_s`` rows; jerk rows with ``onset_s, n_muscles``.
    n_examples : int
        Columns (jerks) shown.
    window_s : (float, float)
        Window around each jerk onset in seconds.
    max_channels : int
        Most channels stacked; the ones with most bursts in the shown windows come first.
    mains_hz : float | None
        Mains frequency found by the conditioning (notched for display).
    silent_periods : results or DataFrame | None
        Silent periods (negative myoclonus), shaded in blue.
    """
    fid, title = "traces", "Example jerks: EMG with the detected bursts"
    jerk_rows = _frame(jerks)
    if not len(jerk_rows):
        return _unavailable(fid, title, "no jerk was detected, so there is no jerk to show.")
    burst_rows = _frame(bursts)
    chosen = representative_jerks(jerk_rows, n_examples)
    sfreq = float(recording.sfreq)
    emg = [c for c in recording.channels if c.kind == "emg"]
    labels = _labels(recording.channels)
    windows = [(max(0.0, t + window_s[0]), min(recording.n_times / sfreq, t + window_s[1])) for t in chosen["onset_s"]]
    # channels with bursts in the shown windows first (then the other EMG channels), capped
    in_window = pd.Series(0, index=[c.name for c in emg], dtype=int)
    for lo, hi in windows:
        if len(burst_rows):
            sel = burst_rows[(burst_rows["onset_s"] < hi) & (burst_rows["offset_s"] > lo)]
            for name, k in sel["channel"].value_counts().items():
                if name in in_window.index:
                    in_window[name] += int(k)
    active = [c.name for c in emg if in_window[c.name] > 0]
    quiet = [c.name for c in emg if in_window[c.name] == 0]
    names = (active + quiet)[:max_channels]
    names = [c.name for c in emg if c.name in names]  # montage order
    left_out = len(emg) - len(names)

    n_cols = len(windows)
    segments = []
    for (lo, hi), t0 in zip(windows, chosen["onset_s"]):
        start, stop = int(round(lo * sfreq)), int(round(hi * sfreq))
        data = recording.get_data(names, start, stop) if stop > start else np.zeros((len(names), 0))
        segments.append((start, stop, t0, _display_emg(data, sfreq, mains_hz)))
    # one scale per channel over all columns: the largest deflection fills the row, but never less
    # than 8 robust noise SDs, so a quiet channel shows as quiet
    scales = []
    for row in range(len(names)):
        ys = np.concatenate([seg[3][row] for seg in segments]) if segments else np.zeros(0)
        noise_sd = 1.4826 * np.median(np.abs(ys - np.median(ys))) if ys.size else 0.0
        scales.append(max(float(np.max(np.abs(ys))) if ys.size else 0.0, 8.0 * noise_sd))
    silent_rows = _frame(silent_periods)
    n_silent_shown = 0
    fig = _figure(height_in=0.9 + 0.42 * len(names), width_in=_WIDTH_IN, left_in=0.85)
    axes = fig.subplots(1, n_cols, squeeze=False, sharey=True)[0]
    for col, ((lo, hi), (start, stop, t0, data)) in enumerate(zip(windows, segments)):
        ax = axes[col]
        times_ms = (np.arange(start, stop) / sfreq - t0) * 1e3
        for row, name in enumerate(names):
            y = data[row]
            scale = scales[row]
            y = y / (2.1 * scale) if scale > 0 else y
            offset = len(names) - 1 - row
            step = max(1, y.size // _TRACE_POINTS)
            ax.plot(times_ms[::step], offset + y[::step], lw=0.5, color="#222222")
            for rows, colour in ((burst_rows, "#d35400"), (silent_rows, "#2e86c1")):
                if not len(rows):
                    continue
                sel = rows[(rows["channel"] == name) & (rows["onset_s"] < hi) & (rows["offset_s"] > lo)]
                for on, off in zip(sel["onset_s"], sel["offset_s"]):
                    ax.axvspan((on - t0) * 1e3, (off - t0) * 1e3, ymin=(offset + 0.05) / len(names), ymax=(offset + 0.95) / len(names),
                               color=colour, alpha=0.28, lw=0)
                    n_silent_shown += colour == "#2e86c1"
        ax.axvline(0, color="#1f618d", lw=0.8, ls="--")
        ax.set_xlim(times_ms[0] if times_ms.size else window_s[0] * 1e3, times_ms[-1] if times_ms.size else window_s[1] * 1e3)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.set_xlabel("ms from jerk onset")
        ax.set_title(f"jerk at {t0:.2f} s", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(range(len(names)))
    axes[0].set_yticklabels([labels[n] for n in reversed(names)], fontsize=8)
    caption = (
        f"{n_cols} representative jerks (multi-muscle jerks with the most common number of muscles, spread over the recording). "
        f"EMG high-passed at {_DISPLAY_HIGHPASS_HZ:g} Hz" + (f" with a {mains_hz:g} Hz notch" if mains_hz else "")
        + "; each channel has one scale across the columns; orange spans are the detected bursts"
        + ("; blue spans are silent periods (negative myoclonus)" if n_silent_shown else "")
        + "; the dashed line is the jerk onset."
    )
    if left_out:
        caption += f" {left_out} EMG channels without bursts in these windows are not drawn."
    return ReportFigure(fid, title, caption, _encode(fig))


# ------------------------------------------------------------------------- 2. burst durations


def burst_duration_figure(bursts: Any, channels: Sequence[Any], settings: AnalysisSettings | None = None,
                          *, max_panels: int = MAX_PANELS) -> ReportFigure:
    """Histogram of burst durations per muscle with the origin cut-off lines.

    Lines: ``cortical_burst_cutoff_ms`` (45 ms, van der Veen 2024), ``cortical_burst_max_ms``
    (50 ms, Eberhardt & Topka 2017), ``functional_burst_min_ms`` (70 ms, Pal 2011) and
    ``brainstem_burst_min_ms`` (100 ms); see :class:`myoclonus.settings.OriginSettings`.
    """
    fid, title = "burst_durations", "Burst duration per muscle"
    o = (settings or AnalysisSettings()).origin
    rows = _frame(bursts)
    if not len(rows):
        return _unavailable(fid, title, "no EMG burst was detected.")
    labels = _labels(channels)
    counts = rows["channel"].value_counts()
    shown = list(counts.index[:max_panels])
    order = [c.name for c in channels if c.name in shown] + [n for n in shown if n not in labels]
    n = len(order)
    n_cols = min(4, n)
    n_rows = int(np.ceil(n / n_cols))
    fig = _figure(height_in=0.6 + 1.7 * n_rows)
    axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False)).ravel()
    top = max(200.0, float(np.percentile(rows["duration_ms"], 99)) * 1.1)
    bins = np.linspace(0, top, 41)
    cuts = [(o.cortical_burst_cutoff_ms, "#1e8449", "-"), (o.cortical_burst_max_ms, "#1e8449", ":"),
            (o.functional_burst_min_ms, "#d35400", "--"), (o.brainstem_burst_min_ms, "#7b241c", "-.")]
    for ax, name in zip(axes, order):
        d = rows.loc[rows["channel"] == name, "duration_ms"].to_numpy(float)
        ax.hist(np.clip(d, 0, top), bins=bins, color="#1f618d", alpha=0.85)
        for value, colour, style in cuts:
            ax.axvline(value, color=colour, ls=style, lw=1.1)
        ax.set_title(f"{labels.get(name, name)} (n={d.size}, median {np.median(d):.0f} ms)", fontsize=8.5)
        ax.tick_params(labelsize=7.5)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[(n_rows - 1) * n_cols:]:
        ax.set_xlabel("burst duration (ms)", fontsize=8)
    caption = (
        f"Lines: {o.cortical_burst_cutoff_ms:g} ms (solid green, best cortical cut-off, van der Veen et al. 2024) and "
        f"{o.cortical_burst_max_ms:g} ms (dotted green, cortical bursts 10-50 ms, Eberhardt & Topka 2017); "
        f"{o.functional_burst_min_ms:g} ms (dashed orange, functional jerks usually longer, Pal 2011); "
        f"{o.brainstem_burst_min_ms:g} ms (dash-dot red, brainstem bursts longer). Durations above {top:.0f} ms are drawn in the last bin."
    )
    if len(counts) > len(order):
        caption += f" The {len(order)} muscles with most bursts are drawn; {len(counts) - len(order)} more are in findings.json."
    return ReportFigure(fid, title, caption, _encode(fig))


# ------------------------------------------------------------------------ 3. recruitment ladder


def recruitment_ladder_figure(jerks: Any, *, max_muscles: int = 24) -> ReportFigure:
    """Latency of each muscle after the jerk onset, one dot per jerk (muscle x latency).

    Muscles are ordered by their median latency (first recruited at the top); the black bar is the
    median. A consistent order gives tight columns; variable order (functional jerks, Pal 2011)
    gives scattered dots.
    """
    fid, title = "recruitment", "Recruitment ladder: latency of each muscle after the jerk onset"
    rows = _frame(jerks)
    if not len(rows):
        return _unavailable(fid, title, "no jerk was detected.")
    multi = rows[rows["n_muscles"].astype(int) >= 2]
    if not len(multi):
        return _unavailable(fid, title, "every jerk involved a single muscle, so there is no recruitment order to show.")
    lat: dict[str, list[float]] = {}
    for d in multi["latencies_ms"]:
        for muscle, value in dict(d).items():
            lat.setdefault(str(muscle), []).append(float(value))
    order = sorted(lat, key=lambda m: (np.median(lat[m]), m))
    left_out = max(0, len(order) - max_muscles)
    order = order[:max_muscles]
    fig = _figure(height_in=1.0 + 0.3 * len(order), left_in=0.85)
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only, for display
    for i, muscle in enumerate(order):
        values = np.asarray(lat[muscle])
        y = len(order) - 1 - i
        ax.scatter(values, y + rng.uniform(-0.18, 0.18, values.size), s=9, alpha=0.55, color="#1f618d", lw=0)
        ax.plot([np.median(values)] * 2, [y - 0.32, y + 0.32], color="black", lw=2)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(list(reversed(order)), fontsize=8)
    ax.set_xlabel("latency after the first burst of the jerk (ms)")
    ax.axvline(0, color="#888888", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    caption = (f"{len(multi)} jerks involving two or more muscles; one dot per jerk and muscle (vertical jitter for "
               "visibility), black bar = median. Muscles are listed in order of median latency.")
    if left_out:
        caption += f" {left_out} later muscles are not drawn."
    return ReportFigure(fid, title, caption, _encode(fig))


# --------------------------------------------------------------------------- 4. inter-jerk intervals


def interval_histogram_figure(jerks: Any, rhythm: Any = None) -> ReportFigure:
    """Histogram of the intervals between consecutive jerk onsets (rate and regularity)."""
    fid, title = "intervals", "Intervals between jerks"
    rows = _frame(jerks)
    if len(rows) < 3:
        return _unavailable(fid, title, f"{len(rows)} jerk(s) detected; at least 3 are needed for an interval histogram.")
    onsets = np.sort(rows["onset_s"].to_numpy(float))
    intervals = np.diff(onsets)
    intervals = intervals[intervals > 0]
    fig = _figure(height_in=2.6)
    ax = fig.subplots()
    if intervals.max() / max(intervals.min(), 1e-3) > 50:
        bins = np.geomspace(max(intervals.min(), 1e-3), intervals.max(), 30)
        ax.set_xscale("log")
    else:
        bins = 30
    ax.hist(intervals, bins=bins, color="#1f618d", alpha=0.85)
    ax.set_xlabel("interval between consecutive jerk onsets (s)")
    ax.set_ylabel("count")
    cv = float(np.std(intervals) / np.mean(intervals)) if intervals.size > 1 else float("nan")
    caption = (f"{intervals.size} intervals; median {np.median(intervals):.2f} s ({1 / np.median(intervals):.2f} per s), "
               f"coefficient of variation {cv:.2f} (near 0 = rhythmic, near 1 = random).")
    extra = _rhythm_text(rhythm)
    if extra:
        caption += " " + extra
    return ReportFigure(fid, title, caption, _encode(fig))


def _rhythm_text(rhythm: Any) -> str:
    if rhythm is None:
        return ""
    data = rhythm.to_dict() if hasattr(rhythm, "to_dict") else (rhythm if isinstance(rhythm, dict) else vars(rhythm))
    parts = []
    for key in ("dominant_frequency_hz", "periodicity_p_value", "p_value", "rhythmic"):
        value = data.get(key)
        if value is None or isinstance(value, (list, dict, np.ndarray)):
            continue
        if key.endswith("p_value") and isinstance(value, float) and value < 0.001:
            parts.append(f"{key.replace('_', ' ')}: < 0.001")  # a strongly periodic train reports a tiny analytic bound
        else:
            parts.append(f"{key.replace('_', ' ')}: {value:.3g}" if isinstance(value, float) else f"{key.replace('_', ' ')}: {value}")
    return ("Rhythm analysis: " + "; ".join(parts) + ".") if parts else ""


# -------------------------------------------------------------------------------------- 5. JLBA


def _bandpass(data: np.ndarray, sfreq: float, band_hz: tuple[float, float]) -> np.ndarray:
    high = min(band_hz[1], 0.45 * sfreq)
    sos = signal.butter(4, [band_hz[0], high], btype="bandpass", fs=sfreq, output="sos")
    return signal.sosfiltfilt(sos, data, axis=-1)


def _epochs(data: np.ndarray, sfreq: float, onsets_s: np.ndarray, window_ms: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    start = int(round(window_ms[0] * sfreq / 1e3))
    stop = int(round(window_ms[1] * sfreq / 1e3))
    offsets = np.arange(start, stop + 1)
    centre = np.round(np.asarray(onsets_s, float) * sfreq).astype(np.int64)
    centre = centre[(centre + start >= 0) & (centre + stop < data.shape[-1])]
    if not centre.size:
        return np.zeros((0,) + data.shape[:-1] + (offsets.size,)), offsets / sfreq * 1e3
    idx = centre[:, None] + offsets[None, :]
    return np.moveaxis(data[..., idx], -2, 0), offsets / sfreq * 1e3


def _central_first(names: Sequence[str], peak: str | None, limit: int) -> list[str]:
    from myoclonus.signals.backaverage import is_central_channel

    ordered = ([peak] if peak in names else []) + [n for n in names if is_central_channel(n) and n != peak]
    ordered += [n for n in names if n not in ordered]
    return ordered[:limit]


def jlba_figure(jlba: Any, settings: AnalysisSettings | None = None, *, max_panels: int = 6) -> ReportFigure:
    """Jerk-locked EEG averages with a 95% confidence band (mean +- 1.96 SEM) and the EMG-onset line."""
    fid, title = "jlba", "Jerk-locked back-averaging (EEG before the EMG onset)"
    if jlba is None:
        return _unavailable(fid, title, "back-averaging was not run (the neurophysiology stage did not run on this recording).")
    if jlba.status == "not_assessable" or not np.size(jlba.average_uv):
        return _unavailable(fid, title, f"not assessable: {jlba.reason}")
    o = (settings or AnalysisSettings()).origin
    times_ms = np.asarray(jlba.times_ms, float)
    avg = np.asarray(jlba.average_uv, float)
    names = list(jlba.ch_names)
    sem = np.asarray(jlba.sem_uv, float)
    band = (avg - 1.96 * sem, avg + 1.96 * sem) if sem.shape == avg.shape and jlba.n_epochs > 1 else None
    shown = _central_first(names, jlba.peak_channel, max_panels)
    n_cols = min(3, len(shown))
    n_rows = int(np.ceil(len(shown) / n_cols))
    fig = _figure(height_in=0.6 + 1.9 * n_rows, hspace=0.35)
    axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False, sharex=True, sharey=True)).ravel()
    for ax, name in zip(axes, shown):
        k = names.index(name)
        if band is not None:
            ax.fill_between(times_ms, band[0][k], band[1][k], color="#1f618d", alpha=0.22, lw=0, label="95% CI")
        ax.plot(times_ms, avg[k], color="#1f618d", lw=1.1)
        ax.axvspan(o.jlba_search_ms[0], o.jlba_search_ms[1], color="#f4d03f", alpha=0.18, lw=0)
        ax.axvline(0, color="#b00020", lw=1, ls="--")
        ax.axhline(0, color="#888888", lw=0.5)
        ax.set_title(name + (" (peak)" if name == jlba.peak_channel else ""), fontsize=9)
        ax.tick_params(labelsize=7.5)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    for ax in axes[(n_rows - 1) * n_cols:]:
        ax.set_xlabel("ms from EMG onset", fontsize=8)
    axes[0].set_ylabel("µV", fontsize=8)
    verdict = {"found": "a premyoclonic potential was found", "none_found": "no significant premyoclonic potential"}.get(jlba.status, jlba.status)
    p = f"p = {jlba.p_value:.3g}" if jlba.p_value is not None else "p not computed"
    caption = (
        f"Average of {jlba.n_epochs} EEG epochs locked to {jlba.trigger} ({jlba.n_rejected} rejected for amplitude); {verdict} "
        f"({p}, random-trigger surrogates). Red dashed line: EMG onset; yellow: window searched for the premyoclonic potential "
        f"({o.jlba_search_ms[0]:g} to {o.jlba_search_ms[1]:g} ms). "
    )
    caption += ("Shaded band: 95% confidence interval of the mean (1.96 SEM across epochs). " if band is not None
                else "No confidence band: fewer than two epochs. ")
    if jlba.status == "found" and jlba.peak_latency_ms is not None:
        caption += f"Peak {jlba.peak_amplitude_uv:+.1f} µV at {jlba.peak_latency_ms:.0f} ms on {jlba.peak_channel} ({jlba.topography}). "
    caption += f"Reference: {jlba.reference}."
    return ReportFigure(fid, title, caption, _encode(fig))


# ---------------------------------------------------------------------------------------- 6. BP


def bp_figure(bp: Any) -> ReportFigure:
    """Bereitschaftspotential: slow EEG average in the seconds before the jerks (Cz/FC region)."""
    fid, title = "bp", "Bereitschaftspotential (slow EEG shift before the jerks)"
    if bp is None:
        return _unavailable(fid, title, "not run: no EEG-tested jerks (the neurophysiology stage did not run or found no jerk).")
    if bp.status == "not_assessable" or not np.size(bp.average_uv):
        return _unavailable(fid, title, f"not assessable: {bp.reason}")
    t = np.asarray(bp.times_s, float)
    y = np.asarray(bp.average_uv, float)
    fig = _figure(height_in=2.6)
    ax = fig.subplots()
    ax.plot(t, y, color="#1f618d", lw=1.2)
    ax.axvline(0, color="#b00020", lw=1, ls="--")
    ax.axhline(0, color="#888888", lw=0.5)
    if bp.onset_s is not None:
        ax.axvline(bp.onset_s, color="#d35400", lw=1, ls=":")
    ax.invert_yaxis()
    ax.set_xlabel("s from jerk onset")
    ax.set_ylabel("µV (negative up)")
    verdict = {"found": "a significant slow negativity precedes the jerks", "none_found": "no significant slow negativity"}.get(bp.status, bp.status)
    p = f"p = {bp.p_value:.3g}" if bp.p_value is not None else "p not computed"
    caption = (f"Average over {', '.join(bp.channels) or 'the central channels'} of {bp.n_epochs} clean epochs "
               f"({bp.n_clean} of {bp.n_jerks} jerks had no other jerk in the preceding window); {verdict} ({p}). "
               "Negative is drawn upwards, as is usual for slow cortical potentials; red dashed line: jerk onset"
               + ("; dotted orange: estimated onset" if bp.onset_s is not None else "") + f". Reference: {bp.reference}.")
    return ReportFigure(fid, title, caption, _encode(fig))


# --------------------------------------------------------------------------------- 7. coherence


def coherence_figure(eeg_emg: Any, emg_emg: Sequence[Any] = (), *, reason: str | None = None, max_panels: int = 4) -> ReportFigure:
    """Coherence spectra with the Rosenberg et al. 1989 confidence limit and the beta band shaded."""
    fid, title = "coherence", "Coherence spectra (EEG-EMG and EMG-EMG)"
    results = ([eeg_emg] if eeg_emg is not None else []) + list(emg_emg)[: max_panels - 1]
    if not results:
        return _unavailable(fid, title, f"not assessable: {reason or 'coherence was not computed (no EEG or no EMG bursts).'}")
    n = len(results)
    n_cols = min(2, n)
    n_rows = int(np.ceil(n / n_cols))
    fig = _figure(height_in=0.5 + 2.0 * n_rows, hspace=0.5)
    axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False)).ravel()
    for ax, res in zip(axes, results):
        f = np.asarray(res.freqs_hz, float)
        c = np.asarray(res.coherence, float)
        keep = f <= 100
        ax.plot(f[keep], c[keep], color="#1f618d", lw=1)
        ax.axhline(res.limit, color="#b00020", ls="--", lw=1)
        if getattr(res, "band_limit", None):
            ax.hlines(res.band_limit, res.band_hz[0], res.band_hz[1], color="#b00020", ls=":", lw=1.2)
        ax.axvspan(res.band_hz[0], res.band_hz[1], color="#f4d03f", alpha=0.2, lw=0)
        ax.set_title(f"{res.pair[0]} - {res.pair[1]}" + (" (significant)" if res.significant else ""), fontsize=9)
        ax.set_ylim(0, max(2.0 * res.limit, float(np.nanmax(c[keep])) * 1.1 if keep.any() else 0.2))
        ax.tick_params(labelsize=7.5)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[(n_rows - 1) * n_cols:]:
        ax.set_xlabel("frequency (Hz)", fontsize=8)
    for ax in axes[::n_cols]:
        ax.set_ylabel("coherence", fontsize=8)
    first = results[0]
    caption = (f"Magnitude-squared coherence, {first.n_segments} segments. Red dashed line: {100 * (1 - first.alpha):.0f}% confidence "
               f"limit for that number of segments (Rosenberg et al. 1989); yellow: the {first.band_hz[0]:g}-{first.band_hz[1]:g} Hz "
               "beta band, where cortical myoclonus shows corticomuscular coherence (Caviness et al. 2003). The dotted segment is the "
               "limit corrected for the number of frequency bins in the band (Bonferroni); a pair is called significant when the "
               "band exceeds it.")
    if eeg_emg is None and reason:
        caption += f" EEG-EMG coherence not assessable: {reason}."
    return ReportFigure(fid, title, caption, _encode(fig))


# ------------------------------------------------------------------------------ 8. evoked responses


def evoked_figure(recording: Any, stimuli_s: np.ndarray, sep: Any = None, c_reflex: Sequence[Any] = (),
                  settings: AnalysisSettings | None = None) -> ReportFigure:
    """Stimulus-locked averages: SEP at the electrode with the largest response and rectified hand EMG (C-reflex)."""
    fid, title = "evoked", "Evoked responses after stimuli (SEP and C-reflex)"
    stim = np.unique(np.round(np.asarray(stimuli_s, float), 3))
    if recording is None or not stim.size:
        return _unavailable(fid, title, "no stimulus markers in the recording (no STIM/TRIG channel or stimulus annotations).")
    o = (settings or AnalysisSettings()).origin
    sfreq = float(recording.sfreq)
    panels: list[tuple[str, np.ndarray, np.ndarray, dict, str]] = []
    n_read = int(min(recording.n_times, o.eeg_budget_samples // 4))
    sep_channel = getattr(sep, "channel", None) or _first_present(recording, "eeg", ("C3", "C4", "CP3", "CP4", "Cz"))
    if sep_channel:
        eeg = recording.get_data([sep_channel], 0, n_read)
        eeg = _bandpass(eeg, sfreq, (3.0, min(1000.0, 0.45 * sfreq)))
        ep, t = _epochs(eeg, sfreq, stim, o.sep_window_ms)
        if len(ep):
            base = t < 0
            ep = ep - ep[:, :, base].mean(axis=2, keepdims=True)
            marks = {k: v for k, v in (getattr(sep, "latencies_ms", None) or {}).items() if v is not None}
            panels.append((f"SEP at {sep_channel} ({len(ep)} stimuli)", t, ep[:, 0].mean(axis=0), marks, "µV"))
    labels = _labels(recording.channels)
    by_label = {v: k for k, v in labels.items()}
    reflexes = [(by_label.get(cr.channel, cr.channel), cr.channel, cr.status, cr.latency_ms) for cr in c_reflex]
    if not reflexes:  # no C-reflex measurement: show the hand muscles' responses anyway
        hand = [c for c in recording.channels if c.kind == "emg" and c.muscle in ("FDI", "APB", "ADM")]
        reflexes = [(c.name, labels[c.name], "not measured", None) for c in hand]
    for name, label, status, latency in reflexes[:2]:
        if name not in labels:
            continue
        emg = recording.get_data([name], 0, n_read)
        emg = np.abs(_bandpass(emg, sfreq, (20.0, min(450.0, 0.45 * sfreq))))
        ep, t = _epochs(emg, sfreq, stim, (-20.0, 120.0))
        if len(ep):
            marks = {"C-reflex": latency} if latency is not None else {}
            panels.append((f"{label}: rectified EMG ({status})", t, ep[:, 0].mean(axis=0), marks, "µV"))
    if not panels:
        reason = getattr(sep, "reason", None) or "no SEP electrode or hand muscle to average."
        return _unavailable(fid, title, f"not assessable: {reason}")
    fig = _figure(height_in=2.5, width_in=_WIDTH_IN)
    axes = np.atleast_1d(fig.subplots(1, len(panels), squeeze=False)).ravel()
    for ax, (name, t, y, marks, unit) in zip(axes, panels):
        ax.plot(t, y, color="#1f618d", lw=1)
        ax.axvline(0, color="#b00020", lw=1, ls="--")
        for i, (label, latency) in enumerate(marks.items()):
            ax.axvline(latency, color="#d35400", lw=0.8, ls=":")
            ax.text(latency, 0.97 - 0.09 * i, f" {label}", fontsize=7, va="top", color="#d35400",
                    transform=ax.get_xaxis_transform())
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("ms from stimulus", fontsize=8)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7.5)
    caption = (f"Averages locked to {stim.size} stimulus markers (red dashed line). Dotted lines mark the measured components. "
               "Giant SEP: see the neurophysiology table for every published definition (Shibasaki 8.6/8.4 µV, 10 µV rule, "
               "mean + 3 SD) and the recording conditions. C-reflex: ~40 ms in hand muscles in cortical reflex myoclonus, "
               "normal long-latency reflex 49-51 ms (Podivinsky 1989).")
    return ReportFigure(fid, title, caption, _encode(fig))


def _first_present(recording: Any, kind: str, wanted: Sequence[str]) -> str | None:
    from myoclonus.signals.backaverage import _eeg_token

    by_token = {}
    for c in recording.channels:
        tok = _eeg_token(c.name) if c.kind == kind else None
        if tok:
            by_token.setdefault((tok[0] + tok[1]).upper(), c.name)
    for w in wanted:
        if w.upper() in by_token:
            return by_token[w.upper()]
    return None


# ------------------------------------------------------------------------------------- all figures


def _mains_hz(bursts: Any) -> float | None:
    value = getattr(bursts, "mains_hz", None)
    try:
        return float(value) if value else None
    except (TypeError, ValueError):
        return None


_TITLES = {
    "traces": "Example jerks: EMG with the detected bursts",
    "burst_durations": "Burst duration per muscle",
    "recruitment": "Recruitment ladder: latency of each muscle after the jerk onset",
    "intervals": "Intervals between jerks",
    "jlba": "Jerk-locked back-averaging (EEG before the EMG onset)",
    "bp": "Bereitschaftspotential (slow EEG shift before the jerks)",
    "coherence": "Coherence spectra (EEG-EMG and EMG-EMG)",
    "evoked": "Evoked responses after stimuli (SEP and C-reflex)",
}


def _safely(fid: str, draw: Callable[[], ReportFigure]) -> ReportFigure:
    """Draw one figure; a drawing failure leaves that figure out with the reason, not the whole report."""
    try:
        return draw()
    except Exception as exc:  # noqa: BLE001 - one broken figure must not lose the report
        logger.warning("figure %s could not be drawn: %s", fid, exc)
        return _unavailable(fid, _TITLES[fid], f"could not be drawn ({type(exc).__name__}: {exc}).")


def build_figures(analysis: Any) -> list[ReportFigure]:
    """Every figure of the recording report for one :class:`~myoclonus.signals.analysis.Analysis`.

    A figure that cannot be drawn (missing data, or an unexpected error while drawing) is returned
    with its reason, so the report stays complete and says why.
    """
    rec = analysis.recording
    settings = getattr(analysis, "settings", None)
    neuro = getattr(analysis, "neurophysiology", None)
    bursts, jerks = analysis.bursts, analysis.jerks
    figures = [
        _safely("traces", lambda: example_traces_figure(rec, bursts, jerks, mains_hz=_mains_hz(bursts),
                                                        silent_periods=getattr(analysis, "silent_periods", None))),
        _safely("burst_durations", lambda: burst_duration_figure(bursts, rec.channels, settings)),
        _safely("recruitment", lambda: recruitment_ladder_figure(jerks)),
        _safely("intervals", lambda: interval_histogram_figure(jerks, getattr(analysis, "rhythm", None))),
    ]
    has_eeg = any(c.kind == "eeg" for c in rec.channels)
    if neuro is None:
        why = "no EEG channel in the recording" if not has_eeg else "the neurophysiology stage did not run on this recording"
        figures += [_unavailable(fid, _TITLES[fid], f"not assessable: {why}.") for fid in ("jlba", "bp", "coherence")]
    else:
        figures += [_safely("jlba", lambda: jlba_figure(neuro.jlba, settings)),
                    _safely("bp", lambda: bp_figure(neuro.bp)),
                    _safely("coherence", lambda: coherence_figure(neuro.coherence, neuro.emg_coherence, reason=neuro.coherence_reason))]
    stimuli = np.asarray([s.onset_s for s in getattr(rec, "stimuli", [])], float)
    figures.append(_safely("evoked", lambda: evoked_figure(rec, stimuli, getattr(neuro, "sep", None),
                                                           getattr(neuro, "c_reflex", []) or [], settings)))
    return figures
