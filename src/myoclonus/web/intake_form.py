"""The HTML intake form, generated from the ``myoclonus.intake/1`` model so the two cannot drift apart.

:func:`form_sections` walks :class:`~myoclonus.clinical.presentation.Intake` and describes one form
control per field (select, check boxes, number, text, repeated rows); :func:`intake_from_form` turns
the submitted form back into an intake document and validates it with the same model, returning the
error of each field by its form name so the page can show it beside that field.
"""
from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from myoclonus.clinical.presentation import INTAKE_SCHEMA, Intake

__all__ = ["FormField", "FormSection", "form_sections", "intake_from_form", "validate_document", "form_values", "ROWS"]

#: How many empty rows the form offers for repeated entries.
ROWS = {"medications": 5, "history.events": 3}
_FLAG_CHOICES = ("true", "false", "unknown")
_SECTION_TITLES = {
    "": "Presentation", "patient": "Patient (no names or identifiers)", "jerks": "The jerks", "history": "History",
    "medications": "Medications", "substances": "Substances", "labs": "Laboratory values (SI units)",
    "exam": "Examination",
}


@dataclass
class FormField:
    """One control of the form. ``name`` is the dotted field path, e.g. ``jerks.rhythm``."""

    name: str
    label: str
    kind: str  # select | checkboxes | flag | number | text | lines | rows
    choices: tuple[str, ...] = ()
    help: str = ""
    columns: list[FormField] = field(default_factory=list)
    rows: int = 0


@dataclass
class FormSection:
    title: str
    fields: list[FormField]


