"""PLM series, respiratory / arousal association, PLMS and PLMW indices, periodicity index.

References
----------
.. [1] Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in
       polysomnograms. Sleep Med 2016;26:86-95. doi:10.1016/j.sleep.2016.10.010
.. [2] Berry RB, et al. AASM Manual for the Scoring of Sleep and Associated Events v2.5, 2018.
.. [3] Ferri R, et al. New approaches to the study of periodic leg movements during sleep in
       restless legs syndrome. Sleep 2006;29:759-769. doi:10.1093/sleep/29.6.759
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.limb_movements import LegMovement

__all__ = ["PLMSeries", "PLMIndices", "flag_respiratory", "flag_arousal", "find_plm_series",
           "periodicity_index", "plm_indices"]


@dataclass(frozen=True)
class PLMSeries:
    """One PLM series: its number (1-based), first onset, last offset and movement count."""

    number: int
    start_s: float
    end_s: float
    n_movements: int


@dataclass(frozen=True)
class PLMIndices:
    """Indices of one night.

    Attributes
    ----------
    plms_count, plmw_count : int
        PLMs during sleep / wake.
    plms_index_per_h : float | None
        PLMs in sleep per hour of sleep; None when there is no sleep time.
    plmw_index_per_h : float | None
        PLMs in wake per hour of wake; None when there is no wake time.
    periodicity_index : float | None
        Ferri's PI (0-1) over inter-movement intervals of LMs in sleep; None with < 1 interval.
    exceeds_adult_cutoff, exceeds_child_cutoff : bool | None
        PLMS index > 15/h (adults) and > 5/h (children) (ICSD via CRITERIA 5.1).
    """

    plms_count: int
    plmw_count: int
    plms_index_per_h: float | None
    plmw_index_per_h: float | None
    periodicity_index: float | None
    exceeds_adult_cutoff: bool | None
    exceeds_child_cutoff: bool | None


def _overlaps_or_near(a0: float, a1: float, b0: float, b1: float, gap_s: float) -> bool:
    """Events [a0, a1] and [b0, b1] overlap or are less than ``gap_s`` apart."""
    return a0 < b1 + gap_s and b0 < a1 + gap_s


def flag_respiratory(movements: list[LegMovement], respiratory_events: list[tuple[float, float]] | None,
                     rules: R.LegMovementRules) -> list[LegMovement]:
    """Mark movements that overlap the rule's window around a respiratory event.

    AASM: from 0.5 s before the event's onset to 0.5 s after its end. WASM 2016: from 2 s before
    to 10.25 s after the end. ``respiratory_events`` is a list of ``(onset_s, end_s)``; with None
    (no respiratory annotations) the flag stays None.
    """
    if respiratory_events is None:
        return list(movements)
    windows = [rules.respiratory_window(o, e) for o, e in respiratory_events]
    out = []
    for m in movements:
        resp = any(m.onset_s <= w1 and m.offset_s >= w0 for w0, w1 in windows)
        out.append(replace(m, respiratory=resp))
    return out


def flag_arousal(movements: list[LegMovement], arousals: list[tuple[float, float]] | None) -> list[LegMovement]:
    """Mark movements that overlap an arousal or are < 0.5 s from it (end to onset, either order)."""
    if arousals is None:
        return list(movements)
    return [replace(m, arousal=any(_overlaps_or_near(m.onset_s, m.offset_s, a0, a1, R.AROUSAL_GAP_S)
                                  for a0, a1 in arousals)) for m in movements]


def find_plm_series(movements: list[LegMovement], rules: R.LegMovementRules) -> tuple[list[LegMovement], list[PLMSeries]]:
    """Group movements into PLM series and number them.

    A series is a run of >= 4 consecutive candidate movements whose inter-movement intervals
    (onset to onset) all lie within the rule's range (AASM 5-90 s, WASM 10-90 s). A run ends at an
    interval outside the range or, under WASM, at an LM that is not a candidate (too long, or
    respiratory-associated). Under AASM a respiratory-associated movement is not scored at all, so
    it is skipped (it neither joins nor breaks a series). Sleep stage does not break a series.

    Returns the movements (same order, ``plm_series`` set) and the series.
    """
    ordered = sorted(movements, key=lambda m: m.onset_s)
    series_of: dict[int, int] = {}
    series: list[PLMSeries] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= R.PLM_MIN_SERIES_LENGTH:
            number = len(series) + 1
            for i in run:
                series_of[i] = number
            series.append(PLMSeries(number, ordered[run[0]].onset_s, ordered[run[-1]].offset_s, len(run)))
        run.clear()

    for i, m in enumerate(ordered):
        if m.respiratory and rules.name == "aasm":
            continue
        eligible = m.candidate and not m.respiratory
        if not eligible:
            close()
            continue
        if run:
            imi = m.onset_s - ordered[run[-1]].onset_s
            if not (rules.imi_min_s <= imi <= rules.imi_max_s):
                close()
        run.append(i)
    close()
    tagged = [replace(m, plm_series=series_of.get(i)) for i, m in enumerate(ordered)]
    return tagged, series


def periodicity_index(onsets_s) -> float | None:
    """Ferri's periodicity index: the share of inter-movement intervals that are 10-90 s long and
    belong to a run of >= 3 consecutive such intervals (0 = aperiodic, 1 = fully periodic).

    Returns None when there are fewer than 2 movements.
    """
    onsets = np.sort(np.asarray(onsets_s, dtype=float))
    if onsets.size < 2:
        return None
    imi = np.diff(onsets)
    periodic = (imi >= R.PI_IMI_MIN_S) & (imi <= R.PI_IMI_MAX_S)
    counted = 0
    run = 0
    for flag in list(periodic) + [False]:
        if flag:
            run += 1
        else:
            if run >= R.PI_MIN_CONSECUTIVE_IMI:
                counted += run
            run = 0
    return counted / imi.size


def plm_indices(movements: list[LegMovement], sleep_h: float | None, wake_h: float | None) -> PLMIndices:
    """PLMS / PLMW counts and indices, periodicity index and the adult / child cut-offs.

    ``movements`` carry ``stage`` and ``plm_series``. Stage ``?`` counts as neither sleep nor wake.
    """
    sleep_stages = {"N1", "N2", "N3", "R"}
    plms = sum(1 for m in movements if m.plm_series and m.stage in sleep_stages)
    plmw = sum(1 for m in movements if m.plm_series and m.stage == "W")
    plms_idx = plms / sleep_h if sleep_h else None
    plmw_idx = plmw / wake_h if wake_h else None
    sleep_lm_onsets = [m.onset_s for m in movements if m.stage in sleep_stages and not m.respiratory]
    pi = periodicity_index(sleep_lm_onsets)
    return PLMIndices(
        plms_count=plms, plmw_count=plmw, plms_index_per_h=plms_idx, plmw_index_per_h=plmw_idx,
        periodicity_index=pi,
        exceeds_adult_cutoff=None if plms_idx is None else plms_idx > R.PLMS_INDEX_ADULT_PER_H,
        exceeds_child_cutoff=None if plms_idx is None else plms_idx > R.PLMS_INDEX_CHILD_PER_H,
    )
