"""Jerks: bursts grouped across muscles; recruitment order, latencies, agonist-antagonist pattern.

Grouping
--------
Bursts are taken in onset order. A jerk opens at the earliest burst not yet assigned and takes,
per channel, the first burst whose onset falls within ``max_spread_ms`` of the jerk onset (the
startle reflex recruits muscles over 20-150 ms; van der Veen et al. 2022; Dreissen et al. 2012).
Later bursts of a channel already in the jerk, inside the same window, belong to the jerk as
repeated bursts (cortical repetitive bursts ~20 ms apart, Brown & Marsden 1996) without adding
a muscle.

Agonist-antagonist pattern (per jerk, per antagonist pair recorded on the same side)
------------------------------------------------------------------------------------
- ``co_contraction``: both muscles burst and the bursts overlap in time by at least half of the
  shorter one (synchronous co-contraction is typical of cortical myoclonus; Hallett 1979).
- ``triphasic``: agonist, then antagonist starting after the agonist ends, then the agonist again
  (as in voluntary ballistic movement and functional jerks; Pal 2011; Panyakaew et al. 2016).
- ``alternating``: agonist then antagonist without overlap, no return of the agonist.
- ``single``: only one muscle of the pair is active.

References
----------
Hallett M, Chadwick D, Marsden CD. Cortical reflex myoclonus. Neurology 1979.
Pal PK. Electrophysiologic evaluation of psychogenic movement disorders. J Mov Disord 2011;4:21.
Panyakaew P, Cho HJ, Hallett M. Clin Neurophysiol Pract 2016;1:33.
"""
from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from myoclonus.errors import InputError
from myoclonus.settings import AnalysisSettings
from myoclonus.signals.channels import ChannelInfo
from myoclonus.signals.results import EventResults

__all__ = ["JerkResults", "group_jerks", "ANTAGONIST_PAIRS", "JERK_COLUMNS"]

logger = logging.getLogger(__name__)

#: Antagonist pairs (agonist first) compared within a jerk: wrist extensor/flexor, elbow
#: flexor/extensor, ankle dorsi/plantar flexors, knee extensor/flexor, trunk flexor/extensor
#: (standard functional anatomy; the pairs named in the project brief, issue 3).
ANTAGONIST_PAIRS: tuple[tuple[str, str], ...] = (
    ("ECR", "FCR"),
    ("EDC", "FCR"),
    ("BIC", "TRI"),
    ("TA", "GAS"),
    ("TA", "SOL"),
    ("QUAD", "HAM"),
    ("RA", "PSP"),
)
#: Share of jerks in which two muscles keep their usual order for the recruitment to be called
#: "consistent" (engineering choice; functional jerks show variable recruitment, Pal 2011).
CONSISTENT_ORDER_FRACTION = 0.8
#: Muscles whose median onsets differ by less than this are nearly simultaneous: their order is
#: not judged (engineering choice: ~4x the onset precision of the burst detector).
ORDER_TIE_MS = 2.0
#: Fewest jerks two muscles must share before their order is judged (engineering choice).
MIN_PAIR_JERKS = 3
#: Window after the jerk onset searched for the antagonist and the agonist's return in a
#: triphasic pattern (engineering choice: voluntary triphasic patterns last 150-300 ms).
PATTERN_WINDOW_MS = 400.0

JERK_COLUMNS = ["onset_s", "offset_s", "duration_s", "duration_ms", "n_muscles", "first_muscle", "muscles",
                "channel", "channels", "latencies_ms", "spread_ms", "pattern"]


