"""Merge the recording's origin estimate (``myoclonus.findings/1``) into the clinical origin.

The recording counts as the stronger evidence for the generator (engineering choice, following
Zutt et al., Nat Rev Neurol 2015, step 1: polymyography defines the anatomical subtype), so its
log-probabilities are weighted by :data:`RECORDING_WEIGHT`. When the two top labels differ the
assessment says so explicitly.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from myoclonus.clinical.assessment import ORIGINS, Disagreement, Probability
from myoclonus.errors import InputError

__all__ = ["RECORDING_WEIGHT", "RECORDING_FLOOR", "load_findings", "merge_recording_origin"]

#: Exponent of the recording's origin probabilities when merged (engineering choice: the recording
#: is the stronger evidence for the generator, Zutt et al., Nat Rev Neurol 2015, step 1).
RECORDING_WEIGHT = 2.0
#: Floor for recording probabilities before taking logs (engineering choice; keeps every label reachable).
RECORDING_FLOOR = 1e-3


#: Known traps when the two sources disagree (CRITERIA 1.1 and 1.5).
_PAIR_NOTES = {
    frozenset(("functional", "propriospinal")): (
        " Healthy volunteers can mimic propriospinal polymyography and many propriospinal cases are functional: "
        "test for a Bereitschaftspotential / beta ERD [psm_mimic_2006; prd_2016_psm; levy_chen_2016]."),
    frozenset(("functional", "cortical")): (
        " Functional jerks are longer (usually > 70 ms) with variable latencies and a BP; cortical jerks are brief "
        "(< 50 ms) with a JLBA spike: check burst duration and back-averaging [pal_2011; eberhardt_topka_2017]."),
}


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _normalised(probs: dict[str, float]) -> dict[str, float]:
    rounded = {k: round(probs[k], 4) for k in ORIGINS}
    top = max(rounded, key=rounded.get)
    rounded[top] = round(rounded[top] + (1.0 - sum(rounded.values())), 4)
    return rounded


def load_findings(path: str | Path) -> dict:
    """Read a ``myoclonus.findings/1`` JSON file (the recording analysis) for merging."""
    p = Path(path)
    if not p.is_file():
        raise InputError("neurophysiology findings file not found; expected a myoclonus.findings/1 JSON", where=str(p))
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the findings JSON ({exc})", where=str(p)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (myoclonus.findings/1)", where=str(p))
    schema = data.get("schema")
    if schema is not None and schema != "myoclonus.findings/1":
        raise InputError(f"unsupported schema {schema!r}; expected 'myoclonus.findings/1'", where=f"{p}: schema")
    return data



def merge_recording_origin(origin: list[Probability], findings: dict,
                           audience: str) -> tuple[list[Probability], list[Disagreement]] | None:
    """Combine the clinical origin list with the recording's ``"origin"`` list.

    ``log p = log p_clinical + RECORDING_WEIGHT * log p_recording`` (recording probabilities
    floored at :data:`RECORDING_FLOOR`), renormalised. Returns None when the findings hold no
    origin estimate (e.g. ``"label": "none"``: no jerk found). The recording's reasons are added
    to each label, prefixed ``"Recording: "``; a different top label is reported as a
    :class:`Disagreement`.
    """
    rec = findings.get("origin")
    if not isinstance(rec, list):
        return None
    rec_probs: dict[str, float] = {}
    rec_for: dict[str, list[str]] = {}
    rec_against: dict[str, list[str]] = {}
    for item in rec:
        if not isinstance(item, dict) or item.get("label") not in ORIGINS:
            continue
        try:
            rec_probs[item["label"]] = float(item.get("probability", 0.0))
        except (TypeError, ValueError):
            raise InputError(f"origin probability of {item.get('label')!r} is not a number", where="findings: origin") from None
        rec_for[item["label"]] = [str(s) for s in item.get("for", [])]
        rec_against[item["label"]] = [str(s) for s in item.get("against", [])]
    if not rec_probs or sum(rec_probs.values()) <= 0:
        return None
    rec_total = sum(rec_probs.values())
    scores = {}
    clinical = {p.label: p for p in origin}
    for label in ORIGINS:
        p_clin = max(clinical[label].probability, 1e-6)
        p_rec = max(rec_probs.get(label, 0.0) / rec_total, RECORDING_FLOOR)
        scores[label] = math.log(p_clin) + RECORDING_WEIGHT * math.log(p_rec)
    probs = _normalised(_softmax(scores))
    prefix = "Recording: " if audience == "clinician" else "Your recording: "
    merged = [Probability(label=label, probability=probs[label],
                          for_=clinical[label].for_ + [prefix + s for s in rec_for.get(label, [])],
                          against=clinical[label].against + [prefix + s for s in rec_against.get(label, [])])
              for label in ORIGINS]
    merged.sort(key=lambda p: (-p.probability, ORIGINS.index(p.label)))
    clin_top = max(origin, key=lambda p: p.probability).label
    rec_top = max(rec_probs, key=rec_probs.get)
    disagreements = []
    if clin_top != rec_top:
        disagreements.append(Disagreement(
            axis="origin", clinical=clin_top, recording=rec_top,
            text=(f"The clinical clues point to a {clin_top.replace('_', ' ')} origin but the recording points "
                  f"to {rec_top.replace('_', ' ')}; the recording was weighted as the stronger evidence "
                  f"(x{RECORDING_WEIGHT:g} in log space), giving {merged[0].label.replace('_', ' ')}. "
                  "Review both." + _PAIR_NOTES.get(frozenset((clin_top, rec_top)), ""))))
    return merged, disagreements
