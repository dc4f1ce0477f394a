"""Evidence rules of the clinical engine (``knowledge/data/evidence.yaml``), validated once.

Each rule names the clinical finding it stands for, the clues it needs, the log-likelihood-ratio
style weights it adds to labels of the three axes (clinical group, origin, cause), the specific
knowledge-base causes it supports and its sources. See the header of ``evidence.yaml`` for how
the numbers are to be read (their direction is sourced, their size is an engineering choice).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from myoclonus.clinical.assessment import CAUSE_CLASSES, CLINICAL_GROUPS, DIFFERENTIAL_IDS, ORIGINS
from myoclonus.clinical.clues import is_known_clue
from myoclonus.errors import MyoclonusError

__all__ = ["EvidenceRule", "EvidenceBook", "Prior", "load_evidence", "parse_evidence", "AXES", "EvidenceError"]

AXES: dict[str, tuple[str, ...]] = {
    "clinical_group": CLINICAL_GROUPS,
    "origin": ORIGINS,
    "cause": CAUSE_CLASSES,
}
Axis = Literal["clinical_group", "origin", "cause"]


class EvidenceError(MyoclonusError):
    """The bundled evidence file is invalid (a packaging or editing error, not user input)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Finding(_Strict):
    """The finding a rule stands for, in both registers."""

    clinician: str = Field(min_length=1)
    patient: str = Field(min_length=1)

    def for_audience(self, audience: str) -> str:
        """Text in the requested register."""
        return self.patient if audience == "patient" else self.clinician


class EvidenceRule(_Strict):
    """One evidence rule (see the header of ``evidence.yaml``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    finding: Finding
    when: list[str] = Field(default_factory=list, description="All of these clues.")
    any: list[str] = Field(default_factory=list, description="At least one of these clues (if given).")
    unless: list[str] = Field(default_factory=list, description="None of these clues.")
    weights: dict[Axis, dict[str, float]] = Field(default_factory=dict)
    kb_causes: list[str] = Field(default_factory=list)
    differential: list[str] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if not self.when and not self.any:
            raise ValueError("a rule needs 'when' or 'any' clues")
        if not self.weights and not self.differential:
            raise ValueError("a rule needs 'weights' or 'differential'")
        for token in (*self.when, *self.any, *self.unless):
            if not is_known_clue(token):
                raise ValueError(f"unknown clue {token!r} (see myoclonus.clinical.clues)")
        for axis, labels in self.weights.items():
            for label in labels:
                if label not in AXES[axis]:
                    raise ValueError(f"unknown {axis} label {label!r}; expected one of {', '.join(AXES[axis])}")
        for d in self.differential:
            if d not in DIFFERENTIAL_IDS:
                raise ValueError(f"unknown differential {d!r}")
        return self

    def fires(self, clues: Mapping[str, str]) -> bool:
        """True when the rule's clue conditions hold."""
        return (all(t in clues for t in self.when)
                and (not self.any or any(t in clues for t in self.any))
                and not any(t in clues for t in self.unless))

    def matched(self, clues: Mapping[str, str]) -> list[str]:
        """Descriptions of the clues that made the rule fire (what the intake said)."""
        tokens = [t for t in (*self.when, *self.any) if t in clues]
        return [clues[t] for t in dict.fromkeys(tokens)]


class Prior(_Strict):
    """Prior probabilities of one axis with their sources."""

    values: dict[str, float]
    sources: list[str] = Field(min_length=1)


class EvidenceBook(_Strict):
    """The whole evidence file."""

    schema_: Literal["myoclonus.evidence/1"] = Field(alias="schema")
    local_references: dict[str, str] = Field(default_factory=dict)
    priors: dict[Axis, Prior]
    condition_synonyms: dict[str, str] = Field(default_factory=dict)
    rules: list[EvidenceRule]

    @model_validator(mode="after")
    def _check(self):
        for axis, labels in AXES.items():
            prior = self.priors.get(axis)
            if prior is None:
                raise ValueError(f"missing prior for axis {axis!r}")
            if set(prior.values) != set(labels):
                raise ValueError(f"prior of {axis!r} must give exactly the labels {', '.join(labels)}")
            if any(v <= 0 for v in prior.values.values()):
                raise ValueError(f"prior of {axis!r} must be > 0 for every label")
        ids = [r.id for r in self.rules]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(sorted(dupes))}")
        return self


def parse_evidence(text: str, *, where: str = "evidence.yaml") -> EvidenceBook:
    """Parse and validate evidence YAML text; errors name the file and the rule."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EvidenceError(f"{where}: invalid YAML: {exc}") from None
    try:
        return EvidenceBook.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = list(err["loc"])
        label = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(raw, dict):
            rule = (raw.get("rules") or [{}])[loc[1]]
            label = f"rule {rule.get('id', loc[1])!r}" + ("." + ".".join(str(p) for p in loc[2:]) if loc[2:] else "")
        raise EvidenceError(f"{where}: {label}: {err['msg']}") from None


@lru_cache(maxsize=1)
def load_evidence() -> EvidenceBook:
    """The bundled evidence rules, validated once and cached."""
    resource = resources.files("myoclonus.knowledge") / "data" / "evidence.yaml"
    return parse_evidence(resource.read_text(encoding="utf-8"), where="myoclonus/knowledge/data/evidence.yaml")
