"""Medication screening: which of the patient's drugs may cause or worsen myoclonus.

``screen_medications`` resolves each listed medication (generic or brand name) against the drug
table ``knowledge/data/drugs.yaml`` and returns a :class:`MedicationScreen`: the suspect drugs with
a weight towards the cause ``drug_induced`` and the reasons for and against, the names it did not
recognise (with a "did you mean"), serotonergic drugs and the serotonin-toxicity risk, cautions
for drugs that can worsen myoclonus in some context, and renal flags.

This is decision support, not a diagnosis: a listed drug is a candidate to review with the
prescriber, never an instruction to stop it.
"""
from __future__ import annotations

import difflib
import math
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from myoclonus.clinical.drug_models import Drug, DrugTable, normalise_drug_name
from myoclonus.errors import InputError, did_you_mean

__all__ = [
    "MedicationUse",
    "DrugHit",
    "UnknownDrug",
    "DrugCaution",
    "RenalFlag",
    "MedicationScreen",
    "load_drugs",
    "read_drug_table",
    "resolve_drug",
    "suggest_drug",
    "drug_cautions",
    "screen_medications",
    "EVIDENCE_WEIGHT",
]

logger = logging.getLogger(__name__)

# --- Weighting rules (log-likelihood-ratio-style contributions towards cause "drug_induced") ---
# Base weight by evidence level. The ordering follows the strength of the evidence (a level-A
# drug of Rissardo et al., Medicina 2025;61:131 > a drug with its own published case report >
# membership of a frequently reported class, Janssen et al., J Neurol 2017;264:1559 > commonly
# cited without a citation found). The numbers themselves are an engineering choice: no source
# gives likelihood ratios for drug-induced myoclonus.
EVIDENCE_WEIGHT: dict[str, float] = {
    "A": 2.0,
    "case_report": 1.5,
    "class": 1.0,
    "unverified": 0.5,
    "none": 0.0,
}
#: Start or dose change within this many days strengthens the link. Why: drug-induced myoclonus
#: follows exposure and reverses with withdrawal or dose adjustment (Jimenez-Jimenez et al., CNS
#: Drugs 2004;18:93; Rissardo et al., Medicina 2025;61:131); published cases began days after the
#: start (tramadol after 5 days, Bae & Lee 2020; venlafaxine after about 8 days, Dutra et al. 2008).
#: The 30-day window and the +1.0 are engineering choices.
RECENT_CHANGE_DAYS = 30.0
RECENT_CHANGE_WEIGHT = 1.0
#: Taken unchanged for longer than this: the temporal link is weak (engineering choice).
LONG_STABLE_DAYS = 365.0
LONG_STABLE_WEIGHT = -0.5
#: Stopped more than this many days ago: drug-induced myoclonus usually resolves after withdrawal
#: (Jimenez-Jimenez et al., CNS Drugs 2004;18:93), so the drug is no longer a likely cause
#: (window: engineering choice). Stopped more recently: a small reduction only.
STOPPED_LONG_AGO_DAYS = 14.0
STOPPED_RECENTLY_WEIGHT = -0.5
#: Renal function cut-offs in ml/min/1.73 m2: KDIGO 2012 CKD stages G3a (< 60) and G4 (< 30)
#: (KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of CKD, Kidney Int
#: Suppl 2013;3:1-150). Renally cleared drugs accumulate when eGFR falls; the added weights are an
#: engineering choice.
EGFR_REDUCED_ML_MIN = 60.0
EGFR_SEVERE_ML_MIN = 30.0
RENAL_REDUCED_WEIGHT = 0.5
RENAL_SEVERE_WEIGHT = 1.0
#: A serotonergic drug stopped within this many days still counts towards a combination
#: (engineering choice; serotonin toxicity follows the combination of serotonergic drugs, Boyer &
#: Shannon, N Engl J Med 2005;352:1112).
SEROTONERGIC_WASHOUT_DAYS = 14.0