@dataclass
class JerkResults(EventResults):
    """Jerks (bursts grouped across muscles).

    Columns of :meth:`summary`: ``onset_s, offset_s, duration_s, duration_ms, n_muscles,
    first_muscle, muscles`` (comma list in onset order), ``channel`` (first channel),
    ``channels`` (tuple, onset order), ``latencies_ms`` (dict label -> ms after the jerk onset),
    ``spread_ms`` (last minus first onset), ``pattern`` (dict pair -> co_contraction |
    alternating | triphasic | single).

    Attributes
    ----------
    recruitment : dict
        ``leader_counts`` (label -> jerks it led), ``leader_fraction``, ``modal_order`` (most
        frequent full order) and ``modal_order_fraction``, ``typical_order`` (muscles ranked by
        how often each precedes the others), ``order_concordance`` (pairwise, see
        :func:`_recruitment`), ``order`` (``consistent`` | ``variable`` | ``n/a``),
        ``median_latency_ms`` per label, ``n_multi_muscle``.
    patterns : dict
        Per antagonist pair, counts of each pattern over the jerks.
    """

    recruitment: dict[str, Any] = field(default_factory=dict)
    patterns: dict[str, dict[str, int]] = field(default_factory=dict)

    annotation_label: ClassVar[str] = "myoclonus/jerk"

    @property
    def onsets_s(self) -> np.ndarray:
        """Jerk onsets in seconds."""
        return self.events["onset_s"].to_numpy(float) if len(self.events) else np.empty(0)

    def _annotation_channels(self, row: pd.Series) -> tuple[str, ...]:
        return tuple(row["channels"])

    def summary(self, grp_chan: bool = False) -> pd.DataFrame:
        """Jerks table; with ``grp_chan=True`` one row per first muscle (count, median/IQR duration)."""
        if not grp_chan:
            return self.events.copy()
        rows = []
        for label, ev in self.events.groupby("first_muscle", sort=True):
            dur = ev["duration_ms"].to_numpy(float)
            rows.append({"first_muscle": label, "count": int(len(ev)), "median_duration_ms": float(np.median(dur)),
                         "iqr_duration_ms": float(np.subtract(*np.percentile(dur, [75, 25])))})
        return pd.DataFrame(rows, columns=["first_muscle", "count", "median_duration_ms", "iqr_duration_ms"])


def _label(ch: ChannelInfo | None, name: str) -> str:
    return ch.label if ch is not None else name


def _pair_pattern(ag: list[tuple[float, float]], an: list[tuple[float, float]]) -> str:
    """Pattern of one antagonist pair from the bursts (onset, offset) of each muscle."""
    if not ag and not an:
        return ""
    if not ag or not an:
        return "single"
    a0, b0 = ag[0], an[0]
    first, second = (ag, an) if a0[0] <= b0[0] else (an, ag)
    f0, s0 = first[0], second[0]
    overlap = min(f0[1], s0[1]) - max(f0[0], s0[0])
    shorter = min(f0[1] - f0[0], s0[1] - s0[0])
    if shorter > 0 and overlap >= 0.5 * shorter:
        return "co_contraction"
    if s0[0] >= f0[1] - 1e-9 or overlap < 0.5 * shorter:
        if any(b[0] >= s0[1] - 1e-9 for b in first[1:]):
            return "triphasic"
        return "alternating"
    return "co_contraction"


