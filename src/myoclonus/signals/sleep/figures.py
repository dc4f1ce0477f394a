"""Hypnogram with leg movements and PLM series marked (for the report and ``myoclonus sleep``)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from myoclonus.signals.sleep.scoring import SleepResults  # noqa: E402

__all__ = ["plot_hypnogram"]

_LEVEL = {"W": 5, "R": 4, "N1": 3, "N2": 2, "N3": 1, "?": 0}


def plot_hypnogram(results: SleepResults):
    """Figure: hypnogram (top) and leg movements as ticks, PLM series shaded (bottom).

    Returns a matplotlib Figure (caller closes it).
    """
    fig, (ax_h, ax_e) = plt.subplots(2, 1, figsize=(11, 4.2), sharex=True,
                                     gridspec_kw={"height_ratios": [3, 1.4]})
    hyp = results.hypnogram
    hours = results.duration_s / 3600.0
    if hyp.stages:
        edges = (hyp.start_s + np.arange(len(hyp.stages) + 1) * hyp.epoch_s) / 3600.0
        levels = [_LEVEL[s] for s in hyp.stages]
        ax_h.stairs(levels, edges, baseline=None, color="k", linewidth=1.0)
        rem = [i for i, s in enumerate(hyp.stages) if s == "R"]
        for i in rem:
            ax_h.hlines(_LEVEL["R"], edges[i], edges[i + 1], color="tab:red", linewidth=3)
        ax_h.set_title(f"Hypnogram ({hyp.source}) - rules {results.rules}", fontsize=10)
    else:
        ax_h.text(0.5, 0.5, "no sleep stages", transform=ax_h.transAxes, ha="center", va="center")
        ax_h.set_title(f"Hypnogram (none) - rules {results.rules}", fontsize=10)
    ax_h.set_yticks(list(_LEVEL.values()), list(_LEVEL))
    ax_h.set_ylim(-0.5, 5.5)
    for s in results.series:
        ax_e.axvspan(s.start_s / 3600, s.end_s / 3600, color="tab:orange", alpha=0.3, linewidth=0)
    lm = results.movements
    if lm:
        x = [m.onset_s / 3600 for m in lm]
        colors = ["tab:orange" if m.plm_series else "tab:blue" for m in lm]
        ax_e.vlines(x, 0.1, 0.9, colors=colors, linewidth=0.8)
    if results.hypnic and results.hypnic.jerks:
        ax_e.plot([j.onset_s / 3600 for j in results.hypnic.jerks], [1.1] * len(results.hypnic.jerks),
                  "v", color="tab:purple", markersize=5, label="hypnic jerk")
    ax_e.set_ylim(0, 1.3)
    ax_e.set_yticks([])
    label = "no tibialis channel" if results.limb_movements is None else f"{len(lm)} LMs, {len(results.series)} PLM series (orange)"
    ax_e.set_ylabel("LMs", fontsize=9)
    ax_e.set_title(label, fontsize=9, loc="left")
    ax_e.set_xlabel("time (h)")
    ax_e.set_xlim(0, max(hours, 1e-3))
    fig.tight_layout()
    return fig