KDIGO_2012 = "KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of Chronic Kidney Disease. Kidney Int Suppl 2013;3(1):1-150."
BOYER_SHANNON_2005 = "Boyer EW, Shannon M. The serotonin syndrome. N Engl J Med 2005;352(11):1112-1120. doi:10.1056/NEJMra041867"

_DATA_FILE = "drugs.yaml"
# Formulation words dropped when a name does not resolve as given ("Depakote ER", "tramadol 50 mg").
_FORMULATION_WORDS = {
    "xr", "er", "sr", "cr", "xl", "la", "dr", "ir", "mr", "od", "retard", "depot", "tablet", "tablets",
    "tab", "tabs", "capsule", "capsules", "cap", "caps", "oral", "iv", "im", "injection", "infusion",
    "patch", "mg", "mcg", "g", "ml", "hcl", "hydrochloride", "sodium", "potassium", "tartrate",
    "succinate", "citrate", "maleate", "besylate", "mesylate", "sulfate", "sulphate", "phosphate",
}


class MedicationUse(BaseModel):
    """One item of the intake's ``medications:`` list (``myoclonus.intake/1``, CONTRACTS.md 1)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Generic or brand name as written by the user.")
    dose: str | None = Field(None, description="Free-text dose, e.g. '50 mg twice daily'.")
    started_days_ago: float | None = Field(None, ge=0, description="Days since the drug was started.")
    dose_changed_days_ago: float | None = Field(None, ge=0, description="Days since the last dose change.")
    stopped_days_ago: float | None = Field(None, ge=0, description="Days since the drug was stopped (absent: still taken).")


@dataclass(frozen=True)
class DrugHit:
    """A recognised medication and its weight towards the cause ``drug_induced``.

    ``weight`` is 0 for drugs with no known association (e.g. levetiracetam); such hits are kept so
    that every input is accounted for. Use :attr:`MedicationScreen.suspects` for weight > 0.
    """

    name_given: str
    generic: str
    drug_class: str
    evidence: str
    associations: tuple[str, ...]
    weight: float
    reasons_for: tuple[str, ...]
    reasons_against: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class UnknownDrug:
    """A medication name that is not in the drug table; ``suggestion`` is the closest known name."""

    name: str
    suggestion: str | None
    suggestion_generic: str | None


@dataclass(frozen=True)
class DrugCaution:
    """The drug can worsen myoclonus in ``context`` (CRITERIA.md section 4)."""

    drug: str
    context: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RenalFlag:
    """A renally cleared drug taken with reduced eGFR."""

    drug: str
    egfr_ml_min: float
    stage: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MedicationScreen:
    """Result of :func:`screen_medications`. Every input medication is in ``hits`` or ``unknown``."""

    hits: list[DrugHit] = field(default_factory=list)
    unknown: list[UnknownDrug] = field(default_factory=list)
    serotonergic: list[str] = field(default_factory=list)
    serotonin_toxicity_risk: bool = False
    serotonin_reason: str | None = None
    serotonin_sources: tuple[str, ...] = ()
    cautions: list[DrugCaution] = field(default_factory=list)
    renal_flags: list[RenalFlag] = field(default_factory=list)

    @property
    def suspects(self) -> list[DrugHit]:
        """Hits with a positive weight, strongest first."""
        return [h for h in self.hits if h.weight > 0]

    @property
    def top(self) -> DrugHit | None:
        """The strongest suspect, or None."""
        suspects = self.suspects
        return suspects[0] if suspects else None

    def as_dict(self) -> dict:
        """JSON-ready dict (tuples become lists)."""
        return asdict(self)


# ----------------------------------------------------------------------------- loading


def read_drug_table(path: str | Path) -> DrugTable:
    """Read and validate a drug table file.

    Raises
    ------
    InputError
        When the file is not valid YAML or does not follow ``myoclonus.drugs/1``; the message
        names the file, the drug entry and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read drug table: {exc}", where=str(path)) from None
    return _parse_drug_table(text, where=str(path))


