"""Property-based tests: every valid intake gives a valid assessment, every invalid one a clean error."""
from __future__ import annotations

import typing

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myoclonus.clinical import presentation as P
from myoclonus.clinical.assessment import (
    CAUSE_CLASSES,
    CLINICAL_GROUPS,
    DIFFERENTIAL_IDS,
    ORIGINS,
    TRIAGE_LEVELS,
    Assessment,
)
from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import parse_intake
from myoclonus.errors import InputError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _labels(literal) -> list:
    return list(typing.get_args(literal))


flag = st.sampled_from([True, False, None, "unknown"])
number = st.one_of(st.none(), st.just("unknown"), st.floats(0, 500, allow_nan=False), st.integers(0, 120))


def _opt(strategies: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional=strategies)


jerks = _opt({
    "polarity": st.sampled_from(_labels(P.Polarity)),
    "distribution": st.sampled_from(_labels(P.Distribution)),
    "body_regions": st.lists(st.sampled_from(P.BODY_REGIONS), max_size=4),
    "occurs_at": st.lists(st.sampled_from(_labels(P.OccursAt)), max_size=3),
    "triggers": st.lists(st.sampled_from(_labels(P.Trigger)), max_size=3),
    "rhythm": st.sampled_from(_labels(P.Rhythm)),
    "rate_hz": number, "episodes_per_day": number, "episode_duration_s": number,
    "trend": st.sampled_from(_labels(P.Trend)),
    "persists_in_sleep": flag, "suppressible": flag, "premonitory_urge": flag, "distractible": flag,
    "variable_pattern": flag, "awareness_impaired": flag,
    "impact": st.lists(st.sampled_from(_labels(P.Impact)), max_size=3),
    "first_episode": flag, "alcohol_responsive": flag,
})
history = _opt({
    "family_history": flag,
    "seizures": st.lists(st.sampled_from(_labels(P.Seizure)), max_size=2),
    "conditions": st.lists(st.sampled_from(["CKD", "cirrhosis", "stroke", "hypertension", "Alzheimer disease", "asthma"]), max_size=2),
    "events": st.lists(st.fixed_dictionaries({"type": st.sampled_from(_labels(P.EventType))}, optional={"days_ago": number}), max_size=2),
    "cognitive_decline": st.sampled_from(_labels(P.CognitiveDecline)),
    "restless_legs": flag,
})
medications = st.lists(st.fixed_dictionaries(
    {"name": st.sampled_from(["tramadol", "Zoloft", "gabapentin", "cefepime", "levetiracetam", "tramadoll", "xyzzy", "lithium"])},
    optional={"started_days_ago": st.floats(0, 2000), "dose_changed_days_ago": st.floats(0, 100)}), max_size=3)
labs = _opt({key: number for key in P.Labs.model_fields})
exam = _opt({key: flag for key in P.Exam.model_fields})
intakes = st.fixed_dictionaries({"schema": st.just("myoclonus.intake/1")}, optional={
    "patient": _opt({"age_years": number, "sex": st.sampled_from(_labels(P.Sex)), "age_at_onset_years": number}),
    "onset": st.sampled_from(_labels(P.Onset)),
    "course": st.sampled_from(_labels(P.Course)),
    "jerks": jerks, "history": history, "medications": medications,
    "substances": _opt({"alcohol": st.sampled_from(_labels(P.AlcoholUse))}),
    "labs": labs, "exam": exam,
})


def _check_list(items, labels, key="label"):
    got = [getattr(i, key) for i in items]
    assert sorted(got) == sorted(labels)
    probs = [i.probability for i in items]
    assert all(0.0 <= p <= 1.0 for p in probs)
    assert abs(sum(probs) - 1.0) < 1e-6
    assert probs == sorted(probs, reverse=True)


@SETTINGS
@given(data=intakes, audience=st.sampled_from(["clinician", "patient"]))
def test_every_valid_intake_gives_a_valid_assessment(data, audience):
    a = assess(parse_intake(data), audience=audience)
    _check_list(a.clinical_group, CLINICAL_GROUPS)
    _check_list(a.origin, ORIGINS)
    _check_list(a.causes, CAUSE_CLASSES, key="id")
    assert a.triage.level in TRIAGE_LEVELS and a.triage.reasons
    assert set(DIFFERENTIAL_IDS) <= {d.id for d in a.differential}
    assert all(f.triage in TRIAGE_LEVELS for f in a.red_flags)
    assert a.audience == audience
    Assessment.model_validate(a.to_dict())
    # under-triage guard: an emergency red flag always means an emergency triage
    if any(f.triage == "emergency" for f in a.red_flags):
        assert a.triage.level == "emergency"


_SECTIONS = ["patient", "jerks", "history", "labs", "exam", "substances", None]


@SETTINGS
@given(data=intakes, section=st.sampled_from(_SECTIONS), key=st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_unknown_field_is_a_clean_error(data, section, key):
    data = dict(data)
    target = data if section is None else dict(data.get(section, {}))
    fields = set(P.Intake.model_fields) | {"schema"} if section is None else set(
        getattr(P, {"patient": "Patient", "jerks": "Jerks", "history": "History", "labs": "Labs", "exam": "Exam",
                    "substances": "Substances"}[section]).model_fields)
    if key in fields:
        key = key + "_x"
    target[key] = 1
    if section is not None:
        data[section] = target
    try:
        parse_intake(data)
    except InputError as exc:
        assert key in str(exc)
    else:
        raise AssertionError("unknown field accepted")


_LABEL_FIELDS = [("onset", None), ("course", None), ("jerks", "distribution"), ("jerks", "rhythm"),
                 ("jerks", "polarity"), ("history", "cognitive_decline"), ("patient", "sex")]


@SETTINGS
@given(data=intakes, where=st.sampled_from(_LABEL_FIELDS),
       bad=st.one_of(st.text(min_size=1, max_size=15), st.integers(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=2),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_invalid_label_or_type_is_a_clean_error(data, where, bad):
    data = dict(data)
    section, field = where
    if section is not None and field is not None:
        inner = dict(data.get(section, {}))
        inner[field] = bad
        data[section] = inner
        expected_valid = typing.get_args(P.Jerks.model_fields.get(field, P.History.model_fields.get(field, P.Patient.model_fields.get(field))).annotation)
    else:
        data[section] = bad
        expected_valid = typing.get_args(P.Intake.model_fields[section].annotation)
    valid = {v for arg in expected_valid for v in (typing.get_args(arg) or [arg]) if isinstance(v, str)}
    if isinstance(bad, str) and bad in valid:
        return
    try:
        parse_intake(data)
    except InputError:
        pass
    else:
        raise AssertionError(f"invalid value {bad!r} accepted for {where}")


@SETTINGS
@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers()),
                 st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5)), max_size=3)))
def test_arbitrary_documents_never_raise_anything_but_input_error(doc):
    try:
        parse_intake(doc)
    except InputError:
        pass
