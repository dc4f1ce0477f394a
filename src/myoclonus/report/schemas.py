"""JSON Schemas of the public documents and validation against them.

The package publishes three schemas in ``myoclonus/schemas/`` (CONTRACTS.md):

- ``findings.json`` — ``myoclonus.findings/1``, written by ``myoclonus analyze`` (hand-written to
  match :func:`myoclonus.signals.export.build_findings` and the neurophysiology / origin stage);
- ``assessment.json`` — ``myoclonus.assessment/1``, generated from the pydantic model
  :class:`myoclonus.clinical.assessment.Assessment` (serialisation form, contract field names);
- ``intake.json`` — ``myoclonus.intake/1``, generated from
  :class:`myoclonus.clinical.presentation.Intake` (validation form).

Regenerate the two generated files after a model change with
``python -m myoclonus.report.schemas`` (a test checks that the files match the models).

Besides the schema, :func:`validate_document` checks what JSON Schema cannot express: every
probability list (``clinical_group``, ``origin``, ``causes``) sums to 1 and is sorted by
probability (CONTRACTS.md section 2).
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from myoclonus.errors import InputError, did_you_mean

__all__ = [
    "SCHEMA_NAMES",
    "SCHEMA_IDS",
    "load_schema",
    "generate_schema",
    "validate_document",
    "schema_name_of",
    "write_generated_schemas",
]

logger = logging.getLogger(__name__)

SCHEMA_NAMES = ("assessment", "findings", "intake")
SCHEMA_IDS = {
    "assessment": "myoclonus.assessment/1",
    "findings": "myoclonus.findings/1",
    "intake": "myoclonus.intake/1",
}
#: Probability lists whose values must sum to 1 and be sorted (CONTRACTS.md section 2).
_PROBABILITY_LISTS = {"assessment": ("clinical_group", "origin", "causes"), "findings": ("origin",), "intake": ()}
#: Rounding tolerance of "sums to 1" (probabilities are written with 4 decimals).
_SUM_TOLERANCE = 1e-3


def _check_name(name: str) -> str:
    if name not in SCHEMA_NAMES:
        raise InputError(
            f"unknown schema {name!r}; expected one of {', '.join(SCHEMA_NAMES)}.{did_you_mean(name, SCHEMA_NAMES)}",
            where="schema",
        )
    return name


def _schema_dir() -> Path:
    return Path(str(resources.files("myoclonus") / "schemas"))


def generate_schema(name: str) -> dict[str, Any]:
    """Build the schema of ``name`` from the pydantic models (assessment, intake) or the file (findings).

    Parameters
    ----------
    name : {"assessment", "findings", "intake"}

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12).
    """
    _check_name(name)
    if name == "findings":
        return json.loads((_schema_dir() / "findings.json").read_text(encoding="utf-8"))
    if name == "assessment":
        from myoclonus.clinical.assessment import Assessment

        schema = Assessment.model_json_schema(by_alias=True, mode="serialization")
        _close_label_sets(schema)
        description = "Assessment of one patient (CONTRACTS.md section 2), generated from myoclonus.clinical.assessment.Assessment. Decision support, not a diagnosis."
    else:
        from myoclonus.clinical.presentation import Intake

        schema = Intake.model_json_schema(by_alias=True, mode="validation")
        description = "Clinical intake (CONTRACTS.md section 1), generated from myoclonus.clinical.presentation.Intake."
    header = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://myoclonus.invalid/schemas/{SCHEMA_IDS[name].replace('/', '-')}.json",
        "title": SCHEMA_IDS[name],
        "description": description,
    }
    schema.pop("title", None)
    schema.pop("description", None)
    return {**header, **schema}


def _close_label_sets(schema: dict[str, Any]) -> None:
    """Add the closed label sets of CONTRACTS.md section 2 that the pydantic model keeps as ``str``."""
    from myoclonus.clinical.assessment import CAUSE_CLASSES, CLINICAL_GROUPS, ORIGINS

    closed = {"clinical_group": ("label", CLINICAL_GROUPS), "origin": ("label", ORIGINS), "causes": ("id", CAUSE_CLASSES)}
    for key, (field, labels) in closed.items():
        prop = schema["properties"][key]
        prop["items"] = {"allOf": [prop["items"], {"properties": {field: {"enum": list(labels)}}}]}


@lru_cache(maxsize=None)
def _load_text(name: str) -> str:
    return (_schema_dir() / f"{name}.json").read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """The published schema ``name`` (a fresh copy of ``myoclonus/schemas/<name>.json``)."""
    return json.loads(_load_text(_check_name(name)))


def schema_name_of(document: Any) -> str | None:
    """``"findings"`` / ``"assessment"`` / ``"intake"`` from a document's ``schema`` field, else ``None``."""
    if not isinstance(document, dict):
        return None
    for name, sid in SCHEMA_IDS.items():
        if document.get("schema") == sid:
            return name
    return None


