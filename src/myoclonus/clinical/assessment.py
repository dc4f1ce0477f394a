"""The assessment object ``myoclonus.assessment/1`` (CONTRACTS.md section 2).

One pydantic model per part of the contract. Field names follow the contract exactly; the
reserved word ``for`` is the alias of ``for_``. Serialise with :meth:`Assessment.to_json` (which
uses the aliases). Optional fields beyond the contract (extensions, never renames) are documented
on each model.
"""
from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from myoclonus.knowledge.models import CAUSE_CLASSES, CLINICAL_GROUPS, ORIGINS, TRIAGE_LEVELS  # label sets, defined once
from myoclonus.knowledge.models import Triage as KbTriage

__all__ = [
    "ASSESSMENT_SCHEMA",
    "TRIAGE_LEVELS",
    "CLINICAL_GROUPS",
    "ORIGINS",
    "CAUSE_CLASSES",
    "DIFFERENTIAL_IDS",
    "Triage",
    "RedFlag",
    "Probability",
    "Cause",
    "DifferentialItem",
    "WorkupItem",
    "TreatmentItem",
    "CautionItem",
    "Disagreement",
    "Assessment",
]

ASSESSMENT_SCHEMA = "myoclonus.assessment/1"

DIFFERENTIAL_IDS = ("tic", "tremor", "dystonia", "chorea", "clonus", "functional_jerks", "seizure")

TriageLevel = KbTriage
Audience = Literal["clinician", "patient"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Triage(_Out):
    """How urgently to seek care, with the reasons (highest level wins)."""

    level: TriageLevel
    reasons: list[str] = Field(default_factory=list)


class RedFlag(_Out):
    """A warning sign found in the presentation (KB ``red_flag.*``)."""

    id: str
    text: str
    sources: list[str] = Field(default_factory=list)
    triage: TriageLevel | None = Field(None, description="Extension: the level this flag implies.")


class Probability(_Out):
    """One label of an axis with its probability and the findings for and against it."""

    label: str
    probability: float = Field(ge=0.0, le=1.0)
    for_: list[str] = Field(default_factory=list, alias="for")
    against: list[str] = Field(default_factory=list)


class Cause(_Out):
    """A cause class with the specific culprit in ``detail`` (drug, lab value, event)."""

    id: str
    detail: str | None = None
    probability: float = Field(ge=0.0, le=1.0)
    for_: list[str] = Field(default_factory=list, alias="for")
    against: list[str] = Field(default_factory=list, description="Extension: findings against.")
    kb_ids: list[str] = Field(default_factory=list, description="Extension: specific KB cause ids supported.")


class DifferentialItem(_Out):
    """A condition that can look like myoclonus, with the features pointing to it."""

    id: str
    for_: list[str] = Field(default_factory=list, alias="for")
    text: str | None = Field(None, description="Extension: what it is (KB text).")
    sources: list[str] = Field(default_factory=list, description="Extension.")


class WorkupItem(_Out):
    """A test or step, why it is suggested here, and its sources."""

    id: str
    text: str
    why: str
    sources: list[str] = Field(default_factory=list)


class TreatmentItem(_Out):
    """A treatment option by origin (line 1 or 2) or a cause-directed step."""

    id: str
    line: int
    for_origin: str
    cautions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    for_cause: str | None = Field(None, description="Extension: the cause this step treats.")
    text: str | None = Field(None, description="Extension: what it is (KB text).")
    context: str | None = Field(None, description="Extension: when this line applies.")


class CautionItem(_Out):
    """A drug (taken or proposed) that can cause or worsen myoclonus in this context."""

    drug: str
    text: str
    sources: list[str] = Field(default_factory=list)
    context: str | None = Field(None, description="Extension: e.g. cortical_myoclonus, myoclonic_seizures.")


class Disagreement(_Out):
    """Extension: where the clinical and the recording evidence point to different labels."""

    axis: str
    clinical: str
    recording: str
    text: str


class Assessment(_Out):
    """A whole ``myoclonus.assessment/1`` object. Decision support, not a diagnosis."""

    schema_: Literal["myoclonus.assessment/1"] = Field(ASSESSMENT_SCHEMA, alias="schema")
    audience: Audience = "clinician"
    triage: Triage
    red_flags: list[RedFlag] = Field(default_factory=list)
    clinical_group: list[Probability]
    origin: list[Probability]
    causes: list[Cause]
    differential: list[DifferentialItem] = Field(default_factory=list)
    workup: list[WorkupItem] = Field(default_factory=list)
    treatment: list[TreatmentItem] = Field(default_factory=list)
    cautions: list[CautionItem] = Field(default_factory=list)
    disclaimer: str
    # Extensions (optional, never renames):
    disagreements: list[Disagreement] = Field(default_factory=list)
    origin_evidence: Literal["clinical", "clinical+recording"] = "clinical"
    notes: list[str] = Field(default_factory=list, description="Input notes: unknown drugs, unmatched conditions ...")

    def to_dict(self) -> dict:
        """The JSON-ready dict with the contract's field names (``for``, ``schema``)."""
        return self.model_dump(by_alias=True, mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The assessment as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