def _parse_drug_table(text: str, *, where: str) -> DrugTable:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML{line}: {problem}", where=where) from None
    if not isinstance(raw, dict):
        raise InputError(f"expected a mapping with 'schema', 'references' and 'drugs', got {type(raw).__name__}", where=where)
    try:
        return DrugTable.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_describe_validation_error(exc, raw), where=where) from None


def _describe_validation_error(exc: ValidationError, raw: dict) -> str:
    messages = []
    for err in exc.errors()[:5]:
        loc = list(err["loc"])
        label = ".".join(str(p) for p in loc) or "(top level)"
        if len(loc) >= 2 and loc[0] == "drugs" and isinstance(loc[1], int):
            drugs = raw.get("drugs") or []
            entry = drugs[loc[1]] if loc[1] < len(drugs) else None
            drug_id = entry.get("id") if isinstance(entry, dict) else None
            rest = ".".join(str(p) for p in loc[2:])
            label = f"drug '{drug_id}'" + (f" field '{rest}'" if rest else "") if drug_id else label
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "literal_error":
            msg = f"{msg}, got {err.get('input')!r}"
        messages.append(f"{label}: {msg}")
    more = f" (and {len(exc.errors()) - 5} more)" if len(exc.errors()) > 5 else ""
    return "invalid drug table: " + "; ".join(messages) + more


@lru_cache(maxsize=1)
def load_drugs() -> DrugTable:
    """The bundled drug table (``knowledge/data/drugs.yaml``), validated once and cached."""
    resource = resources.files("myoclonus.knowledge") / "data" / _DATA_FILE
    return _parse_drug_table(resource.read_text(encoding="utf-8"), where=f"myoclonus/knowledge/data/{_DATA_FILE}")


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[str, str]]:
    """Normalised name -> (display name, drug id)."""
    index: dict[str, tuple[str, str]] = {}
    for drug in load_drugs().drugs:
        for name in drug.all_names():
            index.setdefault(normalise_drug_name(name), (name, drug.id))
    return index


@lru_cache(maxsize=1)
def _drugs_by_id() -> dict[str, Drug]:
    return {d.id: d for d in load_drugs().drugs}


# ----------------------------------------------------------------------------- lookup


def resolve_drug(name: str) -> Drug | None:
    """The drug called ``name`` (generic, synonym or brand; case-, space- and hyphen-insensitive).

    When the name as given is unknown, formulation words and doses are dropped and the lookup is
    retried (``"Depakote ER"`` -> Depakote, ``"tramadol 50 mg"`` -> tramadol). Misspellings are NOT
    corrected here (a wrong guess would name the wrong drug); see :func:`suggest_drug`.
    """
    index = _name_index()
    key = normalise_drug_name(name)
    if key in index:
        return _drugs_by_id()[index[key][1]]
    words = [w for w in re.split(r"[\s/,;()]+", str(name).casefold()) if w]
    kept = [w for w in words if w not in _FORMULATION_WORDS and not re.search(r"\d", w)]
    if kept and kept != words:
        key = normalise_drug_name(" ".join(kept))
        if key in index:
            return _drugs_by_id()[index[key][1]]
    return None


def suggest_drug(name: str) -> str | None:
    """The known drug or brand name closest to ``name`` (difflib), or None when nothing is close."""
    key = normalise_drug_name(name)
    if not key:
        return None
    index = _name_index()
    match = difflib.get_close_matches(key, list(index), n=1, cutoff=0.75)
    return index[match[0]][0] if match else None


def drug_cautions(name: str) -> list[DrugCaution]:
    """Contexts in which the drug called ``name`` can worsen myoclonus (empty when unknown).

    Use it for treatment options too (e.g. carbamazepine offered for propriospinal myoclonus
    still carries its cortical-myoclonus caution; CRITERIA.md section 4).
    """
    drug = resolve_drug(name)
    if drug is None:
        return []
    table = load_drugs()
    return [DrugCaution(drug.id, w.context, w.text, tuple(table.cite(w.sources))) for w in drug.worsens]


# ----------------------------------------------------------------------------- screening


