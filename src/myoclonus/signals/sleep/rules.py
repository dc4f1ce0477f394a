"""Scoring rules for sleep-related motor events, one constant per rule with its source beside it.

Every number here comes from ``CRITERIA.md`` §5 unless it says otherwise. Two rule sets for leg
movements are available: WASM 2016 (Ferri et al., *Sleep Med* 2016;26:86-95, the default) and
AASM v2.5 (Berry et al. 2018). Where the two differ (CRITERIA §7) both values are kept and
:class:`LegMovementRules` picks one set.

References
----------
.. [1] Ferri R, Fulda S, Allen RP, et al. World Association of Sleep Medicine (WASM) 2016
       standards for recording and scoring leg movements in polysomnograms. Sleep Med
       2016;26:86-95. doi:10.1016/j.sleep.2016.10.010
.. [2] Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.5, 2018.
.. [3] Ferri R, Zucconi M, Manconi M, et al. New approaches to the study of periodic leg
       movements during sleep in restless legs syndrome. Sleep 2006;29:759-769 (periodicity index).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "RuleSet",
    "LegMovementRules",
    "rules_for",
    "LM_ONSET_ABOVE_REST_UV",
    "LM_OFFSET_ABOVE_REST_UV",
    "LM_OFFSET_QUIET_S",
    "LM_MIN_DURATION_S",
    "LM_MAX_DURATION_S",
    "CLM_MAX_BILATERAL_DURATION_S",
    "MORPHOLOGY_MEDIAN_ABOVE_REST_UV",
    "MORPHOLOGY_MIN_S",
    "PLM_MIN_SERIES_LENGTH",
    "WASM_IMI_MIN_S",
    "AASM_IMI_MIN_S",
    "PLM_IMI_MAX_S",
    "AASM_RESP_WINDOW_S",
    "WASM_RESP_BEFORE_END_S",
    "WASM_RESP_AFTER_END_S",
    "AROUSAL_GAP_S",
    "WASM_BILATERAL_GAP_S",
    "AASM_BILATERAL_ONSET_S",
    "PLMS_INDEX_ADULT_PER_H",
    "PLMS_INDEX_CHILD_PER_H",
    "PI_IMI_MIN_S",
    "PI_IMI_MAX_S",
    "PI_MIN_CONSECUTIVE_IMI",
    "FM_MAX_DURATION_S",
    "FM_MIN_AMPLITUDE_UV",
    "EFM_MIN_PER_MIN",
    "EFM_MIN_NREM_MIN",
    "HYPNIC_MIN_DURATION_S",
    "HYPNIC_MAX_DURATION_S",
    "EPOCH_S",
]

RuleSet = Literal["wasm2016", "aasm"]

# --- Leg movements (CRITERIA 5.1; AASM = WASM unless stated) ---------------------------------
LM_ONSET_ABOVE_REST_UV = 8.0  # LM onset: EMG rises 8 uV above resting EMG (AASM; WASM 2016)
LM_OFFSET_ABOVE_REST_UV = 2.0  # LM offset: EMG stays <= 2 uV above resting ... (AASM; WASM 2016)
LM_OFFSET_QUIET_S = 0.5  # ... for >= 0.5 s; offset = start of that period (AASM; WASM 2016)
LM_MIN_DURATION_S = 0.5  # LM minimum duration 0.5 s (AASM; WASM 2016)
LM_MAX_DURATION_S = 10.0  # AASM LM maximum; WASM monolateral candidate LM (CLM) maximum
CLM_MAX_BILATERAL_DURATION_S = 15.0  # WASM 2016: bilateral CLM 0.5-15 s
MORPHOLOGY_MEDIAN_ABOVE_REST_UV = 2.0  # WASM computer scoring: median EMG >= 2 uV above rest ...
MORPHOLOGY_MIN_S = 0.5  # ... over a >= 0.5 s period (WASM 2016, computer scoring only)

# --- PLM series (CRITERIA 5.1) ------------------------------------------------------------------
PLM_MIN_SERIES_LENGTH = 4  # >= 4 consecutive LMs (AASM) / CLMs (WASM 2016)
AASM_IMI_MIN_S = 5.0  # inter-movement interval, onset to onset, 5-90 s (AASM)
WASM_IMI_MIN_S = 10.0  # 10-90 s (WASM 2016); a shorter IMI breaks the series
PLM_IMI_MAX_S = 90.0  # upper IMI limit, both rule sets

# --- Associations (CRITERIA 5.1) ----------------------------------------------------------------
AASM_RESP_WINDOW_S = 0.5  # AASM: no LM within 0.5 s before or after a respiratory event
WASM_RESP_BEFORE_END_S = 2.0  # WASM: exclude a CLM overlapping [end - 2 s, ...
WASM_RESP_AFTER_END_S = 10.25  # ... end + 10.25 s] of a respiratory event
AROUSAL_GAP_S = 0.5  # arousal association: overlap or < 0.5 s end-to-onset (AASM; WASM)

# --- Bilateral combination (not in CRITERIA.md; primary sources [1], [2]) ----------------------
WASM_BILATERAL_GAP_S = 0.5  # WASM 2016 [1]: monolateral LMs overlapping or < 0.5 s apart (offset
#                             to onset) form one bilateral LM
AASM_BILATERAL_ONSET_S = 5.0  # AASM v2.5 [2]: LMs on both legs with onsets < 5 s apart are one LM

# --- Cut-offs (CRITERIA 5.1, ICSD via UpToDate graphic 86839) ---------------------------------
PLMS_INDEX_ADULT_PER_H = 15.0  # PLMS index > 15/h in adults
PLMS_INDEX_CHILD_PER_H = 5.0  # PLMS index > 5/h in children

# --- Periodicity index (Ferri et al. 2006 [3]; not in CRITERIA.md) ----------------------------
PI_IMI_MIN_S = 10.0  # an IMI counts as periodic when 10 <= IMI <= 90 s ...
PI_IMI_MAX_S = 90.0
PI_MIN_CONSECUTIVE_IMI = 3  # ... and belongs to a run of >= 3 such consecutive IMIs

# --- Fragmentary myoclonus (CRITERIA 5.2) -------------------------------------------------------
FM_MAX_DURATION_S = 0.150  # FM potentials usually < 150 ms (maximum 150 ms; ATS Quick Hit)
FM_MIN_AMPLITUDE_UV = 50.0  # > 50 uV (Lins criteria, Frauscher group; standard FMI50)
EFM_MIN_PER_MIN = 5.0  # EFM: >= 5 potentials per minute ... (AASM)
EFM_MIN_NREM_MIN = 20.0  # ... sustained over >= 20 min of NREM sleep (AASM)

# --- Hypnic jerks (CRITERIA 5.3) ------------------------------------------------------------------
HYPNIC_MIN_DURATION_S = 0.075  # EMG bursts 75-250 ms (Sleep Med 2016;26:37; secondary, unverified)
HYPNIC_MAX_DURATION_S = 0.250

EPOCH_S = 30.0  # scoring epoch of a hypnogram (AASM)


@dataclass(frozen=True)
class LegMovementRules:
    """One consistent set of leg-movement rules.

    Attributes
    ----------
    name : {"wasm2016", "aasm"}
        Rule set.
    imi_min_s, imi_max_s : float
        Inter-movement interval range (onset to onset) inside a PLM series.
    max_monolateral_s, max_bilateral_s : float
        Longest movement that still counts toward a PLM series (AASM: 10 s; WASM CLM 10/15 s).
    long_lm_breaks_series : bool
        WASM: an LM longer than the CLM maximum is still an LM but ends the series.
        AASM: such a movement is not scored at all.
    morphology_rule : bool
        WASM computer-scoring morphology rule (median >= 2 uV above rest over >= 0.5 s).
    """

    name: RuleSet
    imi_min_s: float
    imi_max_s: float
    max_monolateral_s: float
    max_bilateral_s: float
    long_lm_breaks_series: bool
    morphology_rule: bool

    def respiratory_window(self, resp_onset_s: float, resp_end_s: float) -> tuple[float, float]:
        """Time window around one respiratory event in which an LM is respiratory-associated."""
        if self.name == "aasm":
            return resp_onset_s - AASM_RESP_WINDOW_S, resp_end_s + AASM_RESP_WINDOW_S
        return resp_end_s - WASM_RESP_BEFORE_END_S, resp_end_s + WASM_RESP_AFTER_END_S


WASM2016 = LegMovementRules(
    name="wasm2016",
    imi_min_s=WASM_IMI_MIN_S,
    imi_max_s=PLM_IMI_MAX_S,
    max_monolateral_s=LM_MAX_DURATION_S,
    max_bilateral_s=CLM_MAX_BILATERAL_DURATION_S,
    long_lm_breaks_series=True,
    morphology_rule=True,
)
AASM = LegMovementRules(
    name="aasm",
    imi_min_s=AASM_IMI_MIN_S,
    imi_max_s=PLM_IMI_MAX_S,
    max_monolateral_s=LM_MAX_DURATION_S,
    max_bilateral_s=LM_MAX_DURATION_S,
    long_lm_breaks_series=False,
    morphology_rule=False,
)


def rules_for(name: str) -> LegMovementRules:
    """Return the rule set called ``name`` (``"wasm2016"`` or ``"aasm"``)."""
    from myoclonus.errors import InputError, did_you_mean

    table = {"wasm2016": WASM2016, "aasm": AASM}
    key = str(name).strip().lower()
    if key not in table:
        raise InputError(
            f"Invalid value for the 'rules' parameter. Allowed values are 'wasm2016' and 'aasm', "
            f"but got {name!r} instead.{did_you_mean(key, table)}",
            where="rules",
        )
    return table[key]
