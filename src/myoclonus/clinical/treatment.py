"""Treatment options by origin and cause, with cautions wherever a drug can worsen myoclonus.

Order (SOURCE-FACTS section 7; Levy & Chen 2016): first treat the cause / stop the offending
drug, then first- and second-line drugs for the most probable origin as the knowledge base lists
them (CRITERIA.md section 4), each with the KB cautions that apply in this context. Top-level
cautions list every drug the patient takes that can cause or worsen myoclonus here, and every
drug that should be avoided for the suspected origin (e.g. carbamazepine, phenytoin in cortical
myoclonus; carbamazepine, gabapentin, pregabalin in myoclonic seizures; lamotrigine in JME).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from myoclonus.clinical.assessment import Cause, CautionItem, TreatmentItem
from myoclonus.clinical.medications import EGFR_REDUCED_ML_MIN, load_drugs, resolve_drug

if TYPE_CHECKING:  # pragma: no cover
    from myoclonus.clinical.engine import EngineContext

__all__ = ["plan_treatment", "active_contexts", "CONTEXT_P"]

#: An origin or cause with at least this probability is a context whose cautions apply
#: (engineering choice: a caution shown too often is safer than one missed).
CONTEXT_P = 0.25
#: A suspect drug is reviewed first once drug_induced reaches this probability, or whenever it was
#: started or changed recently (engineering choice; SOURCE-FACTS 7: treat the cause first).
DRUG_STEP_P = 0.1
#: The clinical group "physiologic" at or above this probability: no treatment needed (S0).
PHYSIOLOGIC_P = 0.6

# H2's drug-table caution contexts -> this module's context names.
_DRUG_CONTEXT = {
    "cortical_myoclonus": "cortical",
    "myoclonic_seizures": "cortical_subcortical",
    "jme": "jme",
    "epileptic_negative_myoclonus": "epileptic_negative_myoclonus",
}


def _kb_supported(ctx: "EngineContext", cause_id: str) -> bool:
    return any(cause_id in c.kb_causes and c.weight > 0 for c in ctx.contributions)


def active_contexts(ctx: "EngineContext") -> set[str]:
    """Contexts in which cautions apply: likely origins and causes, JME, negative myoclonus."""
    out = {ctx.top("origin")}
    out |= {label for label, p in ctx.probabilities["origin"].items() if p >= CONTEXT_P}
    out |= {label for label, p in ctx.probabilities["cause"].items() if p >= CONTEXT_P}
    if "seizures:any" in ctx.clues or ctx.p("clinical_group", "epileptic") >= CONTEXT_P:
        out.add("cortical_subcortical")
    if _kb_supported(ctx, "cause.juvenile_myoclonic_epilepsy"):
        out.add("jme")
    if ("polarity:negative" in ctx.clues or "polarity:both" in ctx.clues) and "seizures:any" in ctx.clues:
        out.add("epileptic_negative_myoclonus")
    return out


# Line context (free text in the KB) -> does it apply to this case? Unknown contexts apply
# (showing an option with its context is safer than hiding it).
_LINE_CONTEXT: list[tuple[str, Callable[["EngineContext"], bool]]] = [
    ("intensive care", lambda ctx: ("event:cardiac_arrest:recent" in ctx.clues or "event:hypoxia:recent" in ctx.clues)
     and "impaired_consciousness" in ctx.clues),
    ("post-hypoxic", lambda ctx: ctx.p("cause", "hypoxic") >= CONTEXT_P),
    ("lance-adams", lambda ctx: ctx.p("cause", "hypoxic") >= CONTEXT_P),
    ("essential palatal", lambda ctx: "palatal" in ctx.clues and "persists_in_sleep:true" not in ctx.clues),
    ("palatal", lambda ctx: "palatal" in ctx.clues),
    ("jme", lambda ctx: _kb_supported(ctx, "cause.juvenile_myoclonic_epilepsy") or "seizures:any" in ctx.clues),
    ("myoclonic seizures", lambda ctx: "seizures:any" in ctx.clues),
    ("hyperekplexia", lambda ctx: _kb_supported(ctx, "cause.hyperekplexia") or "trigger:startle" in ctx.clues
     or "trigger:sound" in ctx.clues),
    ("myoclonus-dystonia", lambda ctx: _kb_supported(ctx, "cause.myoclonus_dystonia")),
    ("opsoclonus", lambda ctx: "exam:opsoclonus" in ctx.clues),
    ("lafora", lambda ctx: _kb_supported(ctx, "cause.progressive_myoclonus_epilepsy")),
    ("epileptic negative", lambda ctx: "epileptic_negative_myoclonus" in active_contexts(ctx)),
    ("focal cases", lambda ctx: "distribution:focal" in ctx.clues),
    ("hemifacial", lambda ctx: ctx.p("origin", "peripheral") >= CONTEXT_P),
    ("restless", lambda ctx: "restless_legs:true" in ctx.clues),
    ("sleep myoclonus", lambda ctx: "occurs_at:sleep_onset" in ctx.clues or "occurs_at:sleep" in ctx.clues),
    ("drug-induced", lambda ctx: False),      # handled as a cause step
    ("treatable cause", lambda ctx: False),   # handled as a cause step
    ("helps all types", lambda ctx: False),   # clonazepam is listed by origin already
]


def _line_applies(ctx: "EngineContext", context: str | None) -> bool:
    if not context:
        return True
    low = context.lower()
    for keyword, test in _LINE_CONTEXT:
        if keyword in low:
            return test(ctx)
    return True


def _item_cautions(ctx: "EngineContext", entry, contexts: set[str]) -> list[str]:
    out = []
    for caution in getattr(entry, "cautions", []):
        if caution.context in contexts or caution.context in ("drug_induced", "long-term use"):
            out.append(f"{caution.text.for_audience(ctx.audience)}{ctx.sources_text(list(caution.sources))}")
    renal = _renal_caution(ctx, entry)
    if renal:
        out.append(renal)
    return out


def _renal_caution(ctx: "EngineContext", entry) -> str | None:
    """A renally cleared treatment drug proposed with eGFR < 60 ml/min (KDIGO 2012 stage G3a or worse)."""
    egfr = ctx.intake.labs.egfr_ml_min
    if getattr(entry, "treatment_type", "drug") != "drug" or not isinstance(egfr, float) or egfr >= EGFR_REDUCED_ML_MIN:
        return None
    drug = resolve_drug(entry.id.split(".", 1)[1])
    if drug is None or not drug.renally_cleared:
        return None
    citation = load_drugs().references.get(drug.renal_source or "", drug.renal_source or "")
    if ctx.audience == "patient":
        return "Your kidneys clear this medicine; the dose must be adjusted to your kidney function."
    return (f"Renally cleared: eGFR {egfr:g} ml/min (below {EGFR_REDUCED_ML_MIN:g}, KDIGO 2012) - adjust the dose and "
            f"monitor for accumulation [kdigo_2012; {citation}]")


def _item(ctx, entry, line: int, origin: str, contexts: set[str], *, context: str | None = None,
          for_cause: str | None = None, sources: list[str] | None = None) -> TreatmentItem:
    return TreatmentItem(
        id=entry.id.split(".", 1)[1], line=line, for_origin=origin, cautions=_item_cautions(ctx, entry, contexts),
        sources=list(dict.fromkeys(sources or list(entry.sources))), for_cause=for_cause,
        text=entry.text.for_audience(ctx.audience), context=context)


def _cause_steps(ctx: "EngineContext", causes: list[Cause], contexts: set[str]) -> list[TreatmentItem]:
    steps: list[TreatmentItem] = []
    kb = ctx.kb
    drug = next((c for c in causes if c.id == "drug_induced"), None)
    if drug is not None and ctx.screen.suspects and (drug.probability >= DRUG_STEP_P or "drug:recent_suspect" in ctx.clues):
        entry = kb.get("treatment.stop_offending_drug")
        names = ", ".join(h.generic for h in ctx.screen.suspects)
        steps.append(_item(ctx, entry, 1, "any", contexts, context=f"suspected drug(s): {names}", for_cause="drug_induced"))
    treatable = ("metabolic", "structural", "autoimmune_paraneoplastic", "infectious_prion", "toxic")
    top_symptomatic = [c for c in causes if c.id in treatable and (c.probability >= CONTEXT_P or c is causes[0])]
    if top_symptomatic:
        entry = kb.get("treatment.treat_underlying_cause")
        detail = "; ".join(f"{c.id.replace('_', ' ')}: {c.detail}" if c.detail else c.id.replace("_", " ") for c in top_symptomatic)
        steps.append(_item(ctx, entry, 1, "any", contexts, context=detail, for_cause=top_symptomatic[0].id))
    return steps


def plan_treatment(ctx: "EngineContext", causes: list[Cause]) -> tuple[list[TreatmentItem], list[CautionItem]]:
    """Treatment items (cause steps first, then by origin, line 1 before 2) and top-level cautions."""
    contexts = active_contexts(ctx)
    kb = ctx.kb
    items: list[TreatmentItem] = []
    if ctx.p("clinical_group", "physiologic") >= PHYSIOLOGIC_P:
        if "treatment.no_treatment_needed" in kb:
            items.append(_item(ctx, kb.get("treatment.no_treatment_needed"), 1, "any", contexts,
                               context="physiological myoclonus"))
        if ("occurs_at:sleep_onset" in ctx.clues or "occurs_at:sleep" in ctx.clues) and "treatment.sleep_hygiene" in kb:
            items.append(_item(ctx, kb.get("treatment.sleep_hygiene"), 1, "any", contexts, context="sleep myoclonus"))
        if "restless_legs:true" in ctx.clues and "treatment.rls_lifestyle" in kb:
            items.append(_item(ctx, kb.get("treatment.rls_lifestyle"), 1, "any", contexts,
                               context="restless-legs-related sleep myoclonus"))
        return items, _cautions(ctx, items, contexts, avoid_for_origin=False)
    items += _cause_steps(ctx, causes, contexts)
    origin = ctx.top("origin")
    by_origin: dict[str, TreatmentItem] = {}
    for entry in kb.of_kind("treatment"):
        for line in entry.lines:
            if line.origin == "any":
                if line.context and not any(k in line.context.lower() for k in ("intensive care", "sleep myoclonus", "restless")):
                    continue
            elif line.origin != origin:
                continue
            if not _line_applies(ctx, line.context):
                continue
            key = entry.id
            previous = by_origin.get(key)
            if previous is not None and previous.line <= line.line:
                if line.context and line.context not in (previous.context or ""):
                    previous.context = "; ".join(filter(None, [previous.context, line.context]))
                continue
            by_origin[key] = _item(ctx, entry, line.line, origin if line.origin != "any" else "any", contexts,
                                   context=line.context, sources=list(line.sources) + list(entry.sources))
    items += sorted(by_origin.values(), key=lambda i: (i.line, i.id))
    return items, _cautions(ctx, items, contexts)


def _cautions(ctx: "EngineContext", items: list[TreatmentItem], contexts: set[str], *,  # noqa: ARG001
              avoid_for_origin: bool = True) -> list[CautionItem]:
    out: dict[tuple[str, str], CautionItem] = {}

    def add(drug: str, text: str, sources: list[str], context: str) -> None:
        out.setdefault((drug, context), CautionItem(drug=drug, text=text, sources=list(dict.fromkeys(sources)), context=context))

    patient = ctx.audience == "patient"
    for hit in ctx.screen.suspects:
        named = hit.name_given if hit.name_given.lower() == hit.generic.lower() else f"{hit.name_given} ({hit.generic})"
        text = (f"{named} can cause myoclonus: " + "; ".join(hit.reasons_for)) if not patient else (
            f"{hit.name_given} may be causing the jerks. Talk to your doctor before changing it; do not stop it on your own.")
        add(hit.generic, text, list(hit.sources), "drug_induced")
    for caution in ctx.screen.cautions:
        context = _DRUG_CONTEXT.get(caution.context, caution.context)
        if context in contexts:
            text = caution.text if not patient else (
                f"You take {caution.drug}, which can make this kind of jerks worse. Ask your doctor about it; "
                "do not stop it on your own.")
            add(caution.drug, text, list(caution.sources), context)
    if ctx.screen.serotonin_toxicity_risk:
        text = ctx.screen.serotonin_reason or "serotonergic combination"
        if patient:
            text = ("Together these medicines can raise serotonin too much. Get help at once if you become agitated, "
                    "hot, sweaty or confused.")
        add(", ".join(ctx.screen.serotonergic), text, list(ctx.screen.serotonin_sources), "serotonin_toxicity")
    for flag in ctx.screen.renal_flags:
        text = flag.text if not patient else (
            f"Your kidneys clear {flag.drug}; with weak kidneys it can build up, so the dose may need changing.")
        add(flag.drug, text, list(flag.sources), "renal")
    # Drugs to avoid for the suspected origin (whether proposed, taken or not); not for
    # physiological myoclonus, which is not treated at all.
    for entry in ctx.kb.of_kind("treatment") if avoid_for_origin else []:
        for caution in entry.cautions:
            if caution.worsens and caution.context in contexts and caution.context != "drug_induced":
                add(entry.id.split(".", 1)[1], caution.text.for_audience(ctx.audience), list(caution.sources),
                    caution.context)
    # (A proposed drug that can itself induce myoclonus carries that caution on its treatment item.)
    return list(out.values())