def _temporal_weight(med: MedicationUse) -> tuple[float, list[str], list[str]]:
    pro: list[str] = []
    con: list[str] = []
    if med.stopped_days_ago is not None:
        if med.stopped_days_ago > STOPPED_LONG_AGO_DAYS:
            con.append(
                f"stopped {med.stopped_days_ago:g} days ago; drug-induced myoclonus usually resolves after "
                "withdrawal (Jimenez-Jimenez et al., CNS Drugs 2004)"
            )
            return float("-inf"), pro, con
        con.append(f"stopped {med.stopped_days_ago:g} days ago (may still act; small reduction, engineering choice)")
        return STOPPED_RECENTLY_WEIGHT, pro, con
    changes = [d for d in (med.started_days_ago, med.dose_changed_days_ago) if d is not None]
    if not changes:
        return 0.0, pro, con
    latest = min(changes)
    what = "started" if latest == med.started_days_ago else "dose changed"
    if latest <= RECENT_CHANGE_DAYS:
        pro.append(
            f"{what} {latest:g} days ago (within {RECENT_CHANGE_DAYS:g} days): drug-induced myoclonus follows "
            "exposure and reverses on withdrawal or dose adjustment (Jimenez-Jimenez et al., CNS Drugs 2004; "
            "Rissardo et al., Medicina 2025); window is an engineering choice"
        )
        return RECENT_CHANGE_WEIGHT, pro, con
    if latest > LONG_STABLE_DAYS:
        con.append(f"{what} {latest:g} days ago, no recent change: weak temporal link (engineering choice)")
        return LONG_STABLE_WEIGHT, pro, con
    return 0.0, pro, con


def _renal(drug: Drug, egfr_ml_min: float | None, table: DrugTable) -> tuple[float, str | None, RenalFlag | None]:
    if not drug.renally_cleared or egfr_ml_min is None or egfr_ml_min >= EGFR_REDUCED_ML_MIN:
        return 0.0, None, None
    if egfr_ml_min < EGFR_SEVERE_ML_MIN:
        stage, weight = ("G4 (eGFR 15-29)" if egfr_ml_min >= 15 else "G5 (eGFR < 15)"), RENAL_SEVERE_WEIGHT
    else:
        stage, weight = ("G3a (eGFR 45-59)" if egfr_ml_min >= 45 else "G3b (eGFR 30-44)"), RENAL_REDUCED_WEIGHT
    text = (
        f"{drug.name} is renally cleared and eGFR is {egfr_ml_min:g} ml/min (KDIGO 2012 stage {stage}): "
        "it can accumulate; dose adjustment or an alternative should be reviewed"
    )
    sources = tuple(table.cite([drug.renal_source])) + (KDIGO_2012,) if drug.renal_source else (KDIGO_2012,)
    return weight, text, RenalFlag(drug.id, float(egfr_ml_min), stage, text, sources)


def _evidence_reason(drug: Drug, table: DrugTable) -> str:
    assoc = ", ".join(a.replace("_", " ") for a in drug.associations)
    if drug.evidence == "A":
        return f"{drug.name}: level-A evidence for {assoc} (Rissardo et al., Medicina 2025)"
    if drug.evidence == "case_report":
        citation = table.references[drug.citation].split(" (")[0]
        return f"{drug.name}: published report of {assoc} ({citation})"
    if drug.evidence == "class":
        return f"{drug.name}: {drug.drug_class}, a class frequently reported to cause myoclonus (Janssen et al., J Neurol 2017)"
    return f"{drug.name}: commonly cited as a cause of {assoc}, citation not verified"


