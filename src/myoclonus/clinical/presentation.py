"""Clinical intake ``myoclonus.intake/1``: the presentation of one patient, validated strictly.

The models mirror CONTRACTS.md section 1 field by field. Every field is optional except
``schema``; ``"unknown"`` is accepted wherever a value is (it differs from an absent field only
in wording); booleans may be ``null`` (not assessed). Unknown fields and labels are errors that
name the file, the field path and the closest valid name (MNE-style "Did you mean ...?").

Extensions to the contract (new optional labels, documented here):

- ``jerks.body_regions`` also accepts ``diaphragm`` (hiccups are diaphragmatic myoclonus, a
  physiological form named in SOURCE-FACTS section 3).
- ``jerks.first_episode`` (S0/S1: see a clinician after a first episode), ``jerks.alcohol_responsive``
  (myoclonus-dystonia, Hamami et al. 2024), ``history.restless_legs`` (sleep myoclonus may go with
  restless legs, S0), ``exam.coma`` (post-cardiac-arrest coma, Hui et al. 2005),
  ``exam.dystonia`` (myoclonus-dystonia), ``exam.parkinsonism`` (PD, MSA, DLB, CBD) and
  ``exam.ear_click`` (essential palatal tremor, Deuschl et al. 1994): optional flags like the others.
"""
from __future__ import annotations

import json
import math
import os
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError

from myoclonus.clinical.medications import MedicationUse
from myoclonus.errors import InputError, did_you_mean

__all__ = [
    "INTAKE_SCHEMA",
    "Intake",
    "Patient",
    "Jerks",
    "History",
    "Event",
    "Substances",
    "Labs",
    "Exam",
    "ConditionMatch",
    "load_intake",
    "parse_intake",
    "match_conditions",
    "BODY_REGIONS",
]

INTAKE_SCHEMA = "myoclonus.intake/1"

Unknown = Literal["unknown"]

_SIDED = ("shoulder", "arm", "hand", "leg", "foot")
BODY_REGIONS: tuple[str, ...] = (
    "face", "eyes", "palate", "jaw", "neck",
    *(f"{part}_{side}" for part in _SIDED for side in ("left", "right")),
    "trunk", "abdomen", "diaphragm", "whole_body", "unknown",
)
BodyRegion = Literal[BODY_REGIONS]  # type: ignore[valid-type]

Sex = Literal["female", "male", "other", "unknown"]
Onset = Literal["sudden", "subacute", "gradual", "unknown"]
Course = Literal["static", "progressive", "fluctuating", "improving", "unknown"]
Polarity = Literal["positive", "negative", "both", "unknown"]
Distribution = Literal["focal", "segmental", "multifocal", "generalized", "axial", "unknown"]
OccursAt = Literal["rest", "posture", "action", "stimulus", "sleep_onset", "sleep", "unknown"]
Trigger = Literal["touch", "sound", "light", "movement", "startle", "stress", "fatigue",
                  "sleep_deprivation", "alcohol", "none", "unknown"]
Rhythm = Literal["rhythmic", "irregular", "unknown"]
Trend = Literal["stable", "increasing", "decreasing", "unknown"]
Impact = Literal["eating", "speaking", "swallowing", "walking", "writing", "sleeping", "falls", "work",
                 "unknown"]
Seizure = Literal["generalized_tonic_clonic", "absence", "myoclonic", "focal", "none", "unknown"]
EventType = Literal["cardiac_arrest", "hypoxia", "head_injury", "stroke", "spinal_cord_injury",
                    "infection", "surgery", "new_drug", "unknown"]
CognitiveDecline = Literal["none", "slow", "rapid", "unknown"]
AlcoholUse = Literal["none", "use", "heavy", "withdrawal", "unknown"]

# Booleans: true / false / null (not assessed) / "unknown".
Flag = Literal[True, False, "unknown"] | None


def _number_or_unknown(value: Any) -> Any:
    """Accept a real, finite, non-negative number, ``"unknown"`` or ``None``; reject the rest."""
    if value is None or value == "unknown":
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number or 'unknown', got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a finite number >= 0, got {value!r}")
    return float(value)


