"""Hypnic jerks at wake -> N1 transitions, and the sleep-onset propriospinal pattern (CRITERIA 5.3).

A hypnic jerk here is a brief multi-muscle jerk: potentials on >= 2 EMG channels whose onsets lie
within the jerk-grouping window (``settings.jerks.max_spread_ms``, 150 ms), the longest component
75-250 ms (EMG 75-250 ms, *Sleep Med* 2016;26:37, secondary), within one 30-s epoch either side of
a wake -> N1 transition (engineering choice for "at sleep onset"). They are listed apart from PLMs.

The sleep-onset propriospinal pattern (Vetrugno et al., *Sleep* 2001;24:835) is flagged when at
least two jerks at sleep onset start in an axial muscle (paraspinal, rectus abdominis, intercostal)
and spread to muscles both rostral and caudal to it; the origin analysis should then confirm the
propagation velocity (3-11 m/s, CRITERIA 8.7) on the polymyography.
"""
from __future__ import annotations

from dataclasses import dataclass

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.potentials import Potential
from myoclonus.signals.sleep.staging import Hypnogram

__all__ = ["HypnicJerk", "HypnicResults", "score_hypnic_jerks", "group_potentials"]

AXIAL_MUSCLES = frozenset({"PSP", "RA", "INT"})
SLEEP_ONSET_WINDOW_S = 30.0  # one epoch either side of a W->N1 transition (engineering choice)
PSM_MIN_JERKS = 2  # jerks with the axial-lead bidirectional pattern needed for the flag (engineering choice)
PSM_MAX_BURST_S = 0.4  # propriospinal bursts about 100-400 ms (CRITERIA 8.7)


@dataclass(frozen=True)
class HypnicJerk:
    """One multi-muscle jerk at sleep onset: onset/duration (s), channels in onset order."""

    onset_s: float
    duration_s: float
    channels: tuple[str, ...]
    axial_lead_bidirectional: bool = False

    @property
    def offset_s(self) -> float:
        return self.onset_s + self.duration_s


@dataclass
class HypnicResults:
    """Hypnic jerks and the sleep-onset propriospinal flag."""

    jerks: list[HypnicJerk]
    propriospinal_pattern: bool
    n_transitions: int


def group_potentials(potentials: list[Potential], window_s: float) -> list[list[Potential]]:
    """Group potentials (any channel) whose onsets fall within ``window_s`` of the group's first."""
    groups: list[list[Potential]] = []
    for p in sorted(potentials, key=lambda p: p.onset_s):
        if groups and p.onset_s - groups[-1][0].onset_s <= window_s:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _axial_lead_bidirectional(group: list[Potential], channel_info: dict) -> bool:
    from myoclonus.signals.montage import segment_rank

    first = channel_info.get(group[0].channel)
    if first is None or first.muscle not in AXIAL_MUSCLES:
        return False
    r0 = segment_rank(first.level)
    ranks = [segment_rank(getattr(channel_info.get(p.channel), "level", None)) for p in group[1:]]
    ranks = [r for r in ranks if r is not None]
    return r0 is not None and any(r < r0 for r in ranks) and any(r > r0 for r in ranks)


def score_hypnic_jerks(potentials: list[Potential], hypnogram: Hypnogram, *, window_s: float,
                       channel_info: dict | None = None) -> HypnicResults:
    """Multi-muscle jerks within one epoch of each wake -> N1 transition.

    Parameters
    ----------
    potentials : list of Potential
        Brief potentials of all EMG channels (up to 400 ms).
    hypnogram : Hypnogram
    window_s : float
        Jerk grouping window (s).
    channel_info : dict, optional
        Channel name -> ChannelInfo, for the propriospinal pattern.
    """
    transitions = hypnogram.sleep_onset_transitions()
    channel_info = channel_info or {}
    jerks: list[HypnicJerk] = []
    n_psm = 0
    for group in group_potentials(potentials, window_s):
        if len({p.channel for p in group}) < 2:
            continue
        onset = group[0].onset_s
        if not any(abs(onset - t) <= SLEEP_ONSET_WINDOW_S for t in transitions):
            continue
        longest = max(p.duration_s for p in group)
        psm = _axial_lead_bidirectional(group, channel_info) and longest <= PSM_MAX_BURST_S
        n_psm += psm
        if not (R.HYPNIC_MIN_DURATION_S <= longest <= R.HYPNIC_MAX_DURATION_S) and not psm:
            continue
        seen: list[str] = []
        for p in group:
            if p.channel not in seen:
                seen.append(p.channel)
        end = max(p.offset_s for p in group)
        jerks.append(HypnicJerk(onset, end - onset, tuple(seen), psm))
    return HypnicResults(jerks=jerks, propriospinal_pattern=n_psm >= PSM_MIN_JERKS, n_transitions=len(transitions))