def _screen_one(med: MedicationUse, drug: Drug, egfr_ml_min: float | None, table: DrugTable) -> tuple[DrugHit, RenalFlag | None]:
    base = EVIDENCE_WEIGHT[drug.evidence]
    pro: list[str] = []
    con: list[str] = []
    renal_weight, renal_text, renal_flag = _renal(drug, egfr_ml_min, table)
    if base <= 0:
        con.append(f"{drug.name}: no association with myoclonus recorded in the drug table")
        weight = 0.0
    else:
        pro.append(_evidence_reason(drug, table))
        t_weight, t_pro, t_con = _temporal_weight(med)
        pro += t_pro
        con += t_con
        if renal_text:
            pro.append(renal_text)
        weight = max(0.0, base + t_weight + renal_weight)
    sources = table.cite(drug.sources)
    if renal_flag is not None and base > 0:
        sources += [s for s in renal_flag.sources if s not in sources]
    hit = DrugHit(
        name_given=med.name,
        generic=drug.id,
        drug_class=drug.drug_class,
        evidence=drug.evidence,
        associations=tuple(drug.associations),
        weight=round(weight, 3),
        reasons_for=tuple(pro),
        reasons_against=tuple(con),
        sources=tuple(sources),
    )
    return hit, renal_flag


def _serotonin(pairs: list[tuple[MedicationUse, Drug]]) -> tuple[list[str], bool, str | None]:
    active: dict[str, MedicationUse] = {}
    for med, drug in pairs:
        if not drug.serotonergic:
            continue
        if med.stopped_days_ago is not None and med.stopped_days_ago > SEROTONERGIC_WASHOUT_DAYS:
            continue
        active.setdefault(drug.id, med)
    names = list(active)
    if len(names) < 2:
        return names, False, None
    recent = [
        d for d, m in active.items()
        if any(x is not None and x <= RECENT_CHANGE_DAYS for x in (m.started_days_ago, m.dose_changed_days_ago))
    ]
    reason = f"{len(names)} serotonergic drugs taken together ({', '.join(names)})"
    if recent:
        reason += f"; recently started or changed: {', '.join(recent)}"
    reason += (
        ": risk of serotonin toxicity (look for clonus, hyperreflexia, agitation, fever, sweating); "
        "serotonin toxicity usually follows a combination of serotonergic drugs (Boyer & Shannon, NEJM 2005)"
    )
    return names, True, reason


def _as_medication_use(item: object, index: int) -> MedicationUse:
    if isinstance(item, MedicationUse):
        return item
    try:
        return MedicationUse.model_validate(item)
    except ValidationError as exc:
        err = exc.errors()[0]
        field_name = ".".join(str(p) for p in err["loc"])
        msg = "unknown field." + did_you_mean(field_name, MedicationUse.model_fields) if err["type"] == "extra_forbidden" else err["msg"]
        where = f"medications[{index}]" + (f".{field_name}" if field_name else "")
        raise InputError(msg, where=where) from None