def _literal_values(annotation: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        values: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is type(None):
                continue
            inner = _literal_values(arg)
            if inner is None:
                return None
            values += inner
        return tuple(values)
    return None


def _label(name: str) -> str:
    text = name.replace("_", " ")
    for unit, shown in (("mmol l", "(mmol/L)"), ("umol l", "(µmol/L)"), ("u l", "(U/L)"), ("ml min", "(mL/min)"),
                        (" hz", " (Hz)"), (" s", " (s)")):
        if text.endswith(unit):
            text = text[: -len(unit)].rstrip() + " " + shown.strip()
            break
    return text[:1].upper() + text[1:]


def _control(name: str, info: Any) -> FormField:
    """The control for one pydantic field."""
    annotation = info.annotation
    short = name.rsplit(".", 1)[-1]
    help_text = info.description or ""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        values = _literal_values(item)
        if values is not None:
            return FormField(name, _label(short), "checkboxes", tuple(v for v in values if v != "unknown"), help_text)
        if isinstance(item, type) and issubclass(item, BaseModel):
            columns = [_control(f"{name}.{sub}", sub_info) for sub, sub_info in item.model_fields.items()]
            for column in columns:
                column.name = column.name.rsplit(".", 1)[-1]
            return FormField(name, _label(short), "rows", help=help_text, columns=columns, rows=ROWS.get(name, 3))
        return FormField(name, _label(short), "lines", help=help_text or "One per line.")
    values = _literal_values(annotation)
    if values is not None:
        if set(values) <= {True, False, "unknown"}:
            return FormField(name, _label(short), "flag", _FLAG_CHOICES, help_text)
        return FormField(name, _label(short), "select", tuple(str(v) for v in values), help_text)
    text = repr(annotation)
    if "float" in text or "_number_or_unknown" in text:
        return FormField(name, _label(short), "number", help=help_text or "A number, or 'unknown'.")
    return FormField(name, _label(short), "text", help=help_text)


def form_sections() -> list[FormSection]:
    """The intake form, section by section, in the order of the contract (CONTRACTS.md §1)."""
    top: list[FormField] = []
    sections: list[FormSection] = []
    for name, info in Intake.model_fields.items():
        if name in ("schema_", "neurophysiology"):
            continue
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = [_control(f"{name}.{sub}", sub_info) for sub, sub_info in annotation.model_fields.items()]
            sections.append(FormSection(_SECTION_TITLES.get(name, _label(name)), fields))
        elif name == "medications":
            sections.append(FormSection(_SECTION_TITLES["medications"], [_control(name, info)]))
        else:
            top.append(_control(name, info))
    return [FormSection(_SECTION_TITLES[""], top), *sections]


# ------------------------------------------------------------------------------------------ parsing


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text  # the model's validator reports it beside the field


def _flag(text: str) -> Any:
    return {"true": True, "false": False, "unknown": "unknown"}.get(text, text)


def _set(doc: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def _row_value(column: FormField, text: str) -> Any:
    if column.kind == "number":
        return _number(text)
    return text


def intake_from_form(form: Mapping[str, Any], getlist) -> tuple[dict, Intake | None, dict[str, str]]:
    """Build and validate an intake from submitted form values.

    Parameters
    ----------
    form : mapping
        Single values by field name.
    getlist : callable
        ``getlist(name) -> list[str]`` for check-box groups.

    Returns
    -------
    document : dict
        The intake document as submitted (to refill the form).
    intake : Intake | None
        The validated intake, or None when there are errors.
    errors : dict
        Message per form field name (``"labs.sodium_mmol_l"``, ``"medications.0.started_days_ago"``).
    """
    doc: dict[str, Any] = {"schema": INTAKE_SCHEMA}
    for section in form_sections():
        for fld in section.fields:
            if fld.kind == "checkboxes":
                values = [v for v in getlist(fld.name) if v]
                if values:
                    _set(doc, fld.name, values)
            elif fld.kind == "rows":
                rows = []
                for i in range(fld.rows):
                    row = {}
                    for column in fld.columns:
                        text = str(form.get(f"{fld.name}.{i}.{column.name}", "")).strip()
                        if text:
                            row[column.name] = _row_value(column, text)
                    if row:
                        rows.append(row)
                if rows:
                    _set(doc, fld.name, rows)
            else:
                text = str(form.get(fld.name, "")).strip()
                if not text:
                    continue
                if fld.kind == "number":
                    _set(doc, fld.name, _number(text))
                elif fld.kind == "flag":
                    _set(doc, fld.name, _flag(text))
                elif fld.kind == "lines":
                    lines = [line.strip() for line in text.splitlines() if line.strip()]
                    if lines:
                        _set(doc, fld.name, lines)
                else:
                    _set(doc, fld.name, text)
    intake, errors = validate_document(doc)
    return doc, intake, errors


def validate_document(doc: Any) -> tuple[Intake | None, dict[str, str]]:
    """Validate an intake document; errors keyed by dotted field path (``""`` for the whole document)."""
    if not isinstance(doc, dict):
        return None, {"": f"expected a JSON object with 'schema: {INTAKE_SCHEMA}', got {type(doc).__name__}"}
    if doc.get("schema") != INTAKE_SCHEMA:
        return None, {"schema": f"expected 'schema': '{INTAKE_SCHEMA}', got {doc.get('schema')!r}"}
    try:
        return Intake.model_validate(doc), {}
    except ValidationError as exc:
        return None, _field_errors(exc)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    from myoclonus.errors import did_you_mean

    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        # pydantic adds the union branch / literal name to some locations; drop those parts
        loc = [p for p in loc if not p.startswith(("literal[", "function-", "float", "str", "bool"))]
        key = ".".join(loc)
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        elif err["type"] == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"invalid value {value!r}; expected {expected}.{did_you_mean(str(value), _words(expected))}"
        elif err["type"] == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            message = f"{err['msg']} (got {value!r})"
        errors.setdefault(key, message)
    return errors


def _words(expected: str) -> list[str]:
    return [w.strip(" '\"") for w in expected.replace(" or ", ",").split(",") if w.strip(" '\"")]


def form_values(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """Flatten an intake document into form values (``name -> str`` or list for check boxes)."""
    values: dict[str, Any] = {}

    def walk(prefix: str, obj: Any) -> None:
        if isinstance(obj, dict):
            for key, sub in obj.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
            for i, row in enumerate(obj):
                walk(f"{prefix}.{i}", row)
        elif isinstance(obj, list):
            values[prefix] = [str(x) for x in obj]
        elif isinstance(obj, bool):
            values[prefix] = "true" if obj else "false"
        elif obj is None:
            return
        elif isinstance(obj, float) and obj.is_integer():
            values[prefix] = str(int(obj))
        else:
            values[prefix] = str(obj)

    walk("", dict(doc or {}))
    return values