def _path_text(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return ("$" + "".join(parts)) if parts else "$"


def _suggestion(err: Any) -> str:
    """Closest valid label for a wrong string (also inside ``anyOf``: nullable or "unknown" labels)."""
    if not isinstance(err.instance, str):
        return ""
    if err.validator == "enum":
        return did_you_mean(err.instance, [str(v) for v in err.validator_value])
    if err.validator in ("anyOf", "oneOf"):
        labels = [str(v) for sub in err.context if sub.validator == "enum" for v in sub.validator_value]
        labels += [str(sub.validator_value) for sub in err.context if sub.validator == "const"]
        if labels:
            return f"; expected one of {', '.join(dict.fromkeys(labels))}.{did_you_mean(err.instance, labels)}"
    return ""


def _probability_problems(document: dict[str, Any], name: str) -> list[str]:
    problems = []
    for key in _PROBABILITY_LISTS[name]:
        items = document.get(key)
        if not isinstance(items, list) or not items:
            continue
        probs = [float(it.get("probability", 0.0)) for it in items if isinstance(it, dict)]
        total = sum(probs)
        if abs(total - 1.0) > _SUM_TOLERANCE:
            problems.append(f"$.{key}: probabilities sum to {total:.4f}, expected 1")
        if any(a < b - 1e-9 for a, b in zip(probs, probs[1:])):
            problems.append(f"$.{key}: not sorted by probability (highest first)")
    return problems


def validate_document(document: Any, name: str | None = None, *, where: str = "document") -> None:
    """Validate a findings / assessment / intake document against its published schema.

    Parameters
    ----------
    document : dict
        The parsed JSON (or YAML) document.
    name : {"assessment", "findings", "intake"} | None
        Which schema; default: read from the document's ``schema`` field.
    where : str
        File name or label used in the error message.

    Raises
    ------
    InputError
        Naming every violation with its JSON path (``$.origin[0].label``) and what was expected,
        and probability lists that do not sum to 1 or are not sorted.
    """
    if name is None:
        name = schema_name_of(document)
        if name is None:
            found = document.get("schema") if isinstance(document, dict) else type(document).__name__
            raise InputError(
                f"cannot tell which schema applies: 'schema' is {found!r}, expected one of "
                f"{', '.join(SCHEMA_IDS.values())}.",
                where=where,
            )
    validator = Draft202012Validator(load_schema(_check_name(name)))
    problems = [
        f"{_path_text(err.absolute_path)}: {err.message}{_suggestion(err)}"
        for err in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if isinstance(document, dict):
        problems += _probability_problems(document, name)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError(f"not a valid {SCHEMA_IDS[name]} document: {shown}{more}", where=where)


def write_generated_schemas(folder: str | Path | None = None) -> list[Path]:
    """Regenerate ``assessment.json`` and ``intake.json`` from the pydantic models."""
    out = Path(folder) if folder is not None else _schema_dir()
    from myoclonus.atomic import write_text_atomic

    written = []
    for name in ("assessment", "intake"):
        path = out / f"{name}.json"
        write_text_atomic(path, json.dumps(generate_schema(name), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    _load_text.cache_clear()
    return written


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for p in write_generated_schemas():
        print(p)
