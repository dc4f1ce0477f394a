"""Anatomical origin of the jerks from the recording: every criterion of CRITERIA 1, combined.

Each criterion of the CRITERIA 1.1 master table is evaluated as ``met``, ``not_met`` or
``not_assessable`` with the measured value and its reference. A criterion carries points per
origin (natural-log likelihood ratios): published sensitivity/specificity gives the points where
the sources report them (JLBA, BP); elsewhere the points are an engineering choice, stated as such
and tuned only on the tuning seeds of ``benchmarks/origin_accuracy.py``. The sum of points per
origin, from a uniform prior, goes through a softmax into probabilities over the seven origins of
CONTRACTS 2. Every probability lists the criteria for and against it, so each number is traceable.

Where sources disagree (CRITERIA 7) the stricter rule decides and both are shown (cortical burst
limit 45 ms (van der Veen 2024) vs 50 ms (Eberhardt & Topka 2017); SCM startle onset < 83 ms vs
< 120 ms; propriospinal velocity 3-11 m/s vs 3.2-6.7 m/s).

Decision support, not a diagnosis.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from myoclonus.knowledge.models import ORIGINS  # CONTRACTS §2 labels, defined once
from myoclonus.settings import AnalysisSettings
from myoclonus.signals.channels import ChannelInfo

__all__ = ["ORIGINS", "Criterion", "OriginEstimate", "estimate_origin", "JerkTable", "build_jerk_table"]

logger = logging.getLogger(__name__)

C, CS, S, SS, P, PE, F = ORIGINS

Status = Literal["met", "not_met", "not_assessable"]

# ----------------------------------------------------------------------------------- anatomy helpers
_CRANIAL_RANK = {"V": 1, "VII": 2, "XI": 3}
_SPINAL_BASE = {"C": 10, "T": 18, "L": 30, "S": 35}
#: Surface distance per vertebral segment in cm (engineering choice: adult vertebral heights about
#: 1.8 cm cervical, 2.4 cm thoracic, 3.5 cm lumbar); velocity = surface distance between recording
#: levels / latency difference, as in the propriospinal series (J Korean Neurol Assoc 2003;21:82).
_SEGMENT_CM = {"C": 1.8, "T": 2.4, "L": 3.5, "S": 3.5}
_DEFAULT_LEVEL = {
    "MAS": "V", "OOC": "VII", "OOR": "VII", "MEN": "VII", "SCM": "XI", "TRAP": "XI",
    "DEL": "C5", "BIC": "C6", "TRI": "C7", "ECR": "C6", "FCR": "C7", "EDC": "C7",
    "FDI": "C8", "APB": "T1", "ADM": "C8", "INT": "T6", "PSP": "T8", "RA": "T10",
    "QUAD": "L3", "HAM": "L5", "TA": "L4", "GAS": "S1", "SOL": "S1",
}
_ANTAGONIST = {"BIC": "TRI", "TRI": "BIC", "ECR": "FCR", "FCR": "ECR", "QUAD": "HAM", "HAM": "QUAD",
               "TA": "GAS", "GAS": "TA", "SOL": "TA", "RA": "PSP", "PSP": "RA"}
_FACIAL = {"OOC", "OOR", "MEN"}
_ACCESSORY = {"SCM", "TRAP"}
_AXIAL_THORACIC = {"PSP", "RA", "INT"}
#: Muscles starting within this time of the jerk onset all count as its first muscle (engineering
#: choice: conduction jitter of a few ms; bilateral homologous muscles start together).
LEADER_TIE_MS = 5.0


def _level(info: ChannelInfo) -> str | None:
    return info.level or _DEFAULT_LEVEL.get(info.muscle or "")


def rank_of(info: ChannelInfo) -> int | None:
    """Rostro-caudal rank (cranial V 1, VII 2, XI 3; C1 = 11 ... S5 = 40), as in muscles.yaml."""
    lvl = _level(info)
    if lvl is None:
        return None
    if lvl in _CRANIAL_RANK:
        return _CRANIAL_RANK[lvl]
    if lvl[:1] in _SPINAL_BASE and lvl[1:].isdigit():
        return _SPINAL_BASE[lvl[0]] + int(lvl[1:])
    return None


def spine_position_cm(level: str) -> float | None:
    """Surface distance of a spinal level below C1 (cm), or None for cranial / unknown levels."""
    if not level or level[:1] not in _SEGMENT_CM or not level[1:].isdigit():
        return None
    n = int(level[1:])
    c, t, lum = 7 * _SEGMENT_CM["C"], 12 * _SEGMENT_CM["T"], 5 * _SEGMENT_CM["L"]
    return {"C": n * _SEGMENT_CM["C"], "T": c + n * _SEGMENT_CM["T"], "L": c + t + n * _SEGMENT_CM["L"],
            "S": c + t + lum + n * _SEGMENT_CM["S"]}[level[0]]


# ----------------------------------------------------------------------------------- jerk table
@dataclass
class JerkTable:
    """Bursts assigned to jerks: one row per (jerk, channel) with the channel's first burst.

    Columns: ``jerk, channel, onset_s, duration_ms, latency_ms`` (latency from the jerk onset).
    ``all_bursts`` keeps every burst with its jerk index (for triphasic patterns).
    """

    first: pd.DataFrame
    all_bursts: pd.DataFrame
    n_jerks: int
    onsets_s: np.ndarray


def build_jerk_table(bursts: pd.DataFrame, jerk_onsets_s: np.ndarray | None, max_spread_ms: float, window_ms: float = 500.0) -> JerkTable:
    """Assign bursts to jerks.

    With ``jerk_onsets_s`` (from the jerk grouping), a burst belongs to the latest jerk starting
    at most ``window_ms`` before it; its first burst per channel counts for recruitment when it
    starts within ``max_spread_ms``. Without, jerks are formed here: a burst starting more than
    ``max_spread_ms`` after the current jerk onset opens a new jerk.
    """
    cols = ["jerk", "channel", "onset_s", "duration_ms", "latency_ms"]
    if bursts is None or len(bursts) == 0:
        return JerkTable(pd.DataFrame(columns=cols), pd.DataFrame(columns=cols), 0, np.zeros(0))
    b = bursts.sort_values("onset_s").reset_index(drop=True)
    on = b["onset_s"].to_numpy(float)
    if jerk_onsets_s is None:
        starts = []
        for t in on:
            if not starts or (t - starts[-1]) * 1e3 > max_spread_ms:
                starts.append(t)
        jerk_onsets_s = np.asarray(starts)
    j_on = np.sort(np.asarray(jerk_onsets_s, dtype=float))
    k = np.searchsorted(j_on, on + 1e-9, side="right") - 1
    lat = np.where(k >= 0, (on - j_on[np.clip(k, 0, None)]) * 1e3, np.inf)
    b = b.assign(jerk=k, latency_ms=lat)
    b = b[(b["jerk"] >= 0) & (b["latency_ms"] <= window_ms)]
    first = b[b["latency_ms"] <= max_spread_ms].sort_values("onset_s").groupby(["jerk", "channel"], as_index=False).first()
    return JerkTable(first[cols].reset_index(drop=True), b[cols].reset_index(drop=True), int(j_on.size), j_on)


# ----------------------------------------------------------------------------------- criteria
@dataclass
class Criterion:
    """One criterion of CRITERIA 1 evaluated on the recording.

    Attributes
    ----------
    id : str
    text : str
        What is tested, with the cut-off.
    status : {"met", "not_met", "not_assessable"}
    value : str
        What was measured.
    reference : str
        Where the criterion comes from.
    points : dict
        Log-likelihood-ratio points given to each origin by this outcome.
    basis : str
        How the points were set (published accuracy or engineering choice).
    """

    id: str
    text: str
    status: Status
    value: str
    reference: str
    points: dict[str, float] = field(default_factory=dict)
    basis: str = "engineering choice (points), tuned on tuning seeds only"

    def sentence(self) -> str:
        """Readable one-line statement with its source."""
        verdict = {"met": "met", "not_met": "not met", "not_assessable": "not assessable"}[self.status]
        return f"{self.text}: {verdict} ({self.value}) [{self.reference}]"

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"id": self.id, "criterion": self.text, "status": self.status, "value": self.value,
                "reference": self.reference, "points": {k: round(v, 2) for k, v in self.points.items() if v},
                "basis": self.basis}


def _crit(cid, text, met, value, reference, if_met, if_not=None, basis=None) -> Criterion:
    if met is None:
        return Criterion(cid, text, "not_assessable", value, reference, {}, basis or Criterion.basis)
    pts = dict(if_met if met else (if_not or {}))
    return Criterion(cid, text, "met" if met else "not_met", value, reference, pts, basis or Criterion.basis)


@dataclass
class OriginEstimate:
    """Probabilities over the seven origins, with every criterion behind them.

    Attributes
    ----------
    probabilities : list of (label, probability)
        Sorted, summing to 1; ``[("none", 1.0)]`` when no jerk was found.
    criteria : list of Criterion
    scores : dict
        Summed points per origin (before the softmax).
    """

    probabilities: list[tuple[str, float]]
    criteria: list[Criterion]
    scores: dict[str, float]
    n_jerks: int = 0
    notes: list[str] = field(default_factory=list)
    disclaimer: str = "Decision support, not a diagnosis: the origin estimate combines published criteria; each is listed with its source."

    @property
    def top(self) -> str:
        """Most probable label."""
        return self.probabilities[0][0]

    def to_findings(self) -> list[dict]:
        """The CONTRACTS 3 ``"origin"`` list: label, probability, for, against."""
        if self.top == "none":
            return [{"label": "none", "probability": 1.0, "for": [c.sentence() for c in self.criteria], "against": []}]
        out = []
        for label, prob in self.probabilities:
            pro = [f"{c.sentence()} [{c.points[label]:+.1f}]" for c in self.criteria if c.points.get(label, 0) > 0]
            con = [f"{c.sentence()} [{c.points[label]:+.1f}]" for c in self.criteria if c.points.get(label, 0) < 0]
            out.append({"label": label, "probability": round(prob, 4), "for": pro, "against": con})
        # rounding must not break "sums to 1"
        drift = 1.0 - sum(o["probability"] for o in out)
        out[0]["probability"] = round(out[0]["probability"] + drift, 4)
        return out

    def criteria_dicts(self) -> list[dict]:
        """Every criterion as a dict (for findings.json ``origin_criteria``)."""
        return [c.to_dict() for c in self.criteria]


def _softmax(scores: dict[str, float]) -> list[tuple[str, float]]:
    m = max(scores.values())
    ex = {k: math.exp(v - m) for k, v in scores.items()}
    tot = sum(ex.values())
    return sorted(((k, v / tot) for k, v in ex.items()), key=lambda kv: (-kv[1], ORIGINS.index(kv[0])))


def _main_population(jt: JerkTable, notes: list[str]) -> JerkTable:
    """Keep the multi-muscle jerks when they are a sizeable population (>= 10 and >= 30% of jerks).

    Isolated single-channel bursts in a multi-channel recording are set aside for the pattern
    criteria: they are often residual artefact (ECG in trunk muscles, pops) and would blur extent,
    order and rhythm (engineering choice; the note says how many were set aside).
    """
    if jt.n_jerks == 0 or len(jt.first) == 0:
        return jt
    sizes = jt.first.groupby("jerk")["channel"].nunique()
    multi = np.asarray(sorted(sizes[sizes >= 2].index))
    if multi.size < 10 or multi.size < 0.3 * jt.n_jerks or multi.size == jt.n_jerks:
        return jt
    keep = set(multi.tolist())
    remap = {old: new for new, old in enumerate(multi.tolist())}
    first = jt.first[jt.first["jerk"].isin(keep)].assign(jerk=lambda d: d["jerk"].map(remap))
    allb = jt.all_bursts[jt.all_bursts["jerk"].isin(keep)].assign(jerk=lambda d: d["jerk"].map(remap))
    notes.append(f"{jt.n_jerks - multi.size} single-muscle jerks set aside (isolated bursts, possibly artefact); "
                 f"the pattern criteria use the {multi.size} multi-muscle jerks")
    return JerkTable(first.reset_index(drop=True), allb.reset_index(drop=True), int(multi.size), jt.onsets_s[multi])


# ---- individual criteria -------------------------------------------------------------------------
def _duration_criteria(jt: JerkTable, s: AnalysisSettings) -> list[Criterion]:
    o = s.origin
    dur = jt.all_bursts["duration_ms"].to_numpy(float) if len(jt.all_bursts) else np.zeros(0)
    if dur.size < o.min_bursts_for_duration:
        why = f"{dur.size} bursts, fewer than {o.min_bursts_for_duration} (van der Veen 2024: >= 10 bursts)"
        return [Criterion("burst_duration", "Burst duration", "not_assessable", why, "van der Veen 2024; Eberhardt & Topka 2017", {})]
    med = float(np.median(dur))
    q1, q3 = np.percentile(dur, [25, 75])
    val = f"median {med:.0f} ms (IQR {q1:.0f}-{q3:.0f}) over {dur.size} bursts"
    out = [
        _crit("burst_duration_cortical",
              f"Median burst duration <= {o.cortical_burst_cutoff_ms:g} ms (stricter than the {o.cortical_burst_max_ms:g} ms of Eberhardt & Topka: "
              f"{'met' if med <= o.cortical_burst_max_ms else 'not met'} by that rule)",
              med <= o.cortical_burst_cutoff_ms, val,
              "van der Veen et al. 2024 (45 ms, sens 100%, spec 89.5%); Eberhardt & Topka, Brain Sci 2017;7:103 (10-50 ms)",
              {C: 2.0, CS: 0.5, S: -2.0, SS: -2.0, P: -2.0, F: -2.0}, {C: -2.0},
              basis="engineering choice; 45 ms cut-off sens 1.00 / spec 0.895 (LR+ ~9.5, van der Veen 2024)"),
        _crit("burst_duration_functional", f"Median burst duration > {o.functional_burst_min_ms:g} ms", med > o.functional_burst_min_ms, val,
              "Pal, J Mov Disord 2011;4:21, Table 3", {F: 0.5, S: 0.5, SS: 0.5, P: 0.5, C: -1.0, CS: -0.5}, {F: -1.0, SS: -0.5, P: -0.5}),
        _crit("burst_duration_brainstem", f"Median burst duration > {o.brainstem_burst_min_ms:g} ms", med > o.brainstem_burst_min_ms, val,
              "brainstem myoclonus review 1996 (CRITERIA 1.1); propriospinal 100-400 ms (J Korean Neurol Assoc 2003)",
              {S: 0.5, SS: 0.5, P: 0.5, CS: -1.0}, {S: -0.7}),
        _crit("burst_duration_cortical_subcortical", f"Median burst duration above the {o.cortical_burst_cutoff_ms:g} ms cortical cut-off but within the cortical-subcortical 25-100 ms", 25.0 <= med <= 100.0 and med > o.cortical_burst_cutoff_ms, val,
              "Riva et al. 2024 (secondary, CRITERIA 1.1)", {CS: 1.0}, {}),
    ]
    return out


def _rhythm_criteria(jt: JerkTable) -> list[Criterion]:
    on = jt.onsets_s
    ref_ss = "Jankovic & Pardo, Arch Neurol 1986 (segmental 1-2 Hz); Brown et al., Mov Disord 1994;9:571 (propriospinal 1-7 Hz)"
    if on.size < 8:
        return [Criterion("rhythm", "Rhythmic jerks", "not_assessable", f"{on.size} jerks, fewer than 8", ref_ss, {})]
    iji = np.diff(on)
    cv = float(np.std(iji) / np.mean(iji))
    rate = float(1.0 / np.median(iji))
    rhythmic = cv < 0.3  # engineering choice: CV of inter-jerk intervals; Poisson-like trains have CV ~1
    val = f"{rate:.2f} Hz, inter-jerk CV {cv:.2f} (rhythmic when CV < 0.3, engineering choice)"
    return [
        _crit("rhythmic_1_7hz", "Rhythmic jerks at 1-7 Hz (segmental 1-2 Hz, propriospinal 1-7 Hz)", rhythmic and 0.8 <= rate <= 7.0, val, ref_ss,
              {SS: 1.5, P: 1.5, C: -0.5, S: -0.5, F: -0.5}, {SS: -1.5, P: -1.0}),
    ]


def _active(jt: JerkTable, channels: dict[str, ChannelInfo], min_fraction: float = 0.2) -> list[str]:
    if jt.n_jerks == 0 or len(jt.first) == 0:
        return []
    counts = jt.first.groupby("channel")["jerk"].nunique()
    return [ch for ch, n in counts.items() if n >= min_fraction * jt.n_jerks and ch in channels]


def _extent_criteria(jt: JerkTable, channels: dict[str, ChannelInfo]) -> list[Criterion]:
    active = _active(jt, channels)
    emg = [c for c in channels.values() if c.kind == "emg"]
    if not active:
        return [Criterion("extent", "Extent of the jerks", "not_assessable", "no muscle active in >= 20% of jerks", "CRITERIA 1.1", {})]
    infos = [channels[a] for a in active]
    labels = ", ".join(sorted(i.label for i in infos))
    out = []
    unknown = [i.name for i in infos if i.muscle is None or rank_of(i) is None]
    if unknown:
        why = f"muscle of {', '.join(unknown)} unknown (name the channels per CONTRACTS 3 or give a montage)"
        return [Criterion("one_facial_territory", "Jerks confined to one facial-nerve territory", "not_assessable", why, "CRITERIA 1.1", {}),
                Criterion("confined_myotomes", "Jerks confined to 1-2 contiguous myotomes", "not_assessable", why, "CRITERIA 1.1", {})]
    # Peripheral: one facial-nerve territory (CRITERIA 1.1: hemifacial spasm).
    facial = all(i.muscle in _FACIAL for i in infos) and len({i.side for i in infos}) == 1
    out.append(_crit("one_facial_territory", "Jerks confined to one facial-nerve territory", facial, f"active: {labels}",
                     "hemifacial spasm: one facial-nerve territory (CRITERIA 1.1)", {PE: 4.0, C: -1.0, CS: -1.0, S: -1.0, SS: -1.0, P: -1.0, F: -0.5}, {PE: -3.0}))
    # Segmental: confined to 1-2 contiguous myotomes, no cranial muscle.
    ranks = [rank_of(i) for i in infos]
    cranial = any(r is not None and r <= 3 for r in ranks)
    spinal = [r for r in ranks if r is not None and r > 3]
    confined = (not cranial) and bool(spinal) and (max(spinal) - min(spinal) <= 1) and len(spinal) == len(ranks)
    out.append(_crit("confined_myotomes", "Jerks confined to 1-2 contiguous myotomes", confined,
                     f"active: {labels}; segments {sorted({_level(i) for i in infos if _level(i)})}",
                     "Plazzi & Vetrugno 2010; Jankovic & Pardo 1986 (CRITERIA 1.1)", {SS: 3.0, P: -1.0, S: -1.0, CS: -1.0, F: -0.5}, {SS: -2.0}))
    # Cortical-subcortical: bilateral, synchronous, generalized.
    per_jerk_sides = jt.first.assign(side=jt.first["channel"].map(lambda c: channels[c].side if c in channels else None))
    both = per_jerk_sides.groupby("jerk")["side"].agg(lambda s: {"left", "right"} <= set(s))
    spread = jt.first.groupby("jerk")["latency_ms"].max()
    bilat = float(both.mean()) if len(both) else 0.0
    sides_recorded = {c.side for c in emg} >= {"left", "right"}
    generalized = None if not sides_recorded else bool(bilat >= 0.7 and float(spread.median()) <= 40.0)
    out.append(_crit("bilateral_synchronous", "Bilateral synchronous generalized jerks (>= 70% bilateral, median spread <= 40 ms)", generalized,
                     f"{bilat:.0%} of jerks bilateral, median spread {float(spread.median()):.0f} ms" if sides_recorded else "only one body side recorded",
                     "myoclonic seizures / JME: generalized, bilateral synchronous (CRITERIA 1.1; bilateral [unverified])",
                     {CS: 1.5, S: 0.3, C: -1.0, PE: -1.0, SS: -1.0, P: -0.5}, {CS: -1.5}))
    return out


def _recruitment_criteria(jt: JerkTable, channels: dict[str, ChannelInfo], s: AnalysisSettings) -> list[Criterion]:
    out: list[Criterion] = []
    multi = jt.first.groupby("jerk").filter(lambda g: len(g) >= 2)
    if multi.empty:
        return [Criterion("recruitment", "Recruitment order", "not_assessable", "no jerk with >= 2 muscles", "CRITERIA 1.1", {})]
    # Leaders of a jerk: muscles (either side) starting within LEADER_TIE_MS of the jerk onset, so
    # bilateral synchronous muscles (R and L SCM) do not count as a change of order.
    def key(ch: str) -> str:
        info = channels.get(ch)
        if info is None or info.muscle is None:
            return ch
        return f"{info.muscle} {info.level}" if info.muscle == "PSP" and info.level else info.muscle

    leaders = multi[multi["latency_ms"] <= LEADER_TIE_MS].assign(key=lambda d: d["channel"].map(key))
    sets = leaders.groupby("jerk")["key"].agg(set)
    n_multi = int(multi["jerk"].nunique())
    counts = Counter(k for ks in sets for k in ks)
    modal_key, n_modal = counts.most_common(1)[0]
    consistency = n_modal / n_multi
    modal = leaders.loc[leaders["key"] == modal_key, "channel"].value_counts().index[0]
    modal_info = channels.get(modal)
    modal_label = modal_key
    # Functional: variable order (Pal 2011).
    out.append(_crit("variable_order", "Variable recruitment order from jerk to jerk (modal first muscle, within 5 ms of onset, in < 50% of jerks)",
                     consistency < 0.5, f"first muscle {modal_label} in {consistency:.0%} of {n_multi} jerks",
                     "Pal 2011 (CRITERIA 1.1: variable recruitment in functional jerks)", {F: 2.0, C: -0.5, S: -0.7, P: -0.7, CS: -0.5, SS: -0.5}, {F: -1.5}))
    # latency vs rank
    ranks = multi["channel"].map(lambda c: rank_of(channels[c]) if c in channels else None)
    ok = ranks.notna()
    recorded = [c for c in channels.values() if c.kind == "emg"]
    # Reticular reflex: SCM / trapezius first, then up (masseter, facial) and down (limbs).
    scm_recorded = any(c.muscle in _ACCESSORY for c in recorded)
    if scm_recorded:
        scm_first = modal_info is not None and modal_info.muscle in _ACCESSORY and consistency >= 0.5
        up = multi[multi["channel"].map(lambda c: channels[c].muscle in {"MAS", "OOC", "OOR", "MEN"} if c in channels else False)]
        down = multi[multi["channel"].map(lambda c: (rank_of(channels[c]) or 0) > 3 if c in channels else False)]
        both = scm_first and len(up) > 0 and len(down) > 0 and float(up["latency_ms"].median()) > 0 and float(down["latency_ms"].median()) > 0
        out.append(_crit("scm_first_up_and_down", "SCM/trapezius (accessory nucleus) first, then spreading up to cranial muscles and down the cord",
                         bool(both), f"first muscle {modal_label} in {consistency:.0%} of jerks",
                         "Bhidayasiri & Tarsy 2012 citing Hallett 2002 (reticular reflex myoclonus, CRITERIA 1.1)",
                         {S: 3.0, C: -1.0, CS: -0.5, P: -1.0, F: -0.5}, {S: -1.5}))
    else:
        out.append(Criterion("scm_first_up_and_down", "SCM/trapezius first, spreading up and down", "not_assessable", "no SCM or trapezius channel", "Bhidayasiri & Tarsy 2012 (CRITERIA 1.1)", {}))
    # Propriospinal: mid-thoracic start, spreading up and down, cranial spared, 3-11 m/s.
    thoracic = [c for c in recorded if c.muscle in _AXIAL_THORACIC]
    if thoracic:
        mi = modal_info
        axial_first = mi is not None and mi.muscle in _AXIAL_THORACIC and consistency >= 0.5
        first_rank = rank_of(mi) if mi else None
        later = multi[multi["channel"] != modal]
        later_ranks = later["channel"].map(lambda c: rank_of(channels[c]) if c in channels else None).dropna()
        bidir = first_rank is not None and (later_ranks < first_rank).any() and (later_ranks > first_rank).any()
        active = _active(jt, channels)
        cranial_active = any((rank_of(channels[a]) or 99) <= 3 for a in active)
        met = bool(axial_first and bidir and not cranial_active)
        out.append(_crit("thoracic_origin_bidirectional", "Mid-thoracic first muscle, spreading up and down the cord, cranial muscles spared",
                         met, f"first muscle {modal_label} in {consistency:.0%} of jerks; cranial muscles {'active' if cranial_active else 'spared'}",
                         "Chokroverty, Clin Neurosci 1995;3:219; Brown et al. 1994 (CRITERIA 1.1)", {P: 3.0, S: -1.0, SS: -1.0, C: -1.0, CS: -0.5}, {P: -2.0}))
        out.append(_velocity_criterion(multi, channels, modal if axial_first else None))
    else:
        out.append(Criterion("thoracic_origin_bidirectional", "Mid-thoracic first muscle spreading up and down", "not_assessable", "no paraspinal / rectus abdominis channel", "Chokroverty 1995 (CRITERIA 1.1)", {}))
    # Cortical: rostro-caudal (descending) order.
    if ok.sum() >= 6 and ranks[ok].nunique() >= 2:
        rho = float(stats.spearmanr(ranks[ok].astype(float), multi.loc[ok, "latency_ms"]).statistic)
        top_rank = rank_of(modal_info) if modal_info else None
        most_rostral = top_rank is not None and top_rank <= min(r for r in ranks[ok])
        met = bool(rho >= 0.5 and most_rostral and not (modal_info and modal_info.muscle in _ACCESSORY | _AXIAL_THORACIC))
        out.append(_crit("rostro_caudal_order", "Descending (rostro-caudal) recruitment led by the most rostral active muscle",
                         met, f"Spearman rho(rank, latency) = {rho:.2f}; first muscle {modal_label}",
                         "Hallett et al. 1979 (cortical reflex myoclonus: descending order, CRITERIA 1.1)", {C: 1.0, CS: 0.5, S: -0.5, P: -0.5, F: -0.5}, {}))
    return out


def _velocity_criterion(multi: pd.DataFrame, channels: dict[str, ChannelInfo], first: str | None) -> Criterion:
    ref = "3-11 m/s (Chokroverty 1995; stricter 3.2-6.7 m/s Korean series 2003 shown)"
    if first is None:
        return Criterion("propriospinal_velocity", "Propagation velocity 3-11 m/s", "not_assessable", "jerks do not start in a thoracic axial muscle", ref, {})
    p0 = spine_position_cm(_level(channels[first]) or "")
    v = []
    for _, row in multi[multi["channel"] != first].iterrows():
        info = channels.get(row["channel"])
        pos = spine_position_cm(_level(info) or "") if info else None
        if pos is None or p0 is None or row["latency_ms"] < 2.0:
            continue
        v.append(abs(pos - p0) * 10.0 / row["latency_ms"])  # cm/ms*10 = m/s
    if len(v) < 3:
        return Criterion("propriospinal_velocity", "Propagation velocity 3-11 m/s", "not_assessable", f"{len(v)} latency pairs", ref, {})
    med = float(np.median(v))
    return _crit("propriospinal_velocity", "Propagation velocity 3-11 m/s", 3.0 <= med <= 11.0,
                 f"median {med:.1f} m/s over {len(v)} pairs ({'within' if 3.2 <= med <= 6.7 else 'outside'} the stricter 3.2-6.7 m/s)",
                 ref, {P: 1.0}, {P: -0.5})


def _triphasic_criterion(jt: JerkTable, channels: dict[str, ChannelInfo]) -> Criterion:
    ref = "Pal 2011; Panyakaew, Cho & Hallett, Clin Neurophysiol Pract 2016;1:33 (triphasic in functional jerks); Hallett 1979 (co-contraction in cortical)"
    by_muscle = {(c.muscle, c.side): c.name for c in channels.values() if c.kind == "emg" and c.muscle}
    pairs = [(name_a, by_muscle[(_ANTAGONIST[m], side)]) for (m, side), name_a in by_muscle.items()
             if m in _ANTAGONIST and (_ANTAGONIST[m], side) in by_muscle]
    if not pairs or jt.n_jerks == 0:
        return Criterion("triphasic", "Triphasic agonist-antagonist-agonist pattern", "not_assessable", "no agonist-antagonist pair recorded", ref, {})
    n_pair_jerks = 0
    n_tri = 0
    # burst onsets per (jerk, channel), sorted (plain loop: a pandas groupby costs ~0.2 ms per group)
    grouped: dict[tuple, list[float]] = {}
    ab = jt.all_bursts
    for key in zip(ab["jerk"].to_numpy(), ab["channel"].to_numpy(object), ab["onset_s"].to_numpy(float)):
        grouped.setdefault(key[:2], []).append(key[2])
    onsets = {key: np.sort(np.asarray(v, float)) for key, v in grouped.items()}
    for j in ab["jerk"].unique():
        for a, b in pairs:
            t_a, t_b = onsets.get((j, a)), onsets.get((j, b))
            if t_a is None or t_b is None:
                continue
            n_pair_jerks += 1
            if t_b[0] - t_a[0] > 0.03 and (t_a > t_b[0] + 0.03).any():
                n_tri += 1
                break
    if n_pair_jerks < 5:
        return Criterion("triphasic", "Triphasic agonist-antagonist-agonist pattern", "not_assessable", f"{n_pair_jerks} jerks involve an antagonist pair", ref, {})
    frac = n_tri / n_pair_jerks
    return _crit("triphasic", "Triphasic agonist-antagonist-agonist pattern in >= 30% of jerks with both muscles", frac >= 0.3,
                 f"{n_tri} of {n_pair_jerks} jerks ({frac:.0%})", ref, {F: 2.0, C: -0.5, S: -0.5}, {F: -0.5})


def _eeg_criteria(neuro) -> list[Criterion]:
    out: list[Criterion] = []
    jl = getattr(neuro, "jlba", None)
    if jl is not None:
        ref = jl.reference
        basis = "published: JLBA sensitivity ~0.70 (Latorre 2023); specificity 0.95 assumed (engineering choice) -> LR+ 14 (ln 2.6), LR- 0.32 (ln -1.1)"
        if jl.status == "not_assessable":
            out.append(Criterion("jlba", "Jerk-locked premyoclonic EEG potential", "not_assessable", jl.reason, ref, {}, basis))
        elif jl.found and jl.topography and jl.topography.startswith("generalized"):
            out.append(Criterion("jlba", "Jerk-locked EEG discharge, generalized (cortical-subcortical)", "met", jl.reason + f"; {jl.topography}", ref, {CS: 2.6, C: 1.0, S: -1.0, SS: -1.0, P: -1.0, PE: -1.0, F: -1.0}, basis))
        elif jl.found:
            out.append(Criterion("jlba", "Jerk-locked focal premyoclonic potential (cortical)", "met", jl.reason + f"; {jl.topography}", ref, {C: 2.6, CS: 1.0, S: -1.0, SS: -1.0, P: -1.0, PE: -1.0, F: -1.0}, basis))
        else:
            out.append(Criterion("jlba", "Jerk-locked premyoclonic EEG potential", "not_met", jl.reason, ref, {C: -1.1, CS: -1.1}, basis))
    bp = getattr(neuro, "bp", None)
    if bp is not None:
        basis = "published: BP absent in all organic myoclonus (van der Salm 2012; specificity ~0.98 assumed); sensitivity 0.25 (functional PSM, PRD 2016, the stricter source) -> LR+ 12.5 (ln 2.5), LR- 0.77 (ln -0.3)"
        if bp.status == "not_assessable":
            out.append(Criterion("bereitschaftspotential", "Bereitschaftspotential before the jerks", "not_assessable", bp.reason, bp.reference, {}, basis))
        else:
            out.append(Criterion("bereitschaftspotential", "Bereitschaftspotential before the jerks", "met" if bp.found else "not_met", bp.reason, bp.reference,
                                 {F: 2.5} if bp.found else {F: -0.3}, basis))
    coh = getattr(neuro, "coherence", None)
    if coh is not None:
        out.append(Criterion("beta_coherence", "Significant EEG-EMG coherence in the beta band (12-30 Hz)", "met" if coh.significant else "not_met",
                             f"{coh.pair[0]}-{coh.pair[1]}: peak {coh.peak_coherence:.3f} at {coh.peak_hz:.1f} Hz, limit {coh.band_limit:.3f} ({coh.n_segments} segments)"
                             + (f", delay {coh.delay_ms:.1f} ms" if coh.delay_ms is not None else ""),
                             "Caviness et al. 2003; van Rootselaar et al. 2006; Rosenberg et al. 1989 (CRITERIA 1.4: absence does not exclude cortical)",
                             {C: 1.0, CS: 0.5} if coh.significant else {C: -0.3}))
    elif getattr(neuro, "coherence_reason", None):
        out.append(Criterion("beta_coherence", "Significant EEG-EMG coherence in the beta band", "not_assessable", neuro.coherence_reason, "Caviness et al. 2003 (CRITERIA 1.4)", {}))
    sep = getattr(neuro, "sep", None)
    if sep is not None:
        ref = "Shibasaki 1985 via Latorre 2023 (P25 > 8.6 / N33 > 8.4 uV); teaching rule > 10 uV; Demura 2022 (10.0 / 7.8 uV by conditions). Stricter rule used."
        if sep.status != "measured" or sep.giant is None:
            out.append(Criterion("giant_sep", "Giant SEP", "not_assessable", sep.reason, ref, {}))
        else:
            out.append(Criterion("giant_sep", "Giant SEP (P25 or N33 > 10 uV, strictest rule)", "met" if sep.giant else "not_met", sep.reason, ref,
                                 {C: 2.0, CS: 0.5, S: -1.0, F: -1.0} if sep.giant else {C: -0.5}))
    return out


def _stimulus_criteria(neuro) -> list[Criterion]:
    out: list[Criterion] = []
    cr = [r for r in (getattr(neuro, "c_reflex", None) or []) if r.status != "not_assessable"]
    if cr:
        best = min((r for r in cr if r.latency_ms is not None), key=lambda r: r.latency_ms, default=None)
        met = best is not None and bool(best.enhanced)
        val = best.reason if best is not None else "; ".join(r.reason for r in cr)
        out.append(Criterion("c_reflex", "Enhanced C-reflex in hand muscles (onset < 49 ms, cortical ~40 ms)", "met" if met else "not_met",
                             val, cr[0].reference, {C: 2.0, F: -1.0, S: -0.5} if met else {C: -0.3}))
    sr = getattr(neuro, "stimulus", None)
    if sr is not None and sr.n_responded >= 5:
        st = sr.startle
        if st.get("assessable"):
            met = bool(st["scm_first_non_blink"] and st["scm_below_strict_83ms"])
            out.append(Criterion("startle_pattern", "Startle pattern: SCM first non-blink muscle, SCM onset < 83 ms (strict; < 120 ms lenient shown)",
                                 "met" if met else "not_met",
                                 f"order {', '.join(sr.order[:5])}; SCM {st['scm_latency_ms']} ms (< 120 ms: {st['scm_below_lenient_120ms']})",
                                 "J Physiol 2007;584:97 (< 83 ms); StartReact, Front Hum Neurosci 2025 (< 120 ms); Brown et al., Brain 1991",
                                 {S: 2.0, F: -1.0} if met else {S: -0.5}))
        fl = sr.first_latency_ms
        med = float(np.median(fl))
        cv = float(np.std(fl) / np.mean(fl)) if np.mean(fl) > 0 else 0.0
        met = med > 100.0 and cv > 0.2
        out.append(Criterion("variable_long_stimulus_latency", "Stimulus-evoked jerks with variable latencies > 100 ms",
                             "met" if met else "not_met", f"first-response latency median {med:.0f} ms, CV {cv:.2f} (variable when CV > 0.2, engineering choice)",
                             "Thompson et al., Mov Disord 1992;7:257; Pal 2011 (CRITERIA 1.1)", {F: 2.0, C: -1.0, S: -0.5} if met else {F: -0.5}))
    return out


def _negative_criterion(silent: pd.DataFrame | None, neuro) -> list[Criterion]:
    if silent is None:
        return []
    n = int(len(silent))
    ref = "EPM1 silent periods 50-300 ms (Finnish MDS abstract); Rubboli et al. 2006 (ENM time-locked to an EEG spike) (CRITERIA 1.6)"
    out = [_crit("negative_myoclonus", "Negative myoclonus: silent periods in tonic EMG (>= 3)", n >= 3, f"{n} silent periods", ref,
                 {C: 0.7, CS: 0.5}, {})]
    sl = getattr(neuro, "silent_jlba", None)
    if sl is not None and sl.status != "not_assessable":
        out.append(Criterion("silent_locked_eeg", "EEG spike time-locked before the silent periods (epileptic negative myoclonus)",
                             "met" if sl.found else "not_met", sl.reason, "Rubboli et al., Neurophysiol Clin 2006;36:337; AAN 2024 (20-60 ms)",
                             {C: 1.0, CS: 1.0} if sl.found else {}))
    return out


def estimate_origin(
    bursts: pd.DataFrame | None,
    channels: Sequence[ChannelInfo],
    *,
    jerk_onsets_s: np.ndarray | None = None,
    silent: pd.DataFrame | None = None,
    neuro=None,
    settings: AnalysisSettings | None = None,
) -> OriginEstimate:
    """Evaluate every CRITERIA 1 criterion on a recording's detections and combine them.

    Parameters
    ----------
    bursts : pandas.DataFrame | None
        Burst table (``channel, onset_s, duration_ms``; the ``BurstResults.summary()`` columns).
    channels : sequence of ChannelInfo
        Recorded channels (muscle, side, level give anatomy).
    jerk_onsets_s : ndarray | None
        Jerk onsets from the jerk grouping; formed from the bursts when None.
    silent : pandas.DataFrame | None
        Silent-period table (negative myoclonus), if detected.
    neuro : NeurophysiologyResults-like | None
        Object with ``jlba``, ``bp``, ``coherence``, ``sep``, ``c_reflex``, ``stimulus``,
        ``silent_jlba`` attributes (any may be None).
    settings : AnalysisSettings | None

    Returns
    -------
    OriginEstimate
        ``[("none", 1.0)]`` when neither jerks nor silent periods were found.
    """
    s = settings or AnalysisSettings()
    chans = {c.name: c for c in channels}
    jt = build_jerk_table(bursts if bursts is not None else pd.DataFrame(), jerk_onsets_s, s.jerks.max_spread_ms)
    n_silent = 0 if silent is None else len(silent)
    if jt.n_jerks == 0 and n_silent == 0:
        crit = [Criterion("jerks_found", "Jerks (EMG bursts) or silent periods found", "not_met", "no jerk and no silent period detected", "CRITERIA 0", {})]
        return OriginEstimate([("none", 1.0)], crit, {}, 0)
    criteria: list[Criterion] = []
    notes: list[str] = []
    jt = _main_population(jt, notes)
    if jt.n_jerks:
        criteria += _duration_criteria(jt, s)
        criteria += _rhythm_criteria(jt)
        criteria += _extent_criteria(jt, chans)
        criteria += _recruitment_criteria(jt, chans, s)
        criteria.append(_triphasic_criterion(jt, chans))
    criteria += _eeg_criteria(neuro)
    criteria += _stimulus_criteria(neuro)
    criteria += _negative_criterion(silent, neuro)
    # the four burst-duration cut-offs are one measurement
    n_scored = len({("burst_duration" if c.id.startswith("burst_duration") else c.id) for c in criteria if c.status != "not_assessable"})
    if n_scored < 5:
        notes.append(f"only {n_scored} criteria could be assessed: a weak estimate (record more muscles, EEG and stimuli)")
    scores = {o: 0.0 for o in ORIGINS}
    for c in criteria:
        for label, pts in c.points.items():
            scores[label] += pts
    probs = _softmax(scores)
    logger.info("origin: %s", ", ".join(f"{k} {v:.2f}" for k, v in probs[:3]))
    return OriginEstimate(probs, criteria, scores, jt.n_jerks, notes)
