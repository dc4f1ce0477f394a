"""Red flags and triage: how urgently to seek care, and why.

Levels (CONTRACTS.md section 2): ``emergency`` (now) > ``urgent`` (within days) > ``routine``
(book a visit) > ``self_care`` (no visit needed). Each detected red flag (KB ``red_flag.*``) and
"when to see a clinician" rule (KB ``care.*``, SOURCE-FACTS section 9: S0, S1) carries its level
in the knowledge base; the assessment takes the HIGHEST level found. Under-triage is the worst
error, so ``self_care`` is given only when the presentation positively looks physiological
(the KB rule ``care.no_visit_needed``: brief, infrequent, non-repetitive, hiccup-like) and no other
rule fires; when nothing fires and the picture is not clearly physiological, the level is
``routine``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from myoclonus.clinical.assessment import TRIAGE_LEVELS, RedFlag, Triage

if TYPE_CHECKING:  # pragma: no cover
    from myoclonus.clinical.engine import EngineContext

__all__ = ["evaluate_triage", "RED_FLAG_RULES", "CARE_RULES", "PHYSIOLOGIC_SELF_CARE_MIN"]

#: The clinical group "physiologic" must reach this probability before ``self_care`` is considered
#: (engineering choice; below it the presentation is not clearly benign).
PHYSIOLOGIC_SELF_CARE_MIN = 0.6

_RANK = {level: i for i, level in enumerate(TRIAGE_LEVELS)}  # emergency = 0 = highest


def _has(ctx: "EngineContext", *tokens: str) -> bool:
    return any(t in ctx.clues for t in tokens)


def _serotonin(ctx: "EngineContext") -> bool:
    return _has(ctx, "drug:serotonin_risk") and _has(ctx, "exam:agitation", "exam:fever", "exam:confusion")


def _hypoglycaemia(ctx: "EngineContext") -> bool:
    return _has(ctx, "lab:glucose_mmol_l:low")


def _encephalopathy_fever(ctx: "EngineContext") -> bool:
    return _has(ctx, "exam:fever") and _has(ctx, "exam:confusion", "impaired_consciousness")


def _post_arrest_coma(ctx: "EngineContext") -> bool:
    # Comatose: exam.coma, or impaired awareness when coma is not recorded (under-triage is worse).
    return _has(ctx, "event:cardiac_arrest:recent", "event:hypoxia:recent") and _has(ctx, "impaired_consciousness")


def _status(ctx: "EngineContext") -> bool:
    return _has(ctx, "duration:status")


def _rapid_decline(ctx: "EngineContext") -> bool:
    return _has(ctx, "cognitive_decline:rapid")


def _opsoclonus(ctx: "EngineContext") -> bool:
    # The KB flag is about children (neuroblastic tumour in about 50%, Pranzatelli 2017); when the
    # age is not given it is raised too (under-triage is the worst error). Adults: see _ADULT_OMS.
    age = ctx.intake.patient.age_years
    return _has(ctx, "exam:opsoclonus") and not (isinstance(age, float) and age >= 18)


def _adult_opsoclonus(ctx: "EngineContext") -> bool:
    age = ctx.intake.patient.age_years
    return _has(ctx, "exam:opsoclonus") and isinstance(age, float) and age >= 18


def _new_drug(ctx: "EngineContext") -> bool:
    return _has(ctx, "drug:recent_suspect", "event:new_drug")


def _metabolic(ctx: "EngineContext") -> bool:
    return _has(ctx, "lab:any_abnormal")


def _alcohol_withdrawal(ctx: "EngineContext") -> bool:
    return _has(ctx, "alcohol:withdrawal")


def _seizures(ctx: "EngineContext") -> bool:
    return _has(ctx, "seizures:any")


def _falls(ctx: "EngineContext") -> bool:
    return _has(ctx, "impact:falls")


def _impaired_awareness(ctx: "EngineContext") -> bool:
    return _has(ctx, "impaired_consciousness", "exam:confusion")


def _progressive(ctx: "EngineContext") -> bool:
    return _has(ctx, "course:progressive", "trend:increasing")


def _spinal_cord_signs(ctx: "EngineContext") -> bool:
    spinal_pattern = _has(ctx, "distribution:axial", "distribution:segmental", "region:trunk", "region:abdomen",
                          "event:spinal_cord_injury")
    return _has(ctx, "exam:upper_motor_neuron_signs") and spinal_pattern


def _sudden_generalized(ctx: "EngineContext") -> bool:
    return _has(ctx, "onset:sudden") and _has(ctx, "generalized_or_whole_body", "distribution:multifocal")


#: KB red-flag id -> detector (reads the clues of the engine context).
RED_FLAG_RULES: dict[str, Callable[["EngineContext"], bool]] = {
    "red_flag.serotonin_toxicity": _serotonin,
    "red_flag.hypoglycaemia": _hypoglycaemia,
    "red_flag.encephalopathy_with_fever": _encephalopathy_fever,
    "red_flag.post_cardiac_arrest_coma": _post_arrest_coma,
    "red_flag.status_myoclonus": _status,
    "red_flag.rapid_cognitive_decline": _rapid_decline,
    "red_flag.opsoclonus_child": _opsoclonus,
    "red_flag.new_drug_onset": _new_drug,
    "red_flag.metabolic_derangement": _metabolic,
    "red_flag.alcohol_withdrawal": _alcohol_withdrawal,
    "red_flag.seizures": _seizures,
    "red_flag.falls": _falls,
    "red_flag.impaired_awareness": _impaired_awareness,
    "red_flag.progressive_worsening": _progressive,
    "red_flag.spinal_cord_signs": _spinal_cord_signs,
    "red_flag.sudden_generalized_onset": _sudden_generalized,
}

def _hiccup_only(ctx: "EngineContext") -> bool:
    regions = [t for t in ctx.clues if t.startswith("region:") and t not in ("region:distal", "region:upper_body")]
    return regions == ["region:diaphragm"]


#: KB care id -> detector ("when to see a clinician", S0/S1; numbers in clues.py).
CARE_RULES: dict[str, Callable[["EngineContext"], bool]] = {
    "care.long_or_lengthening": lambda ctx: _has(ctx, "duration:long", "trend:increasing"),
    "care.frequent": lambda ctx: _has(ctx, "episodes:frequent"),
    # Hiccups are rhythmic by nature and named by the sources as needing no visit (S0, S1).
    "care.patterned": lambda ctx: _has(ctx, "rhythm:rhythmic") and not _hiccup_only(ctx),
    "care.affects_daily_function": lambda ctx: _has(ctx, "impact:any"),
    # A first episode of non-physiological myoclonus (the KB rule's wording); physiological jerks
    # are judged by care.no_visit_needed instead.
    "care.first_episode": lambda ctx: _has(ctx, "first_episode:true")
    and ctx.p("clinical_group", "physiologic") < PHYSIOLOGIC_SELF_CARE_MIN,
    "care.other_symptoms": lambda ctx: _has(ctx, "seizures:any", "cognitive_decline:any", "lab:any_abnormal")
    or any(t.startswith("exam:") and not t.endswith(":false") and t != "exam:all_normal" for t in ctx.clues),
}


def _reason(ctx: "EngineContext", entry, level: str) -> str:
    text = entry.text.for_audience(ctx.audience)
    return f"{level}: {entry.name} - {text}{ctx.sources_text(list(entry.sources))}"


def evaluate_triage(ctx: "EngineContext") -> tuple[Triage, list[RedFlag]]:
    """Detect red flags and apply the care rules; return the triage and the red flags (highest first).

    Parameters
    ----------
    ctx : EngineContext
        The engine context after probabilities were computed.
    """
    flags: list[RedFlag] = []
    reasons: list[tuple[str, str]] = []
    for flag_id, detect in RED_FLAG_RULES.items():
        if flag_id not in ctx.kb or not detect(ctx):
            continue
        entry = ctx.kb.get(flag_id)
        flags.append(RedFlag(id=flag_id, text=entry.text.for_audience(ctx.audience),
                             sources=list(entry.sources), triage=entry.triage))
        reasons.append((entry.triage, _reason(ctx, entry, entry.triage)))
    if _adult_opsoclonus(ctx):
        text = ("urgent: opsoclonus-myoclonus in an adult - paraneoplastic in 39% of 114 adults (lung, breast, ovarian "
                "teratoma); prompt tumour and antibody screen [armangue_2016]") if ctx.audience == "clinician" else (
                "urgent: fast, chaotic eye movements with jerks need prompt tests, including a search for a tumour [armangue_2016]")
        reasons.append(("urgent", text))
    if _has(ctx, "drug:serotonin_risk") and not _serotonin(ctx):
        reasons.append(("urgent", "urgent: serotonergic drug combination with myoclonus - review the drugs within days "
                        "and seek care at once if agitation, fever, sweating or confusion appear"
                        + ctx.sources_text(list(ctx.screen.serotonin_sources))))
    for care_id, detect in CARE_RULES.items():
        if care_id in ctx.kb and detect(ctx):
            entry = ctx.kb.get(care_id)
            reasons.append((entry.triage, _reason(ctx, entry, entry.triage)))
    if not reasons:
        if ctx.p("clinical_group", "physiologic") >= PHYSIOLOGIC_SELF_CARE_MIN and "care.no_visit_needed" in ctx.kb:
            entry = ctx.kb.get("care.no_visit_needed")
            reasons.append((entry.triage, _reason(ctx, entry, entry.triage)))
        else:
            text = ("routine: myoclonus without red flags and without a clearly physiological pattern - book a visit "
                    "(when evidence is mixed the higher level is chosen)") if ctx.audience == "clinician" else (
                    "routine: no warning signs were found, but the jerks do not look clearly harmless - book a visit")
            reasons.append(("routine", text))
    level = min((lvl for lvl, _ in reasons), key=lambda lvl: _RANK[lvl])
    reasons.sort(key=lambda r: _RANK[r[0]])
    flags.sort(key=lambda f: _RANK[f.triage or "routine"])
    return Triage(level=level, reasons=[text for _, text in reasons]), flags