def group_jerks(bursts, channels: Sequence[ChannelInfo] | None = None, *, settings: AnalysisSettings | None = None) -> JerkResults:
    """Group bursts across muscles into jerks.

    Parameters
    ----------
    bursts : BurstResults
        Output of :func:`~myoclonus.signals.bursts.detect_bursts`.
    channels : sequence of ChannelInfo | None
        Muscle metadata (``muscle``, ``side``) of the burst channels; default the metadata stored
        in ``bursts``.
    settings : AnalysisSettings | None
        Uses ``jerks.max_spread_ms``.

    Returns
    -------
    JerkResults
    """
    settings = settings or AnalysisSettings()
    if not hasattr(bursts, "events"):
        raise InputError(f"expected BurstResults from detect_bursts, got {type(bursts).__name__}.", where="bursts")
    info: dict[str, ChannelInfo] = dict(getattr(bursts, "channel_info", {}) or {})
    if channels is not None:
        info.update({ch.name: ch for ch in channels})
    ev = bursts.events
    window = settings.jerks.max_spread_ms / 1000.0
    rows: list[dict[str, Any]] = []
    pattern_counts: dict[str, Counter] = {}
    if len(ev):
        on = ev["onset_s"].to_numpy(float)
        off = ev["offset_s"].to_numpy(float)
        ch = ev["channel"].to_numpy(object)
        order = np.argsort(on, kind="stable")
        on, off, ch = on[order], off[order], ch[order]
        # Python lists for the per-burst loop below (indexing NumPy arrays one item at a time is slow)
        on_s, off_s, ch_s = on.tolist(), off.tolist(), ch.tolist()
        assigned = [False] * on.size
        pairs = _recorded_pairs(info)
        label_of = {n: _label(info.get(n), n) for n in set(ch_s)}  # one label per channel, not per burst
        muscle_of = {n: (c.side, c.muscle) for n in set(ch_s) if (c := info.get(n)) is not None and c.muscle is not None}
        for i in range(on.size):
            if assigned[i]:
                continue
            t0 = on_s[i]
            j_end = bisect_right(on_s, t0 + window)
            members: dict[str, int] = {}
            repeats: list[int] = []
            for j in range(i, j_end):
                if assigned[j]:
                    continue
                assigned[j] = True
                if ch_s[j] in members:
                    repeats.append(j)
                else:
                    members[ch_s[j]] = j
            # the agonist's return in a triphasic pattern belongs to the same jerk
            pat_end = bisect_right(on_s, t0 + PATTERN_WINDOW_MS / 1000.0)
            for j in range(j_end, pat_end):
                if not assigned[j] and ch_s[j] in members and _has_antagonist(ch_s[j], members, info):
                    assigned[j] = True
                    repeats.append(j)
            idx = list(members.values())
            names = list(members)
            labels = [label_of[n] for n in names]
            lat = {lab: round((on_s[k] - t0) * 1000.0, 3) for lab, k in zip(labels, idx)}
            offset = max(off_s[k] for k in idx + repeats)
            pattern = _jerk_patterns(t0, on_s, off_s, muscle_of, ch_s, pairs)
            for pair, pat in pattern.items():
                pattern_counts.setdefault(pair, Counter())[pat] += 1
            rows.append({
                "onset_s": float(t0),
                "offset_s": offset,
                "duration_s": offset - float(t0),
                "duration_ms": (offset - float(t0)) * 1000.0,
                "n_muscles": len(idx),
                "first_muscle": labels[0],
                "muscles": ",".join(labels),
                "channel": names[0],
                "channels": tuple(names),
                "latencies_ms": lat,
                "spread_ms": float((on[idx[-1]] - t0) * 1000.0),
                "pattern": pattern,
            })
    events = pd.DataFrame(rows, columns=JERK_COLUMNS)
    return JerkResults(
        events=events,
        sfreq=bursts.sfreq,
        channel_status=dict(bursts.channel_status),
        artefacts=bursts.artefacts,
        recruitment=_recruitment(events),
        patterns={k: dict(v) for k, v in pattern_counts.items()},
    )


def _has_antagonist(name: str, members: dict[str, int], info: dict[str, ChannelInfo]) -> bool:
    """Whether a channel of the jerk is an antagonist (same side) of ``name``'s muscle."""
    me = info.get(name)
    if me is None or me.muscle is None:
        return False
    partners = {b for a, b in ANTAGONIST_PAIRS if a == me.muscle} | {a for a, b in ANTAGONIST_PAIRS if b == me.muscle}
    return any((c := info.get(m)) is not None and c.muscle in partners and c.side == me.side for m in members)


def _recorded_pairs(info: dict[str, ChannelInfo]) -> list[tuple[str, str, str | None]]:
    """(agonist, antagonist, side) of every antagonist pair recorded on one side (once per
    recording, not once per jerk)."""
    recorded = {(c.side, c.muscle) for c in info.values() if c.muscle}
    pairs = []
    for ag, an in ANTAGONIST_PAIRS:
        for side in sorted({s for s, m in recorded if m in (ag, an)}, key=str):
            if (side, ag) in recorded and (side, an) in recorded:
                pairs.append((ag, an, side))
    return pairs


def _jerk_patterns(t0: float, on: list[float], off: list[float], muscle_of: dict[str, tuple[str | None, str]],
                   ch: list[str], pairs: list[tuple[str, str, str | None]]) -> dict[str, str]:
    """Agonist-antagonist pattern of every antagonist pair recorded on one side (``pairs``), for
    the jerk starting at ``t0``; ``on``, ``off``, ``ch``: the bursts sorted by onset (lists: this
    runs once per jerk), ``muscle_of``: (side, muscle) of each channel with a known muscle."""
    if not pairs:
        return {}
    lo = bisect_left(on, t0)
    hi = bisect_right(on, t0 + PATTERN_WINDOW_MS / 1000.0)
    by_muscle: dict[tuple[str | None, str], list[tuple[float, float]]] = {}
    for k in range(lo, hi):
        key = muscle_of.get(ch[k])
        if key is not None:
            by_muscle.setdefault(key, []).append((on[k], off[k]))
    out: dict[str, str] = {}
    for ag, an, side in pairs:
        pat = _pair_pattern(by_muscle.get((side, ag), []), by_muscle.get((side, an), []))
        if pat:
            prefix = {"left": "L ", "right": "R "}.get(side or "", "")
            out[f"{prefix}{ag}/{an}"] = pat
    return out


