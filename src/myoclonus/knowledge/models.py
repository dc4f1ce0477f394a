"""Pydantic models of the knowledge base: one entry per concept, validated once at load.

Every entry has a namespaced ``id`` (``kind.name``), text in two registers (clinician and
patient), at least one source (a source-article key ``S0``..``S4`` or a key of
``references.yaml``), HPO ids taken only from the allowed list in ``hpo.yaml`` (CRITERIA.md
§6.1) and links to related entries. Kind-specific fields live on the subclasses below.

Cross-entry checks (sources, HPO ids and ``related`` ids exist) need the whole knowledge base
and are done by :func:`myoclonus.knowledge.loader.load_kb`.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ORIGINS",
    "CAUSE_CLASSES",
    "CLINICAL_GROUPS",
    "TRIAGE_LEVELS",
    "Text",
    "BaseEntry",
    "GenericEntry",
    "TreatmentLine",
    "Caution",
    "SourceClaim",
    "TreatmentEntry",
    "CauseEntry",
    "RedFlagEntry",
    "CareEntry",
    "LabRangeEntry",
    "CriterionEntry",
    "Entry",
    "EntryFile",
    "Reference",
    "HpoTerm",
]

#: Anatomical origins of myoclonus (CONTRACTS.md §2; van der Veen et al. 2022 six-class scheme
#: with spinal segmental and propriospinal kept apart). Each label set is written once, as a
#: Literal for validation; the tuple is derived from it.
Origin = Literal[
    "cortical",
    "cortical_subcortical",
    "subcortical",
    "spinal_segmental",
    "propriospinal",
    "peripheral",
    "functional",
]
ORIGINS = get_args(Origin)
OriginOrAny = Literal[Origin, "any"]

#: Clinical groups (Marsden et al. 1982 aetiological axis plus functional; CRITERIA.md §2.1).
ClinicalGroup = Literal["physiologic", "essential", "epileptic", "symptomatic", "functional"]
CLINICAL_GROUPS = get_args(ClinicalGroup)

CauseClass = Literal[
    "drug_induced",
    "metabolic",
    "hypoxic",
    "neurodegenerative",
    "infectious_prion",
    "autoimmune_paraneoplastic",
    "epileptic_syndrome",
    "structural",
    "genetic",
    "functional",
    "physiologic",
    "essential",
    "toxic",
]
CAUSE_CLASSES = get_args(CauseClass)

#: Triage levels of CONTRACTS.md §2 that a red flag or care rule can set.
Triage = Literal["emergency", "urgent", "routine", "self_care"]
TRIAGE_LEVELS = get_args(Triage)

#: Kinds that carry no field beyond the common ones.
GenericKind = Literal[
    "definition",
    "epidemiology",
    "risk_factor",
    "group",
    "pattern",
    "origin",
    "form",
    "trigger",
    "workup",
    "differential",
    "faq",
    "prevention",
    "disagreement",
]

_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_]*$")
_HPO = re.compile(r"^HP:\d{7}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """The same statement in two registers."""

    clinician: str = Field(min_length=1, description="Technical wording for clinicians.")
    patient: str = Field(min_length=1, description="Plain wording, reading age about 12, no unexplained jargon.")

    @field_validator("clinician", "patient")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return " ".join(value.split())

    def for_audience(self, audience: str) -> str:
        """Return the text for ``audience`` (``clinician`` or ``patient``)."""
        return self.patient if audience == "patient" else self.clinician


Sources = Annotated[list[str], Field(min_length=1, description="Source-article keys (S0-S4) or references.yaml keys.")]


class BaseEntry(_Strict):
    """Fields shared by every knowledge-base entry."""

    id: str = Field(description="Namespaced id 'kind.name', snake_case.")
    name: str = Field(min_length=1, description="Short human-readable name.")
    text: Text
    sources: Sources
    hpo: list[str] = Field(default_factory=list, description="HPO ids, only from hpo.yaml (CRITERIA.md §6.1).")
    related: list[str] = Field(default_factory=list, description="Ids of related entries.")
    aliases: list[str] = Field(default_factory=list, description="Other names used for search and free-text matching.")

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id {value!r} must look like 'kind.snake_case_name'")
        return value

    @field_validator("hpo")
    @classmethod
    def _hpo_format(cls, value: list[str]) -> list[str]:
        for hp in value:
            if not _HPO.match(hp):
                raise ValueError(f"HPO id {hp!r} must look like 'HP:0001336'")
        return value

    @model_validator(mode="after")
    def _id_matches_kind(self):
        prefix = self.id.split(".", 1)[0]
        kind = getattr(self, "kind")
        if prefix != kind:
            raise ValueError(f"id {self.id!r} must start with its kind '{kind}.'")
        return self

    def all_sources(self) -> list[str]:
        """Every source key cited anywhere in the entry (entry, lines, cautions, claims)."""
        return list(dict.fromkeys(self.sources))


class GenericEntry(BaseEntry):
    """Entries with no kind-specific field (definitions, forms, work-up steps, FAQs ...)."""

    kind: GenericKind
    origin: Origin | None = Field(None, description="For kind 'origin' entries and forms tied to one origin.")
    group: ClinicalGroup | None = Field(None, description="For kind 'group' entries and forms tied to one group.")


class TreatmentLine(_Strict):
    """Where a treatment stands for one origin (first or second line)."""

    origin: OriginOrAny
    line: Literal[1, 2]
    context: str | None = Field(None, description="Narrower setting, e.g. 'juvenile myoclonic epilepsy'.")
    sources: Sources


class Caution(_Strict):
    """A context in which the treatment may worsen myoclonus or needs care."""

    context: str = Field(min_length=1, description="Origin id, cause id or free setting, e.g. 'cortical'.")
    worsens: bool = Field(description="True when the drug can worsen or induce myoclonus in this context.")
    text: Text
    sources: Sources


class SourceClaim(_Strict):
    """What a source article says, kept even where the literature disagrees."""

    source: str
    claim: str = Field(min_length=1)


class TreatmentEntry(BaseEntry):
    """A drug, procedure or non-drug measure."""

    kind: Literal["treatment"]
    treatment_type: Literal["drug", "procedure", "non_drug"] = "drug"
    lines: list[TreatmentLine] = Field(default_factory=list)
    cautions: list[Caution] = Field(default_factory=list)
    source_claims: list[SourceClaim] = Field(default_factory=list)

    def all_sources(self) -> list[str]:  # noqa: D102
        keys = list(self.sources)
        for line in self.lines:
            keys += line.sources
        for caution in self.cautions:
            keys += caution.sources
        keys += [claim.source for claim in self.source_claims]
        return list(dict.fromkeys(keys))


class CauseEntry(BaseEntry):
    """A cause class (``cause.metabolic``) or a specific cause (``cause.renal_failure``)."""

    kind: Literal["cause"]
    cause_class: CauseClass
    clinical_group: ClinicalGroup
    typical_origins: list[Origin] = Field(default_factory=list)


class RedFlagEntry(BaseEntry):
    """A finding that raises the triage level."""

    kind: Literal["red_flag"]
    triage: Literal["emergency", "urgent", "routine"]


class CareEntry(BaseEntry):
    """A 'when to see a clinician' rule (S0, S1)."""

    kind: Literal["care"]
    triage: Triage


class LabRangeEntry(BaseEntry):
    """A standard adult reference range for one intake lab key."""

    kind: Literal["lab"]
    key: str = Field(description="Intake lab key (CONTRACTS.md §1), e.g. 'sodium_mmol_l'.")
    unit: str
    low: float | None = Field(description="Lower limit of the adult reference range (None: no lower limit).")
    high: float | None = Field(description="Upper limit of the adult reference range (None: no upper limit).")
    myoclonus_relevance: Text

    @model_validator(mode="after")
    def _range(self):
        if self.low is None and self.high is None:
            raise ValueError("a lab range needs 'low' or 'high'")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        if self.id != f"lab.{self.key}":
            raise ValueError(f"id {self.id!r} must be 'lab.{self.key}'")
        return self

    def judge(self, value: float) -> Literal["low", "normal", "high"]:
        """Place ``value`` (in ``unit``) against the range."""
        if self.low is not None and value < self.low:
            return "low"
        if self.high is not None and value > self.high:
            return "high"
        return "normal"


class CriterionEntry(BaseEntry):
    """A neurophysiology or sleep-scoring criterion (CRITERIA.md §1, §5)."""

    kind: Literal["criterion"]
    origin: OriginOrAny | Literal["sleep"]
    measure: str = Field(min_length=1, description="What is measured, snake_case, e.g. 'emg_burst_duration'.")
    threshold: float | list[float] | None = Field(description="One value, or [low, high] for 'between'; None for qualitative criteria.")
    unit: str | None
    comparison: Literal["<", "<=", ">", ">=", "between", "present", "absent"]

    @model_validator(mode="after")
    def _threshold_shape(self):
        if self.comparison == "between":
            if not (isinstance(self.threshold, list) and len(self.threshold) == 2 and self.threshold[0] < self.threshold[1]):
                raise ValueError("comparison 'between' needs threshold [low, high] with low < high")
        elif self.comparison in ("present", "absent"):
            if self.threshold is not None:
                raise ValueError(f"comparison {self.comparison!r} takes no threshold")
        elif not isinstance(self.threshold, (int, float)):
            raise ValueError(f"comparison {self.comparison!r} needs one numeric threshold")
        return self


Entry = Annotated[
    Union[GenericEntry, TreatmentEntry, CauseEntry, RedFlagEntry, CareEntry, LabRangeEntry, CriterionEntry],
    Field(discriminator="kind"),
]

KINDS = (
    "definition", "epidemiology", "risk_factor", "group", "pattern", "origin", "form", "trigger",
    "workup", "differential", "faq", "prevention", "disagreement",
    "treatment", "cause", "red_flag", "care", "lab", "criterion",
)


class EntryFile(_Strict):
    """One data file: a list of entries."""

    entries: list[Entry]


class Reference(_Strict):
    """A cited work: a source article (S0-S4) or a paper, guideline or reference table."""

    key: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    citation: str = Field(min_length=1)
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    tag: Literal["source_article", "primary", "secondary", "unverified"] = Field(
        description="Evidence tag exactly as CRITERIA.md gives it; 'source_article' for S0-S4."
    )
    note: str | None = None

    def readable(self) -> str:
        """One-line citation with identifiers and tag."""
        parts = [self.citation]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        if self.url and not self.doi:
            parts.append(self.url)
        tag = "source article" if self.tag == "source_article" else self.tag
        return f"[{self.key}] " + ", ".join(parts) + f" [{tag}]"


class ReferenceFile(_Strict):
    references: list[Reference]


class HpoTerm(_Strict):
    """An HPO id verified in CRITERIA.md §6.1."""

    id: str = Field(pattern=r"^HP:\d{7}$")
    label: str


class HpoFile(_Strict):
    source: str
    terms: list[HpoTerm]
