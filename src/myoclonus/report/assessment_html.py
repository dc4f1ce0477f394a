"""Self-contained HTML rendering of one ``myoclonus.assessment/1`` (no external files or scripts).

The page renders exactly the assessment object (red flags and triage first); the references
section resolves every source key the assessment cites through the knowledge base.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from myoclonus.clinical.assessment import Assessment

__all__ = ["render_assessment_html"]

_LABELS = {
    "clinician": {"disclaimer": "Decision support, not a diagnosis.", "triage": "Triage", "red_flags": "Red flags",
                  "group": "Clinical group", "origin": "Anatomical origin", "causes": "Causes",
                  "differential": "Differential diagnosis", "workup": "Work-up", "treatment": "Treatment options",
                  "cautions": "Cautions"},
    "patient": {"disclaimer": "This is not a diagnosis.", "triage": "How soon to see a doctor", "red_flags": "Warning signs",
                "group": "What kind of jerks", "origin": "Where in the nervous system they may start",
                "causes": "Possible causes", "differential": "Other conditions that can look similar",
                "workup": "Tests your doctor may suggest", "treatment": "Treatment options to discuss",
                "cautions": "Medicines to be careful with"},
}

_KEY = re.compile(r"\[([A-Za-z0-9_; ]+)\]")


def _env() -> Environment:
    return Environment(loader=PackageLoader("myoclonus.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def cited_source_keys(data: Any) -> list[str]:
    """Every source key cited in ``data``: items of ``sources`` lists and ``[key; key]`` in texts, in order."""
    keys: list[str] = []

    def walk(obj: Any, key: str | None = None) -> None:
        if isinstance(obj, Mapping):
            for k, v in obj.items():
                walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)
        elif isinstance(obj, str):
            if key == "sources":
                keys.append(obj)
            for group in _KEY.findall(obj):
                keys.extend(part.strip() for part in group.split(";"))

    walk(data)
    return list(dict.fromkeys(keys))


def render_assessment_html(assessment: Assessment, *, title: str | None = None, kb: Any = None) -> str:
    """Render the assessment as one self-contained HTML page.

    Parameters
    ----------
    assessment : Assessment
    title : str, optional
        Shown in the heading (e.g. the example name; never a patient identifier).
    kb : KnowledgeBase, optional
        Used to turn cited source keys into readable references.
    """
    data = assessment.to_dict()
    references: list[str] = []
    if kb is not None:
        for key in cited_source_keys(data):
            if key in kb.references:
                references.append(kb.references[key].readable())
    template = _env().get_template("assessment.html.j2")
    return template.render(a=data, title=title, labels=_LABELS[assessment.audience], references=references)