def _pair_latency_differences(latencies: list[dict[str, float]]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """For every two muscles ``a < b`` (by name): ``latency b - latency a`` in each jerk (rows),
    NaN where the jerk lacks either. Returns the muscle names, the first and second muscle of each
    pair (indices into the names) and the table of differences (jerks x pairs)."""
    names = sorted({k for d in latencies for k in d})
    col = {n: j for j, n in enumerate(names)}
    table = np.full((len(latencies), len(names)), np.nan)
    for i, d in enumerate(latencies):
        for k, v in d.items():
            table[i, col[k]] = v
    first, second = np.triu_indices(len(names), k=1)
    return names, first, second, table[:, second] - table[:, first]


def _recruitment(events: pd.DataFrame) -> dict[str, Any]:
    """Leaders, typical order and how consistently the muscles keep it.

    Consistency is judged pair by pair (a Kendall-type concordance): for every two muscles that
    burst together in at least :data:`MIN_PAIR_JERKS` jerks and whose median onset difference is
    at least :data:`ORDER_TIE_MS` (nearly simultaneous muscles swap order by chance and are
    ignored), the share of jerks in which they keep their usual order; ``order`` is
    ``consistent`` when the jerk-weighted mean share reaches :data:`CONSISTENT_ORDER_FRACTION`.
    ``typical_order`` ranks the muscles by how often each precedes the others.
    """
    empty = {"leader_counts": {}, "leader_fraction": {}, "modal_order": [], "modal_order_fraction": float("nan"),
             "typical_order": [], "order_concordance": float("nan"), "order": "n/a", "median_latency_ms": {},
             "n_multi_muscle": 0}
    if not len(events):
        return empty
    leaders = Counter(events["first_muscle"])
    n = len(events)
    multi = events[events["n_muscles"] >= 2]
    orders = Counter(tuple(m.split(",")) for m in multi["muscles"])
    modal, modal_n = (list(orders.most_common(1)[0][0]), orders.most_common(1)[0][1]) if orders else ([], 0)
    frac = modal_n / len(multi) if len(multi) else float("nan")
    lat: dict[str, list[float]] = {}
    for d in events["latencies_ms"]:
        for k, v in d.items():
            lat.setdefault(k, []).append(v)
    names, first, second, diffs = _pair_latency_differences(list(multi["latencies_ms"]))
    # every pair of muscles at once (columns of ``diffs``; NaN: the jerk lacks one of the two)
    size = np.sum(~np.isnan(diffs), axis=0)
    ties = 0.5 * np.sum(diffs == 0, axis=0)
    together = size > 0
    meets_n = (np.bincount(first[together], size[together], len(names))
               + np.bincount(second[together], size[together], len(names)))
    wins_n = (np.bincount(first, np.sum(diffs > 0, axis=0) + ties, len(names))
              + np.bincount(second, np.sum(diffs < 0, axis=0) + ties, len(names)))
    meets = {n: int(meets_n[k]) for k, n in enumerate(names) if meets_n[k] > 0}
    wins = {n: float(wins_n[k]) for k, n in enumerate(names) if meets_n[k] > 0}
    agree = total = 0
    ordered = np.flatnonzero(size >= MIN_PAIR_JERKS)
    if ordered.size:
        median = np.nanmedian(diffs[:, ordered], axis=0)
        ordered, median = ordered[np.abs(median) >= ORDER_TIE_MS], median[np.abs(median) >= ORDER_TIE_MS]
        agree = int(np.sum(np.sign(diffs[:, ordered]) == np.sign(median)))  # NaN never equals
        total = int(np.sum(size[ordered]))
    concordance = agree / total if total else float("nan")
    order = "n/a" if not total else ("consistent" if concordance >= CONSISTENT_ORDER_FRACTION else "variable")
    typical = sorted(meets, key=lambda m: (-wins[m] / meets[m], m))
    return {
        "leader_counts": dict(leaders),
        "leader_fraction": {k: v / n for k, v in leaders.items()},
        "modal_order": modal,
        "modal_order_fraction": frac,
        "typical_order": typical,
        "order_concordance": concordance,
        "order": order,
        "median_latency_ms": {k: float(np.median(v)) for k, v in lat.items()},
        "n_multi_muscle": int(len(multi)),
    }