def screen_medications(meds: Sequence[MedicationUse], *, egfr_ml_min: float | None = None) -> MedicationScreen:
    """Screen a medication list for drugs that may cause or worsen myoclonus.

    Parameters
    ----------
    meds : sequence of MedicationUse
        The intake's ``medications:`` items (dicts are accepted and validated).
    egfr_ml_min : float | None
        Estimated glomerular filtration rate in ml/min/1.73 m2, if known.

    Returns
    -------
    MedicationScreen
        ``hits`` sorted by weight (strongest first), ``unknown`` names with suggestions,
        serotonergic drugs and risk, cautions and renal flags. Every input item appears exactly
        once in ``hits`` or ``unknown``.

    Notes
    -----
    Weight of a recognised drug towards the cause ``drug_induced`` (log-likelihood-ratio style,
    floored at 0; drugs with evidence ``none`` always weigh 0):

    1. Base weight by evidence level, :data:`EVIDENCE_WEIGHT`: ``A`` 2.0 (level A in Rissardo et
       al., Medicina 2025;61:131), ``case_report`` 1.5 (own published report), ``class`` 1.0
       (frequently reported class, Janssen et al., J Neurol 2017;264:1559), ``unverified`` 0.5.
       The order follows the evidence; the values are an engineering choice.
    2. Temporal link: started or dose changed within 30 days, +1.0 (drug-induced myoclonus follows
       exposure and reverses on withdrawal or dose adjustment, Jimenez-Jimenez et al., CNS Drugs
       2004;18:93 and Rissardo 2025; published cases began days after the start; window and value
       are engineering choices);
       unchanged for more than 365 days, -0.5 (engineering choice); stopped within 14 days, -0.5;
       stopped more than 14 days ago, weight 0 (drug-induced myoclonus usually resolves after
       withdrawal, Jimenez-Jimenez et al., CNS Drugs 2004;18:93; window is an engineering choice).
    3. Renal function, for renally cleared drugs only: eGFR < 60 ml/min (KDIGO 2012 stage G3a or
       worse), +0.5; eGFR < 30 (stage G4-G5), +1.0 (renally cleared drugs such as gabapentinoids
       and cefepime accumulate; values are engineering choices). A :class:`RenalFlag` is added
       whatever the evidence level.

    Serotonin toxicity risk: two or more distinct serotonergic drugs taken (or stopped within 14
    days), the reason naming any started or changed within 30 days (Boyer & Shannon, N Engl J Med
    2005;352:1112). The same drug listed twice (brand and generic) counts once.

    A recognised drug is never an instruction to stop it: the output is decision support for a
    clinician reviewing the list with the prescriber.

    References
    ----------
    .. [1] Rissardo JP et al. Drug-induced myoclonus: a systematic review. Medicina 2025;61:131.
    .. [2] Janssen S, Bloem BR, van de Warrenburg BP. The clinical heterogeneity of drug-induced
       myoclonus: an illustrated review. J Neurol 2017;264:1559-1566.
    .. [3] Jimenez-Jimenez FJ, Puertas I, de Toledo-Heras M. Drug-induced myoclonus: frequency,
       mechanisms and management. CNS Drugs 2004;18:93-104.
    .. [4] KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of CKD.
       Kidney Int Suppl 2013;3:1-150.
    .. [5] Boyer EW, Shannon M. The serotonin syndrome. N Engl J Med 2005;352:1112-1120.
    """
    table = load_drugs()
    if egfr_ml_min is not None and (not isinstance(egfr_ml_min, (int, float)) or math.isnan(egfr_ml_min) or egfr_ml_min < 0):
        raise InputError(f"expected a number >= 0 (ml/min/1.73 m2), got {egfr_ml_min!r}", where="labs.egfr_ml_min")
    items = [_as_medication_use(m, i) for i, m in enumerate(meds)]
    hits: list[DrugHit] = []
    unknown: list[UnknownDrug] = []
    cautions: list[DrugCaution] = []
    renal_flags: list[RenalFlag] = []
    pairs: list[tuple[MedicationUse, Drug]] = []
    seen_caution: set[tuple[str, str]] = set()
    for med in items:
        drug = resolve_drug(med.name)
        if drug is None:
            suggestion = suggest_drug(med.name)
            generic = resolve_drug(suggestion).id if suggestion else None
            unknown.append(UnknownDrug(med.name, suggestion, generic))
            logger.debug("medication not in drug table (suggestion %s)", suggestion)
            continue
        pairs.append((med, drug))
        hit, renal_flag = _screen_one(med, drug, egfr_ml_min, table)
        hits.append(hit)
        if renal_flag is not None and all(f.drug != renal_flag.drug for f in renal_flags):
            renal_flags.append(renal_flag)
        for w in drug.worsens:
            if (drug.id, w.context) not in seen_caution:
                seen_caution.add((drug.id, w.context))
                cautions.append(DrugCaution(drug.id, w.context, w.text, tuple(table.cite(w.sources))))
    hits.sort(key=lambda h: -h.weight)
    serotonergic, risk, reason = _serotonin(pairs)
    return MedicationScreen(
        hits=hits,
        unknown=unknown,
        serotonergic=serotonergic,
        serotonin_toxicity_risk=risk,
        serotonin_reason=reason,
        serotonin_sources=(BOYER_SHANNON_2005,) if serotonergic else (),
        cautions=cautions,
        renal_flags=renal_flags,
    )
