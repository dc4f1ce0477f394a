"""Knowledge base: myoclonus facts from the source articles and the clinical literature.

>>> from myoclonus.knowledge import load_kb
>>> kb = load_kb()
>>> kb.get("treatment.levetiracetam").text.clinician  # doctest: +SKIP

Every entry carries its sources, text for clinicians and for patients, and HPO ids from the
verified list only. Decision support, not a diagnosis.
"""
from myoclonus.knowledge.loader import KnowledgeBase, KnowledgeBaseError, load_kb
from myoclonus.knowledge.lookup import resolve, search
from myoclonus.knowledge.models import (
    CAUSE_CLASSES,
    CLINICAL_GROUPS,
    ORIGINS,
    BaseEntry,
    CareEntry,
    CauseEntry,
    CriterionEntry,
    LabRangeEntry,
    RedFlagEntry,
    Reference,
    TreatmentEntry,
)

__all__ = [
    "load_kb",
    "search",
    "resolve",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "BaseEntry",
    "TreatmentEntry",
    "CauseEntry",
    "RedFlagEntry",
    "CareEntry",
    "LabRangeEntry",
    "CriterionEntry",
    "Reference",
    "ORIGINS",
    "CAUSE_CLASSES",
    "CLINICAL_GROUPS",
]
