"""Fragmentary myoclonus (FM) and the AASM rule for excessive fragmentary myoclonus (EFM).

FM potentials: brief EMG potentials < 150 ms and > 50 uV (CRITERIA 5.2: AASM maximum 150 ms;
Lins criteria / FMI50 amplitude), not inside a leg movement or a hypnic jerk. They are counted per
minute of NREM sleep. EFM: >= 5 potentials per minute sustained over >= 20 min of NREM sleep; here
"sustained" is the total NREM time spent in 30-s epochs with >= 5/min.

References
----------
.. [1] Berry RB, et al. AASM Manual for the Scoring of Sleep and Associated Events v2.5, 2018.
.. [2] Frauscher B, et al. Normative EMG values during REM sleep ... fragmentary myoclonus (Lins
       criteria). Sleep Med 2014 (abstract, CRITERIA 5.2).
"""
from __future__ import annotations

from dataclasses import dataclass

from myoclonus.signals.sleep import rules as R
from myoclonus.signals.sleep.potentials import Potential
from myoclonus.signals.sleep.staging import NREM_STAGES, Hypnogram

__all__ = ["FragmentaryResults", "score_fragmentary"]


@dataclass
class FragmentaryResults:
    """FM potentials and the EFM decision.

    Attributes
    ----------
    potentials : list of Potential
        FM potentials (any stage), ``stage`` looked up separately.
    minutes_nrem : float | None
        NREM minutes in the hypnogram (None without stages).
    per_min : float | None
        FM potentials in NREM per minute of NREM.
    minutes_nrem_at_rate : float | None
        NREM minutes in epochs with >= 5 potentials per minute.
    excessive : bool | None
        AASM EFM: >= 5/min over >= 20 min of NREM.
    """

    potentials: list[Potential]
    minutes_nrem: float | None
    per_min: float | None
    minutes_nrem_at_rate: float | None
    excessive: bool | None


def _inside(p: Potential, spans: list[tuple[float, float]]) -> bool:
    return any(p.onset_s < b and p.offset_s > a for a, b in spans)


def score_fragmentary(potentials: list[Potential], hypnogram: Hypnogram,
                      exclude_spans: list[tuple[float, float]]) -> FragmentaryResults:
    """FM potentials (< 150 ms, outside leg movements and hypnic jerks), rate in NREM and EFM.

    ``exclude_spans`` are (start, end) in seconds of leg movements and hypnic jerks.
    """
    fm = sorted((p for p in potentials if p.duration_s < R.FM_MAX_DURATION_S and not _inside(p, exclude_spans)),
                key=lambda p: p.onset_s)
    if hypnogram.source == "none":
        return FragmentaryResults(fm, None, None, None, None)
    epochs = hypnogram.epochs_in(NREM_STAGES)
    minutes = len(epochs) * hypnogram.epoch_s / 60.0
    onsets = [p.onset_s for p in fm]
    import numpy as np

    arr = np.asarray(onsets)
    counts = [int(np.count_nonzero((arr >= a) & (arr < b))) for a, b in epochs]
    per_min = sum(counts) / minutes if minutes else None
    epoch_min = hypnogram.epoch_s / 60.0
    at_rate = sum(epoch_min for c in counts if c / epoch_min >= R.EFM_MIN_PER_MIN)
    return FragmentaryResults(fm, minutes, per_min, at_rate, bool(at_rate >= R.EFM_MIN_NREM_MIN))
