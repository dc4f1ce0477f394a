"""Clinical engine: an intake in, a ``myoclonus.assessment/1`` out, every number explained.

How probabilities are made (transparent evidence weighting, no opaque model):

1. Priors per axis from ``evidence.yaml`` (clinical group: Caviness et al. 1999 proportions;
   the rest marked engineering choice there).
2. Every evidence rule whose clues are present adds its log-likelihood-ratio-style points to the
   labels it names; dynamic rules add the medication screen's weight of the strongest suspect
   drug (``screen_medications``), a fixed weight per lab value outside the KB adult range and per
   history condition matched to a KB cause (weights in :data:`LAB_WEIGHT` etc.). Labs and
   conditions that are views of one KB cause (eGFR, urea, "CKD") count once.
3. ``softmax(log prior + points)`` gives probabilities that sum to 1 per axis; each label lists
   the findings for (positive points) and against (negative points) as sentences with sources.
4. With a recording (``findings``: ``myoclonus.findings/1``), the origin axis becomes
   ``softmax(log p_clinical + RECORDING_WEIGHT * log p_recording)``: the recording counts as the
   stronger evidence (engineering choice: polymyography defines the generator, Zutt et al. 2015
   step 1) and any disagreement of the two top labels is listed in ``disagreements``.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from myoclonus.clinical.assessment import (
    DIFFERENTIAL_IDS,
    Assessment,
    Cause,
    DifferentialItem,
    Disagreement,
    Probability,
)
from myoclonus.clinical.clues import LabJudgement, derive_clues, judge_labs
from myoclonus.clinical.evidence import AXES, EvidenceBook, load_evidence
from myoclonus.clinical.medications import MedicationScreen, screen_medications
from myoclonus.clinical.presentation import ConditionMatch, Intake, match_conditions
from myoclonus.clinical.recording import RECORDING_WEIGHT, load_findings, merge_recording_origin
from myoclonus.clinical.treatment import plan_treatment
from myoclonus.clinical.triage import evaluate_triage
from myoclonus.clinical.workup import plan_workup
from myoclonus.errors import InputError

__all__ = ["assess", "Contribution", "EngineContext", "RECORDING_WEIGHT", "LAB_WEIGHT",
           "LAB_WEIGHT_CAP", "CONDITION_WEIGHT", "DISCLAIMER", "load_findings"]

logger = logging.getLogger(__name__)

#: Log-points for the cause class ``metabolic`` per lab value outside the adult range (engineering
#: choice; Levy & Chen 2016: look for metabolic derangement first), capped in total.
LAB_WEIGHT = 2.0
LAB_WEIGHT_CAP = 4.0
#: Log-points for the cause class of a history condition matched to a KB cause (engineering choice).
CONDITION_WEIGHT = 2.5
#: Log-points for the clinical group of that KB cause (engineering choice).
CONDITION_GROUP_WEIGHT = 1.0
#: Share of a suspect drug's weight that also supports the group ``symptomatic`` (engineering choice).
DRUG_GROUP_SHARE = 0.5

DISCLAIMER = {
    "clinician": (
        "Decision support, not a diagnosis. Probabilities come from transparent evidence weighting: "
        "the direction of each weight is taken from the cited literature, its size is an engineering "
        "choice, so treat the numbers as a ranking aid. Confirm with history, examination and "
        "neurophysiology; red flags override everything else."
    ),
    "patient": (
        "This is not a diagnosis. It is a guide to help you and your doctor. It cannot examine you. "
        "If anything in the warning list applies, get medical help as it says."
    ),
}


@dataclass(frozen=True)
class Contribution:
    """Points one finding adds to one label of one axis, with its readable reason."""

    axis: str
    label: str
    weight: float
    text: str
    rule_id: str
    kb_causes: tuple[str, ...] = ()
    supports: bool | None = None  # None: decided by the sign of weight; True/False forces for/against

    @property
    def is_for(self) -> bool:
        """True when the finding speaks for the label (listed under ``for``)."""
        return self.weight > 0 if self.supports is None else self.supports


@dataclass
class EngineContext:
    """Everything derived from the intake that the planners (triage, work-up, treatment) read."""

    intake: Intake
    audience: str
    kb: Any
    book: EvidenceBook
    screen: MedicationScreen
    labs: list[LabJudgement]
    conditions: ConditionMatch
    clues: dict[str, str]
    contributions: list[Contribution] = field(default_factory=list)
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)

    def p(self, axis: str, label: str) -> float:
        """Probability of ``label`` on ``axis`` (0 when unknown)."""
        return self.probabilities.get(axis, {}).get(label, 0.0)

    def top(self, axis: str) -> str:
        """Most probable label on ``axis``."""
        probs = self.probabilities[axis]
        return max(probs, key=probs.get)

    def sources_text(self, keys: list[str]) -> str:
        """Inline source keys, e.g. ``[S0; hallett_1979]`` (engineering_choice left out)."""
        shown = [k for k in keys if k != "engineering_choice"]
        return f" [{'; '.join(shown)}]" if shown else ""


def assess(intake: Intake, *, audience: Literal["clinician", "patient"] = "clinician",
           findings: dict | None = None, kb: Any = None) -> Assessment:
    """Assess one clinical presentation.

    Parameters
    ----------
    intake : Intake
        A validated ``myoclonus.intake/1`` (see :func:`myoclonus.clinical.presentation.load_intake`).
    audience : {"clinician", "patient"}
        Register of every text in the result (same structure either way).
    findings : dict, optional
        A parsed ``myoclonus.findings/1`` whose ``origin`` list is merged with the clinical origin
        evidence. When omitted and the intake names a ``neurophysiology`` file, that file is read.
    kb : KnowledgeBase, optional
        Defaults to the bundled knowledge base (``load_kb()``).

    Returns
    -------
    Assessment
        ``myoclonus.assessment/1``. Decision support, not a diagnosis.
    """
    if audience not in ("clinician", "patient"):
        raise InputError(f"invalid audience {audience!r}; expected 'clinician' or 'patient'", where="audience")
    if kb is None:
        from myoclonus.knowledge import load_kb

        kb = load_kb()
    book = load_evidence()
    if findings is None and intake.neurophysiology:
        base = intake.source_path.parent if intake.source_path else Path.cwd()
        findings = load_findings(base / intake.neurophysiology)

    egfr = intake.labs.egfr_ml_min if isinstance(intake.labs.egfr_ml_min, float) else None
    screen = screen_medications(intake.medications, egfr_ml_min=egfr)
    labs = judge_labs(intake, kb.lab_ranges)
    synonyms = {alias: entry.id for entry in kb.of_kind("cause") for alias in entry.aliases}
    synonyms.update(book.condition_synonyms)
    conditions = match_conditions(intake.history.conditions, _cause_names(kb), synonyms)
    clues = derive_clues(intake, labs=labs, screen=screen)
    ctx = EngineContext(intake=intake, audience=audience, kb=kb, book=book, screen=screen, labs=labs,
                        conditions=conditions, clues=clues)
    ctx.contributions = _rule_contributions(ctx) + _drug_contributions(ctx) + _count_once(
        _lab_contributions(ctx) + _condition_contributions(ctx))

    group = _posterior(ctx, "clinical_group")
    origin = _posterior(ctx, "origin")
    cause_probs = _posterior(ctx, "cause")
    disagreements: list[Disagreement] = []
    origin_evidence = "clinical"
    notes: list[str] = []
    if findings is not None:
        merged = merge_recording_origin(origin, findings, audience)
        if merged is None:
            notes.append("The recording findings contain no origin estimate (no jerk found?); origin is from clinical clues only.")
        else:
            origin, disagreements = merged
            origin_evidence = "clinical+recording"
    ctx.probabilities = {
        "clinical_group": {p.label: p.probability for p in group},
        "origin": {p.label: p.probability for p in origin},
        "cause": {p.label: p.probability for p in cause_probs},
    }
    causes = _causes(ctx, cause_probs)
    triage, red_flags = evaluate_triage(ctx)
    workup = plan_workup(ctx)
    treatment, cautions = plan_treatment(ctx, causes)
    notes += _input_notes(ctx)
    return Assessment(
        audience=audience,
        triage=triage,
        red_flags=red_flags,
        clinical_group=group,
        origin=origin,
        causes=causes,
        differential=_differential(ctx),
        workup=workup,
        treatment=treatment,
        cautions=cautions,
        disclaimer=DISCLAIMER[audience],
        disagreements=disagreements,
        origin_evidence=origin_evidence,
        notes=notes,
    )


# ----------------------------------------------------------------------------- contributions

def _cause_names(kb: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in kb.of_kind("cause"):
        names[entry.id] = entry.name
    return names


def _rule_contributions(ctx: EngineContext) -> list[Contribution]:
    out: list[Contribution] = []
    for rule in ctx.book.rules:
        if not rule.fires(ctx.clues):
            continue
        here = "; ".join(rule.matched(ctx.clues))
        text = f"{rule.finding.for_audience(ctx.audience)} (here: {here}){ctx.sources_text(rule.sources)}"
        for axis, weights in rule.weights.items():
            for label, weight in weights.items():
                kb_causes = tuple(c for c in rule.kb_causes if _class_of(ctx.kb, c) == label) if axis == "cause" else ()
                out.append(Contribution(axis, label, weight, text, rule.id, kb_causes))
        if not rule.weights and rule.kb_causes:
            logger.debug("rule %s has no weights", rule.id)
    return out


def _class_of(kb: Any, cause_id: str) -> str | None:
    if cause_id in kb:
        return getattr(kb.get(cause_id), "cause_class", None)
    logger.warning("evidence rule names unknown KB cause %s", cause_id)
    return None


def _drug_contributions(ctx: EngineContext) -> list[Contribution]:
    """The strongest suspect drug adds its screen weight; further suspects are listed with weight 0.

    Counting only the strongest drug is an engineering choice: several suspects do not multiply
    the odds that a drug, rather than something else, causes the jerks.
    """
    out: list[Contribution] = []
    for rank, hit in enumerate(ctx.screen.suspects):
        reasons = "; ".join(hit.reasons_for) or f"{hit.generic} is associated with myoclonus"
        text = f"Medication {hit.name_given}: {reasons}"
        if ctx.audience == "patient":
            recent = " and it was started or changed recently" if "drug:recent_suspect" in ctx.clues and \
                hit.generic in ctx.clues["drug:recent_suspect"] else ""
            text = (f"You take {hit.name_given}, a medicine that can cause jerks{recent}. "
                    f"Do not stop it on your own; talk to your doctor.")
        if rank == 0:
            out.append(Contribution("cause", "drug_induced", hit.weight, text, f"drug:{hit.generic}"))
            out.append(Contribution("clinical_group", "symptomatic", min(1.5, DRUG_GROUP_SHARE * hit.weight), text,
                                    f"drug:{hit.generic}"))
        else:
            out.append(Contribution("cause", "drug_induced", 0.0, text + " (further suspect, counted once)",
                                    f"drug:{hit.generic}", supports=True))
    for hit in ctx.screen.hits:
        for reason in hit.reasons_against:
            out.append(Contribution("cause", "drug_induced", 0.0, f"Medication {hit.name_given}: {reason}",
                                    f"drug:{hit.generic}", supports=False))
    return out


_LAB_CAUSE = {
    "sodium_mmol_l": "cause.hyponatraemia",
    "glucose_mmol_l": "cause.hypoglycaemia",
    "egfr_ml_min": "cause.renal_failure",
    "urea_mmol_l": "cause.renal_failure",
    "ammonia_umol_l": "cause.hepatic_failure",
    "alt_u_l": "cause.hepatic_failure",
    "bilirubin_umol_l": "cause.hepatic_failure",
    "calcium_mmol_l": "cause.electrolyte_imbalance",
    "magnesium_mmol_l": "cause.electrolyte_imbalance",
}


def _lab_kb_cause(ctx: EngineContext, lab: LabJudgement) -> str | None:
    cid = _LAB_CAUSE.get(lab.key)
    if lab.key == "sodium_mmol_l" and lab.status == "high":
        cid = "cause.electrolyte_imbalance"
    if lab.key == "glucose_mmol_l" and lab.status == "high":
        cid = "cause.metabolic"
    return cid if cid and cid in ctx.kb else None


def _lab_contributions(ctx: EngineContext) -> list[Contribution]:
    out: list[Contribution] = []
    abnormal = [lab for lab in ctx.labs if lab.status != "normal"]
    total = 0.0
    for lab in abnormal:
        weight = min(LAB_WEIGHT, LAB_WEIGHT_CAP - total)
        total += weight
        entry = ctx.kb.lab_ranges[lab.key]
        relevance = entry.myoclonus_relevance.for_audience(ctx.audience)
        text = f"{lab.describe()}: {relevance}{ctx.sources_text(list(entry.sources))}"
        kb_cause = _lab_kb_cause(ctx, lab)
        out.append(Contribution("cause", "metabolic", weight, text, f"lab:{lab.key}", (kb_cause,) if kb_cause else ()))
        out.append(Contribution("clinical_group", "symptomatic", 1.0 if weight > 0 else 0.0, text, f"lab:{lab.key}"))
    return out


def _condition_contributions(ctx: EngineContext) -> list[Contribution]:
    out: list[Contribution] = []
    for raw, cid in ctx.conditions.matched.items():
        entry = ctx.kb.get(cid)
        text = (f"History of {entry.name} (given as '{raw}'), a recognised cause of myoclonus"
                f"{ctx.sources_text(list(entry.sources))}")
        out.append(Contribution("cause", entry.cause_class, CONDITION_WEIGHT, text, f"condition:{cid}", (cid,)))
        out.append(Contribution("clinical_group", entry.clinical_group, CONDITION_GROUP_WEIGHT, text, f"condition:{cid}"))
    return out


def _count_once(contributions: list[Contribution]) -> list[Contribution]:
    """Count lab values and history conditions that point to the same KB cause only once.

    An eGFR of 14, a urea of 30 and "chronic kidney disease" are three views of one finding (renal
    failure): only the strongest adds its weight on each axis, the others stay listed as reasons
    with weight 0 (engineering choice: avoids counting correlated evidence several times).
    """
    best: dict[tuple[str, str, str], float] = {}
    for c in contributions:
        for cid in c.kb_causes or (c.rule_id,):
            key = (c.axis, c.label, cid)
            best[key] = max(best.get(key, 0.0), c.weight)
    out = []
    used: set[tuple[str, str, str]] = set()
    for c in contributions:
        keys = [(c.axis, c.label, cid) for cid in (c.kb_causes or (c.rule_id,))]
        if any(k in used for k in keys) or c.weight < max(best[k] for k in keys):
            out.append(Contribution(c.axis, c.label, 0.0, c.text + " (same finding, counted once)", c.rule_id,
                                    c.kb_causes, supports=True))
        else:
            used.update(keys)
            out.append(c)
    return out


# ----------------------------------------------------------------------------- posteriors

def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _normalised(probs: dict[str, float], order: tuple[str, ...]) -> dict[str, float]:
    """Round to 4 decimals while keeping the sum exactly 1 (the residue goes to the top label)."""
    rounded = {k: round(probs[k], 4) for k in order}
    top = max(rounded, key=rounded.get)
    rounded[top] = round(rounded[top] + (1.0 - sum(rounded.values())), 4)
    return rounded


def _posterior(ctx: EngineContext, axis: str) -> list[Probability]:
    labels = AXES[axis]
    prior = ctx.book.priors[axis]
    total = sum(prior.values.values())
    scores = {label: math.log(prior.values[label] / total) for label in labels}
    reasons_for: dict[str, list[str]] = defaultdict(list)
    reasons_against: dict[str, list[str]] = defaultdict(list)
    for c in ctx.contributions:
        if c.axis != axis:
            continue
        scores[c.label] += c.weight
        if c.is_for:
            reasons_for[c.label].append(c.text)
        else:
            reasons_against[c.label].append(c.text)
    probs = _normalised(_softmax(scores), labels)
    items = [Probability(label=label, probability=probs[label], for_=_unique(reasons_for[label]),
                         against=_unique(reasons_against[label])) for label in labels]
    return sorted(items, key=lambda p: (-p.probability, labels.index(p.label)))


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


# ----------------------------------------------------------------------------- causes, differential

def _causes(ctx: EngineContext, cause_probs: list[Probability]) -> list[Cause]:
    kb_ids: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for c in ctx.contributions:
        if c.axis == "cause":
            for cid in c.kb_causes:
                kb_ids[c.label].append((c.weight, cid))
    out = []
    for p in cause_probs:
        ids = [cid for _, cid in sorted(kb_ids[p.label], key=lambda t: -t[0])]
        ids = list(dict.fromkeys(ids))
        out.append(Cause(id=p.label, detail=_detail(ctx, p.label, ids), probability=p.probability,
                         for_=p.for_, against=p.against, kb_ids=ids))
    return out


def _detail(ctx: EngineContext, label: str, kb_ids: list[str]) -> str | None:
    if label == "drug_induced":
        top = ctx.screen.top
        if top is not None:
            return top.generic
        return "a newly started drug (not named)" if "event:new_drug" in ctx.clues else None
    if label == "metabolic":
        abnormal = [lab.describe() for lab in ctx.labs if lab.status != "normal"]
        if abnormal:
            return "; ".join(abnormal)
    if label == "hypoxic":
        for token in ("event:cardiac_arrest", "event:hypoxia"):
            if token in ctx.clues:
                return ctx.clues[token]
    if kb_ids:
        return ", ".join(ctx.kb.get(cid).name for cid in kb_ids[:2])
    return None


def _differential(ctx: EngineContext) -> list[DifferentialItem]:
    reasons: dict[str, list[str]] = defaultdict(list)
    for rule in ctx.book.rules:
        if rule.differential and rule.fires(ctx.clues):
            here = "; ".join(rule.matched(ctx.clues))
            for d in rule.differential:
                reasons[d].append(f"{rule.finding.for_audience(ctx.audience)} (here: {here}){ctx.sources_text(rule.sources)}")
    items = []
    for d in DIFFERENTIAL_IDS:
        kb_id = f"differential.{d}"
        text = sources = None
        if kb_id in ctx.kb:
            entry = ctx.kb.get(kb_id)
            text, sources = entry.text.for_audience(ctx.audience), list(entry.sources)
        items.append(DifferentialItem(id=d, for_=_unique(reasons[d]), text=text, sources=sources or []))
    return sorted(items, key=lambda i: (-len(i.for_), DIFFERENTIAL_IDS.index(i.id)))


#: Jerk features that separate the origins most (CRITERIA 1.1, 2.2); when missing, the note says so.
_DISCRIMINATING = ("occurs_at", "triggers", "rhythm", "distribution", "persists_in_sleep", "distractible",
                   "suppressible", "variable_pattern")


def _missing_features(ctx: EngineContext) -> list[str]:
    """Discriminating features reported as 'unknown' or not given, worded differently (CONTRACTS 1)."""
    raw = ctx.intake.jerks.model_dump()
    unknown = [k for k in _DISCRIMINATING if raw[k] == "unknown" or raw[k] == ["unknown"]]
    absent = [k for k in _DISCRIMINATING if raw[k] in (None, []) and k not in unknown]
    notes = []
    if unknown:
        notes.append("Reported as unknown: " + ", ".join(k.replace("_", " ") for k in unknown) + ".")
    if absent:
        notes.append("Not assessed: " + ", ".join(k.replace("_", " ") for k in absent)
                     + " - answering these would sharpen the origin estimate.")
    return notes


def _input_notes(ctx: EngineContext) -> list[str]:
    notes = _missing_features(ctx)
    for u in ctx.screen.unknown:
        hint = f" Did you mean '{u.suggestion}'?" if u.suggestion else ""
        notes.append(f"Medication '{u.name}' is not in the drug table and was not screened.{hint}")
    for raw in ctx.conditions.unmatched:
        notes.append(f"Condition '{raw}' matches no knowledge-base cause; it was not weighed (review it yourself).")
    return notes

