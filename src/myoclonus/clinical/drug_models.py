"""Validated model of the drug table ``knowledge/data/drugs.yaml`` (schema ``myoclonus.drugs/1``).

One entry per drug (generic name), with its brand names, class, association with myoclonus, the
evidence level behind that association, renal clearance, serotonergic action and the contexts in
which it can worsen myoclonus. Every claim names its references by key; the keys resolve to full
citations in the file's ``references`` map (checked on load).
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Association",
    "EvidenceLevel",
    "WorsensContext",
    "Worsens",
    "Drug",
    "DrugTable",
    "normalise_drug_name",
]

Association = Literal["myoclonus", "asterixis", "negative_myoclonus"]
EvidenceLevel = Literal["A", "class", "case_report", "unverified", "none"]
WorsensContext = Literal["cortical_myoclonus", "myoclonic_seizures", "jme", "epileptic_negative_myoclonus"]

_ID_PATTERN = r"^[a-z0-9]+(_[a-z0-9]+)*$"


def normalise_drug_name(name: str) -> str:
    """Lower-case ``name`` and drop everything but letters and digits.

    ``"Co-Trimoxazole"``, ``"co trimoxazole"`` and ``"cotrimoxazole"`` all become
    ``"cotrimoxazole"``: the lookup is case-, space- and hyphen-insensitive.
    """
    return re.sub(r"[^0-9a-z]+", "", str(name).casefold())


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Worsens(_Frozen):
    """A context in which the drug can worsen myoclonus (CRITERIA.md section 4)."""

    context: WorsensContext
    text: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)


class Drug(_Frozen):
    """One drug of the table.

    ``evidence`` is the strength of the link between this drug and myoclonus:

    - ``A``: level-A drug of Rissardo et al., Medicina 2025;61:131 (CRITERIA.md 3.1);
    - ``class``: its class is among the most reported classes (opiates, antidepressants,
      antipsychotics, antibiotics; Janssen et al., J Neurol 2017;264:1559);
    - ``case_report``: a specific published report, named in ``citation``;
    - ``unverified``: commonly cited, no citation found while building the table;
    - ``none``: listed only to be recognised (e.g. a treatment drug).
    """

    id: str = Field(pattern=_ID_PATTERN, description="Generic name, snake_case.")
    name: str = Field(min_length=1, description="Generic name as displayed.")
    brands: list[str] = Field(default_factory=list, description="Common US/EU brand names.")
    synonyms: list[str] = Field(default_factory=list, description="Other generic spellings (e.g. pethidine for meperidine).")
    drug_class: str = Field(min_length=1)
    associations: list[Association] = Field(default_factory=list)
    evidence: EvidenceLevel
    citation: str | None = Field(None, description="Reference key of the case report (required for evidence case_report).")
    renally_cleared: bool = False
    renal_source: str | None = Field(None, description="Reference key supporting renal clearance (required when renally_cleared).")
    serotonergic: bool = False
    serotonergic_source: str | None = Field(None, description="Reference key for the serotonergic action (required when serotonergic).")
    worsens: list[Worsens] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _check_consistency(self) -> Drug:
        if self.evidence == "none" and self.associations:
            raise ValueError("evidence 'none' but associations listed; give an evidence level or drop the associations")
        if self.evidence != "none" and not self.associations:
            raise ValueError(f"evidence '{self.evidence}' needs at least one association (myoclonus, asterixis, negative_myoclonus)")
        if self.evidence == "case_report" and not self.citation:
            raise ValueError("evidence 'case_report' needs 'citation' (a reference key)")
        if self.renally_cleared and not self.renal_source:
            raise ValueError("renally_cleared is true but 'renal_source' is missing")
        if self.serotonergic and not self.serotonergic_source:
            raise ValueError("serotonergic is true but 'serotonergic_source' is missing")
        return self

    def reference_keys(self) -> list[str]:
        """Every reference key this entry uses."""
        keys = list(self.sources)
        keys += [k for k in (self.citation, self.renal_source, self.serotonergic_source) if k]
        for w in self.worsens:
            keys += w.sources
        return keys

    def all_names(self) -> list[str]:
        """Generic name, id, synonyms and brands (display spelling)."""
        return [self.name, self.id, *self.synonyms, *self.brands]


class DrugTable(_Frozen):
    """The whole drug table: references plus drugs, cross-checked on load."""

    schema_: Literal["myoclonus.drugs/1"] = Field(alias="schema")
    references: dict[str, str] = Field(min_length=1, description="Reference key -> full citation.")
    drugs: list[Drug] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_table(self) -> DrugTable:
        seen_ids: set[str] = set()
        owner: dict[str, str] = {}
        for drug in self.drugs:
            if drug.id in seen_ids:
                raise ValueError(f"drug id '{drug.id}' appears twice")
            seen_ids.add(drug.id)
            missing = [k for k in drug.reference_keys() if k not in self.references]
            if missing:
                raise ValueError(f"drug '{drug.id}': unknown reference key(s) {missing}; add them to 'references'")
            for name in drug.all_names():
                key = normalise_drug_name(name)
                if not key:
                    raise ValueError(f"drug '{drug.id}': empty name {name!r}")
                if owner.get(key, drug.id) != drug.id:
                    raise ValueError(f"name '{name}' maps to both '{owner[key]}' and '{drug.id}'")
                owner[key] = drug.id
        return self

    def cite(self, keys: list[str]) -> list[str]:
        """Full citations for reference ``keys`` (order kept, duplicates dropped)."""
        return [self.references[k] for k in dict.fromkeys(keys)]