Number = Annotated[float | Unknown | None, BeforeValidator(_number_or_unknown)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Patient(_Model):
    """Who the patient is (no identifiers: none are asked for)."""

    age_years: Number = Field(None, description="Age in years.")
    sex: Sex | None = None
    age_at_onset_years: Number = Field(None, description="Age when the jerks began, in years.")


class Jerks(_Model):
    """What the jerks look like (the pattern axis, CRITERIA 2.1)."""

    polarity: Polarity | None = None
    distribution: Distribution | None = None
    body_regions: list[BodyRegion] = Field(default_factory=list)
    occurs_at: list[OccursAt] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    rhythm: Rhythm | None = None
    rate_hz: Number = Field(None, description="Repetition rate of rhythmic jerks, Hz.")
    episodes_per_day: Number = None
    episode_duration_s: Number = Field(None, description="Typical length of one episode, seconds.")
    trend: Trend | None = None
    persists_in_sleep: Flag = None
    suppressible: Flag = None
    premonitory_urge: Flag = None
    distractible: Flag = Field(None, description="Stops or changes when attention is diverted.")
    variable_pattern: Flag = None
    awareness_impaired: Flag = None
    impact: list[Impact] = Field(default_factory=list)
    first_episode: Flag = Field(None, description="Extension: this is the first episode of jerks.")
    alcohol_responsive: Flag = Field(None, description="Extension: jerks improve with alcohol.")


class Event(_Model):
    """A recent or past event and how long ago it happened."""

    type: EventType
    days_ago: Number = None


class History(_Model):
    """Background: family, seizures, conditions (free text matched to the KB), events."""

    family_history: Flag = None
    seizures: list[Seizure] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    cognitive_decline: CognitiveDecline | None = None
    restless_legs: Flag = Field(None, description="Extension: restless legs syndrome.")


class Substances(_Model):
    """Substance use other than medicines."""

    alcohol: AlcoholUse | None = None


class Labs(_Model):
    """Laboratory values in SI units (unit in the key), judged against the KB adult ranges."""

    sodium_mmol_l: Number = None
    glucose_mmol_l: Number = None
    egfr_ml_min: Number = None
    urea_mmol_l: Number = None
    ammonia_umol_l: Number = None
    calcium_mmol_l: Number = None
    magnesium_mmol_l: Number = None
    alt_u_l: Number = None
    bilirubin_umol_l: Number = None

    def known(self) -> dict[str, float]:
        """Lab values actually given (numbers only)."""
        return {k: v for k, v in self.model_dump().items() if isinstance(v, float)}


class Exam(_Model):
    """Examination findings."""

    asterixis: Flag = None
    ataxia: Flag = None
    dementia: Flag = None
    opsoclonus: Flag = None
    upper_motor_neuron_signs: Flag = None
    fever: Flag = None
    agitation: Flag = None
    confusion: Flag = None
    palatal_movement: Flag = None
    hemifacial: Flag = None
    coma: Flag = Field(None, description="Extension: comatose (unresponsive).")
    dystonia: Flag = Field(None, description="Extension: dystonic postures (e.g. cervical dystonia, writer's cramp).")
    parkinsonism: Flag = Field(None, description="Extension: parkinsonism on examination.")
    ear_click: Flag = Field(None, description="Extension: rhythmic ear click (essential palatal tremor).")


class Intake(_Model):
    """A whole ``myoclonus.intake/1`` document."""

    schema_: Literal["myoclonus.intake/1"] = Field(alias="schema")
    patient: Patient = Field(default_factory=Patient)
    onset: Onset | None = None
    course: Course | None = None
    jerks: Jerks = Field(default_factory=Jerks)
    history: History = Field(default_factory=History)
    medications: list[MedicationUse] = Field(default_factory=list)
    substances: Substances = Field(default_factory=Substances)
    labs: Labs = Field(default_factory=Labs)
    exam: Exam = Field(default_factory=Exam)
    neurophysiology: str | None = Field(None, description="Path of a myoclonus.findings/1 JSON (relative to the intake file).")

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    _source_path: Path | None = PrivateAttr(None)

    @property
    def source_path(self) -> Path | None:
        """File the intake was read from (not part of the format), or None."""
        return self._source_path


# --------------------------------------------------------------------------------------------
# Reading and error translation
# --------------------------------------------------------------------------------------------

def load_intake(path: str | os.PathLike) -> Intake:
    """Read and validate an intake file (YAML or JSON).

    Parameters
    ----------
    path : str | os.PathLike
        A ``.yaml``/``.yml`` or ``.json`` file holding one ``myoclonus.intake/1`` document.

    Returns
    -------
    Intake

    Raises
    ------
    InputError
        Missing or unreadable file, malformed YAML/JSON (with the line), wrong schema version,
        unknown field or label (naming the field path and the closest valid name), wrong type.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found; expected a myoclonus.intake/1 YAML or JSON file", where=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file ({exc})", where=str(p)) from None
    data = _parse_text(text, p)
    intake = parse_intake(data, where=str(p))
    intake._source_path = p
    return intake


def _parse_text(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise InputError(f"malformed YAML{at}: {problem}", where=str(path)) from None


def parse_intake(data: Any, *, where: str = "intake") -> Intake:
    """Validate an already-parsed intake mapping; see :func:`load_intake` for the errors."""
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping with 'schema: {INTAKE_SCHEMA}' at the top, got {type(data).__name__}", where=where)
    schema = data.get("schema")
    if schema is None:
        raise InputError(f"missing field 'schema'; expected 'schema: {INTAKE_SCHEMA}'", where=where)
    if schema != INTAKE_SCHEMA:
        hint = " (a newer or older format version?)" if str(schema).startswith("myoclonus.intake/") else ""
        raise InputError(f"unsupported schema {schema!r}{hint}; expected '{INTAKE_SCHEMA}'", where=f"{where}: schema")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, where) from None


def _translate(exc: ValidationError, where: str) -> InputError:
    errors = exc.errors(include_url=False)
    messages = [_describe(err) for err in errors]
    first_loc, first_msg = messages[0]
    more = f" (and {len(messages) - 1} more problem{'s' if len(messages) > 2 else ''}: " + "; ".join(
        f"{loc}: {msg}" for loc, msg in messages[1:4]) + ")" if len(messages) > 1 else ""
    return InputError(first_msg + more, where=f"{where}: {first_loc}")


def _loc_text(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        parent, name = loc[:-1], loc[-1]
        valid = _field_names(_annotation_at(Intake, parent))
        hint = did_you_mean(str(name), valid)
        listed = ", ".join(valid)
        return _loc_text(loc), f"unknown field '{name}'.{hint} Valid fields here: {listed}."
    choices = _choices(_annotation_at(Intake, loc))
    if kind == "literal_error" and choices:
        shown = ", ".join(repr(c) if isinstance(c, str) else str(c).lower() for c in choices)
        hint = did_you_mean(str(value), [c for c in choices if isinstance(c, str)])
        return _loc_text(loc), f"invalid value {value!r}; expected one of {shown}.{hint}"
    if kind == "missing":
        return _loc_text(loc), "required field is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        fields = _field_names(_annotation_at(Intake, loc))
        listed = f" with fields {', '.join(fields)}" if fields else ""
        return _loc_text(loc), f"expected a mapping{listed}; got {type(value).__name__} {value!r}"
    if kind == "list_type":
        return _loc_text(loc), f"expected a YAML list; got {type(value).__name__} {value!r}"
    if kind == "value_error":
        return _loc_text(loc), str(err.get("ctx", {}).get("error", err["msg"]))
    return _loc_text(loc), f"{err['msg']} (got {value!r})"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated/list wrappers down to a model class or a Literal."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            literals = [a for a in args if typing.get_origin(a) is Literal]
            if models:
                annotation = models[0]
            elif literals:
                return literals[0]
            else:
                return args[0] if args else annotation
        else:
            return annotation


def _annotation_at(model: Any, loc: tuple[Any, ...]) -> Any:
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {(f.alias or name): f for name, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        else:
            return None
    return _unwrap(current)


def _field_names(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items() if not f.exclude]
    return []


def _choices(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is Literal:
        return list(typing.get_args(annotation))
    return []


# --------------------------------------------------------------------------------------------
# Free-text conditions -> knowledge-base cause ids
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConditionMatch:
    """Result of matching ``history.conditions`` to knowledge-base cause entries.

    Attributes
    ----------
    matched : dict[str, str]
        Condition as written -> KB cause id (e.g. ``"CKD" -> "cause.renal_failure"``).
    unmatched : list[str]
        Conditions that match no KB cause; reported in the assessment, never dropped.
    """

    matched: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def _normalise(text: str) -> str:
    text = text.lower().replace("'s", "").replace("’s", "")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def match_conditions(conditions: Iterable[str], cause_names: dict[str, str],
                     synonyms: dict[str, str]) -> ConditionMatch:
    """Match free-text conditions to KB cause ids.

    Parameters
    ----------
    conditions : iterable of str
        ``history.conditions`` as written by the user.
    cause_names : dict
        KB cause id -> display name (``kb.of_kind("cause")``).
    synonyms : dict
        Normalised synonym -> KB cause id (``evidence.yaml: condition_synonyms``).

    Notes
    -----
    A condition matches when its normalised form equals a cause id's suffix, a cause name or a
    listed synonym; otherwise it is reported as unmatched (never silently dropped).
    """
    index: dict[str, str] = {}
    for cid, name in cause_names.items():
        index[_normalise(cid.split(".", 1)[-1])] = cid
        index[_normalise(name)] = cid
    for syn, cid in synonyms.items():
        if cid in cause_names:
            index[_normalise(syn)] = cid
    result = ConditionMatch()
    for raw in conditions:
        key = _normalise(raw)
        if key in index:
            result.matched[raw] = index[key]
        else:
            result.unmatched.append(raw)
    return result
