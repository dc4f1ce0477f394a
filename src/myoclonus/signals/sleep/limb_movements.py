"""Leg movements (LMs) on tibialis anterior EMG per WASM 2016 or AASM v2.5 (CRITERIA 5.1).

Algorithm (per leg)
-------------------
1. Band-pass 10-100 Hz, centred 100 ms moving RMS (``envelope.py``).
2. Resting EMG: sliding 10th percentile of 1-s block medians over 60 s.
3. Onset: envelope rises ``LM_ONSET_ABOVE_REST_UV`` (8 uV) above rest. Offset: the start of the
   first period of >= ``LM_OFFSET_QUIET_S`` (0.5 s) in which it stays <= 2 uV above rest.
4. Keep movements >= 0.5 s. AASM drops a monolateral movement > 10 s; WASM keeps it as an LM that
   is not a candidate LM (CLM) and so ends a PLM series.
5. WASM computer-scoring morphology rule: some 0.5 s window of the movement must have a median
   envelope >= 2 uV above rest; otherwise it is not an LM.
6. Bilateral combination: WASM, monolateral LMs that overlap or are < 0.5 s apart (offset to
   onset); AASM, LMs on the two legs whose onsets are < 5 s apart. The combined movement runs
   from the first onset to the last offset. WASM CLMs are <= 10 s monolateral, <= 15 s bilateral.

References
----------
.. [1] Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in
       polysomnograms. Sleep Med 2016;26:86-95. doi:10.1016/j.sleep.2016.10.010
.. [2] Berry RB, et al. AASM Manual for the Scoring of Sleep and Associated Events v2.5, 2018.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import ndimage

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.envelope import condition_leg_emg, resting_level, rms_envelope, samples
from myoclonus.signals.sleep.windows import iter_windows

__all__ = ["LegMovement", "LimbMovementResults", "detect_leg_movements_channel",
           "combine_bilateral", "detect_limb_movements"]

logger = logging.getLogger(__name__)

LM_ENVELOPE_S = 0.1  # RMS window of the LM envelope (engineering choice; psgscoring also uses 0.1 s)


@dataclass(frozen=True)
class LegMovement:
    """One leg movement.

    Attributes
    ----------
    onset_s, duration_s : float
        Onset from the recording start and duration, seconds.
    channel : str
        Channel name, or ``"bilateral"`` for a combined movement.
    sides : tuple of str
        Legs involved (``"left"``, ``"right"``, or ``"unknown"``).
    peak_uv : float
        Highest envelope above resting EMG, microvolts.
    candidate : bool
        Counts toward a PLM series (WASM CLM; every AASM LM).
    respiratory, arousal : bool | None
        Associated with a respiratory event / an arousal; None when no such annotations exist.
    stage : str
        Sleep stage at onset (``W N1 N2 N3 R ?``).
    plm_series : int | None
        1-based number of the PLM series this movement belongs to.
    """

    onset_s: float
    duration_s: float
    channel: str
    sides: tuple[str, ...]
    peak_uv: float
    candidate: bool = True
    respiratory: bool | None = None
    arousal: bool | None = None
    stage: str = "?"
    plm_series: int | None = None

    @property
    def offset_s(self) -> float:
        return self.onset_s + self.duration_s

    @property
    def bilateral(self) -> bool:
        return len(set(self.sides)) > 1


@dataclass
class LimbMovementResults:
    """Leg movements of one recording (YASA-style results object).

    Attributes
    ----------
    events : list of LegMovement
        Leg movements in onset order (after bilateral combination).
    rules : str
        ``"wasm2016"`` or ``"aasm"``.
    channels : list of str
        Leg channels scored.
    n_rejected_morphology, n_rejected_too_long : int
        Monolateral movements dropped by the WASM morphology rule / the AASM 10 s maximum.
    """

    events: list[LegMovement]
    rules: str
    channels: list[str]
    n_rejected_morphology: int = 0
    n_rejected_too_long: int = 0
    monolateral: list[LegMovement] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """One row per movement: onset (s), duration (s), channel, sides, peak_uv (uV), candidate,
        respiratory, arousal, stage, plm_series."""
        cols = ["onset", "duration", "channel", "sides", "peak_uv", "candidate", "respiratory",
                "arousal", "stage", "plm_series"]
        rows = [[e.onset_s, e.duration_s, e.channel, ",".join(e.sides), e.peak_uv, e.candidate,
                 e.respiratory, e.arousal, e.stage, e.plm_series] for e in self.events]
        return pd.DataFrame(rows, columns=cols)

    def compare_detection(self, truth_onsets_s, truth_durations_s) -> dict:
        """Event agreement with reference movements (overlap matching); see :func:`match_events`."""
        from myoclonus.signals.sleep.agreement import match_events

        return match_events([(e.onset_s, e.offset_s) for e in self.events],
                            [(o, o + d) for o, d in zip(truth_onsets_s, truth_durations_s)])


def _long_quiet_starts(quiet: np.ndarray, min_len: int) -> np.ndarray:
    """Start indices of runs of True in ``quiet`` lasting >= ``min_len`` samples."""
    padded = np.concatenate(([False], quiet, [False])).astype(np.int8)
    diff = np.diff(padded)
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1)
    return starts[(ends - starts) >= min_len]


def _crossing_s(excess_uv: np.ndarray, index: int, level_uv: float, sfreq: float) -> float:
    """Time (s) at which the envelope crosses ``level_uv`` between samples ``index - 1`` and
    ``index``, by linear interpolation (sub-sample onsets: no sampling-rate-dependent bias)."""
    if index <= 0:
        return 0.0
    a, b = float(excess_uv[index - 1]), float(excess_uv[index])
    frac = (level_uv - a) / (b - a) if b != a else 1.0
    return (index - 1 + min(max(frac, 0.0), 1.0)) / sfreq


def _passes_morphology(excess_uv: np.ndarray, sfreq: float) -> bool:
    """WASM computer-scoring rule: a >= 0.5 s window whose median is >= 2 uV above rest."""
    n = samples(R.MORPHOLOGY_MIN_S, sfreq)
    if excess_uv.size < n:
        return False
    med = ndimage.median_filter(excess_uv, size=n, mode="nearest")
    half = n // 2
    valid = med[half: excess_uv.size - (n - half) + 1]
    return bool(valid.size and valid.max() >= R.MORPHOLOGY_MEDIAN_ABOVE_REST_UV)


def detect_leg_movements_channel(data_uv: np.ndarray, sfreq: float, *, channel: str, side: str,
                                 rules: R.LegMovementRules = R.WASM2016,
                                 core_s: tuple[float, float] = (-np.inf, np.inf)) -> tuple[list[LegMovement], int, int]:
    """Monolateral leg movements on one tibialis channel.

    Parameters
    ----------
    data_uv : ndarray, shape (n_times,)
        Raw EMG in microvolts.
    sfreq : float
        Sampling rate, Hz.
    channel, side : str
        Channel name and leg (``"left"``/``"right"``/``"unknown"``).
    rules : LegMovementRules
        WASM 2016 or AASM.
    core_s : (float, float)
        Keep (and count rejections of) movements whose onset, in seconds from the first sample of
        ``data_uv``, lies in ``[core_s[0], core_s[1])``: the core of a window with margins.

    Returns
    -------
    movements : list of LegMovement
    n_rejected_morphology, n_rejected_too_long : int
    """
    env = rms_envelope(condition_leg_emg(data_uv, sfreq), sfreq, LM_ENVELOPE_S)
    rest = resting_level(env, sfreq)
    excess = env - rest
    onsets = np.flatnonzero(excess >= R.LM_ONSET_ABOVE_REST_UV)
    quiet_starts = _long_quiet_starts(excess <= R.LM_OFFSET_ABOVE_REST_UV, samples(R.LM_OFFSET_QUIET_S, sfreq))
    movements: list[LegMovement] = []
    n_morph = n_long = 0
    pos = 0
    n = env.size
    while True:
        k = np.searchsorted(onsets, pos)
        if k >= onsets.size:
            break
        start = int(onsets[k])
        q = np.searchsorted(quiet_starts, start, side="right")
        stop = int(quiet_starts[q]) if q < quiet_starts.size else n
        pos = stop
        onset_s = _crossing_s(excess, start, R.LM_ONSET_ABOVE_REST_UV, sfreq)
        offset_s = _crossing_s(excess, stop, R.LM_OFFSET_ABOVE_REST_UV, sfreq) if stop < n else n / sfreq
        duration_s = offset_s - onset_s
        if duration_s < R.LM_MIN_DURATION_S or not (core_s[0] <= onset_s < core_s[1]):
            continue
        if not rules.long_lm_breaks_series and duration_s > rules.max_monolateral_s:
            n_long += 1  # AASM: a movement longer than 10 s is not scored
            continue
        segment = excess[start:stop]
        if rules.morphology_rule and not _passes_morphology(segment, sfreq):
            n_morph += 1
            continue
        movements.append(LegMovement(
            onset_s=onset_s, duration_s=duration_s, channel=channel, sides=(side,),
            peak_uv=float(segment.max()), candidate=duration_s <= rules.max_monolateral_s))
    return movements, n_morph, n_long


def combine_bilateral(movements: list[LegMovement], rules: R.LegMovementRules = R.WASM2016) -> list[LegMovement]:
    """Combine monolateral movements of the two legs into bilateral ones (rule-dependent window).

    WASM: movements on different legs that overlap or are < 0.5 s apart (offset to onset), chained.
    AASM: movements on different legs whose onsets are < 5 s apart. The combined movement spans
    the first onset to the last offset; WASM candidate status uses the 15 s bilateral maximum.
    """
    ordered = sorted(movements, key=lambda m: (m.onset_s, m.channel))
    groups: list[list[LegMovement]] = []
    for mov in ordered:
        if groups:
            g = groups[-1]
            other_leg = any(set(m.sides).isdisjoint(mov.sides) for m in g)
            if rules.name == "wasm2016":
                joins = (mov.onset_s - max(m.offset_s for m in g)) < R.WASM_BILATERAL_GAP_S
            else:
                joins = (mov.onset_s - g[0].onset_s) < R.AASM_BILATERAL_ONSET_S
            if joins and other_leg:
                g.append(mov)
                continue
        groups.append([mov])
    out: list[LegMovement] = []
    for g in groups:
        if len(g) == 1:
            out.append(g[0])
            continue
        onset = min(m.onset_s for m in g)
        offset = max(m.offset_s for m in g)
        sides = tuple(sorted({s for m in g for s in m.sides}))
        duration = offset - onset
        if rules.name == "wasm2016":
            candidate = duration <= rules.max_bilateral_s and all(m.candidate for m in g)
        else:
            candidate = True
        out.append(LegMovement(onset_s=onset, duration_s=duration, channel="bilateral", sides=sides,
                               peak_uv=max(m.peak_uv for m in g), candidate=candidate))
    return out


def detect_limb_movements(source, leg_channels: dict[str, str], *, rules: str | R.LegMovementRules = "wasm2016") -> LimbMovementResults:
    """Detect leg movements on the tibialis channels of ``source``.

    Parameters
    ----------
    source : SignalSource
        Anything with ``sfreq``, ``n_times`` and ``get_data(picks, start, stop)`` in microvolts.
    leg_channels : dict
        Channel name -> leg (``"left"``, ``"right"`` or ``"unknown"``).
    rules : {"wasm2016", "aasm"} or LegMovementRules
        Scoring rules (CRITERIA 5.1).

    Returns
    -------
    LimbMovementResults
    """
    rule_set = R.rules_for(rules) if isinstance(rules, str) else rules
    mono: list[LegMovement] = []
    n_morph = n_long = 0
    for name, side in leg_channels.items():
        n_found = 0
        for win in iter_windows(source.n_times, source.sfreq):
            data = source.get_data([name], win.start, win.stop)[0]
            offset_s = win.start / source.sfreq
            found, m, lg = detect_leg_movements_channel(
                data, source.sfreq, channel=name, side=side, rules=rule_set,
                core_s=(win.core_start_s - offset_s, win.core_stop_s - offset_s))
            mono.extend(replace(mov, onset_s=mov.onset_s + offset_s) for mov in found)
            n_found += len(found)
            n_morph += m
            n_long += lg
        logger.info("%s: %d monolateral leg movements", name, n_found)
    events = combine_bilateral(mono, rule_set)
    return LimbMovementResults(events=events, rules=rule_set.name, channels=list(leg_channels),
                               n_rejected_morphology=n_morph, n_rejected_too_long=n_long, monolateral=mono)


def with_fields(movement: LegMovement, **changes) -> LegMovement:
    """Copy of ``movement`` with some fields changed."""
    return replace(movement, **changes)
