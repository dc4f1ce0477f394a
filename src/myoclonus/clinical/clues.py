"""Clinical clues: the intake turned into a flat set of named facts that evidence rules test.

A clue is a short token such as ``occurs_at:action`` or ``exam:asterixis``; :func:`derive_clues`
returns a mapping token -> a readable description of what the intake says. Evidence rules in
``knowledge/data/evidence.yaml`` fire on these tokens. Vocabulary (``X`` = the intake label):

- ``onset:X``, ``course:X``, ``polarity:X``, ``distribution:X``, ``rhythm:X``, ``trend:X``
- ``region:X`` (exact body region), ``region:distal`` (hand/foot), ``region:upper_body``
  (neck/shoulder/arm), ``generalized_or_whole_body``, ``face_only_one_side``, ``palatal``
- ``occurs_at:X``, ``occurs_only:sleep_onset``, ``trigger:X``, ``triggers_only:fatigue_stress``
- ``<flag>:true`` / ``<flag>:false`` for the jerks and history booleans (``suppressible``,
  ``family_history`` ...)
- ``episodes:frequent`` (>= :data:`FREQUENT_EPISODES_PER_DAY`), ``episodes:rare``,
  ``duration:long`` (>= :data:`LONG_EPISODE_S`), ``duration:status`` (>= 30 min continuous)
- ``impact:X``, ``impact:any``, ``impact:sleeping_only``
- ``seizures:X``, ``seizures:any``, ``cognitive_decline:X``, ``cognitive_decline:any``
- ``event:X``, ``event:X:recent`` (within :data:`RECENT_EVENT_DAYS` or timing unknown)
- ``alcohol:X``, ``exam:X`` (true), ``exam:X:false``, ``exam:all_normal``
- ``impaired_consciousness`` (impaired awareness or coma)
- ``age:child``, ``onset_age:infant|under_20|teen|over_50``
- ``lab:KEY:low|high``, ``lab:any_abnormal`` (judged against the KB adult reference ranges)
- ``drug:suspect``, ``drug:recent_suspect``, ``drug:serotonin_risk``
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from myoclonus.clinical.medications import RECENT_CHANGE_DAYS, MedicationScreen
from myoclonus.clinical.presentation import Intake

__all__ = [
    "derive_clues",
    "judge_labs",
    "LabJudgement",
    "CLUE_PATTERNS",
    "is_known_clue",
    "RECENT_EVENT_DAYS",
    "FREQUENT_EPISODES_PER_DAY",
    "LONG_EPISODE_S",
    "STATUS_MYOCLONUS_S",
]

#: An event counts as recent within 14 days (engineering choice: acute post-hypoxic myoclonus
#: starts within hours, mean 11.7 h, and lasts days, mean 60.5 h - Hui et al., Eur Neurol 2005).
RECENT_EVENT_DAYS = 14.0
#: "Frequent" jerks: 3 or more episodes a day (engineering choice; S0/S1 say "frequent" without a number).
FREQUENT_EPISODES_PER_DAY = 3.0
#: "Long-lasting" episode: 60 s or more (engineering choice; S0/S1 give no number).
LONG_EPISODE_S = 60.0
#: Myoclonic status = 30 min or more of continuous jerks (Hui et al., Eur Neurol 2005;54:10).
STATUS_MYOCLONUS_S = 1800.0

_SIDED_DISTAL = ("hand_left", "hand_right", "foot_left", "foot_right")
_UPPER_BODY = ("neck", "shoulder_left", "shoulder_right", "arm_left", "arm_right")
_FACE = ("face", "eyes", "jaw")

#: Regular expressions of every clue token derive_clues can produce (used to check evidence.yaml).
CLUE_PATTERNS: tuple[str, ...] = (
    r"(onset|course|polarity|distribution|rhythm|trend):[a-z_]+",
    r"region:[a-z_]+", r"generalized_or_whole_body", r"face_only_one_side", r"palatal",
    r"occurs_at:[a-z_]+", r"occurs_only:sleep_onset", r"trigger:[a-z_]+", r"triggers_only:fatigue_stress",
    r"(persists_in_sleep|suppressible|premonitory_urge|distractible|variable_pattern|awareness_impaired|family_history"
    r"|first_episode|alcohol_responsive|restless_legs):(true|false)",
    r"episodes:(frequent|rare)", r"duration:(long|status)",
    r"impact:[a-z_]+",
    r"seizures:[a-z_]+", r"cognitive_decline:[a-z_]+",
    r"event:[a-z_]+(:recent)?", r"alcohol:[a-z_]+",
    r"exam:[a-z_]+(:false)?",
    r"age:child", r"onset_age:(infant|under_20|teen|over_50)", r"impaired_consciousness",
    r"lab:[a-z_]+:(low|high)", r"lab:any_abnormal",
    r"drug:(suspect|recent_suspect|serotonin_risk)",
)
_CLUE_RE = re.compile("^(?:" + "|".join(CLUE_PATTERNS) + ")$")


def is_known_clue(token: str) -> bool:
    """True when ``token`` belongs to the clue vocabulary (typo check for evidence rules)."""
    return bool(_CLUE_RE.match(token))


class LabJudgement:
    """One lab value placed against its KB adult reference range."""

    __slots__ = ("key", "value", "unit", "low", "high", "status", "sources", "label")

    def __init__(self, key: str, value: float, unit: str, low: float | None, high: float | None,
                 status: str, sources: list[str], label: str | None = None) -> None:
        self.key, self.value, self.unit, self.low, self.high = key, value, unit, low, high
        self.status, self.sources = status, sources
        self.label = label or key

    def describe(self) -> str:
        """E.g. ``sodium 128 mmol/L (below the adult reference range 135-145 mmol/L)``."""
        rng = "-".join(_fmt(v) for v in (self.low, self.high) if v is not None)
        if self.low is None:
            rng = f"<= {_fmt(self.high)}"
        elif self.high is None:
            rng = f">= {_fmt(self.low)}"
        where = {"low": "below", "high": "above", "normal": "within"}[self.status]
        return f"{self.label} {_fmt(self.value)} {self.unit} ({where} the adult reference range {rng} {self.unit})"


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def judge_labs(intake: Intake, lab_ranges: Mapping[str, object]) -> list[LabJudgement]:
    """Judge every given lab value against ``kb.lab_ranges`` (keys without a range are skipped)."""
    out: list[LabJudgement] = []
    for key, value in intake.labs.known().items():
        rng = lab_ranges.get(key)
        if rng is None:
            continue
        status = rng.judge(value)
        out.append(LabJudgement(key, value, rng.unit, rng.low, rng.high, status, list(rng.sources),
                                getattr(rng, "name", key)))
    return out


def _is(value: object) -> bool:
    return value is True


def derive_clues(intake: Intake, *, labs: list[LabJudgement] | None = None,
                 screen: MedicationScreen | None = None) -> dict[str, str]:
    """Turn an intake into clue tokens with a readable description of each.

    Parameters
    ----------
    intake : Intake
    labs : list of LabJudgement, optional
        From :func:`judge_labs`.
    screen : MedicationScreen, optional
        From ``screen_medications``.

    Returns
    -------
    dict
        token -> description; see the module docstring for the vocabulary.
    """
    c: dict[str, str] = {}
    j = intake.jerks
    for name in ("onset", "course"):
        value = getattr(intake, name)
        if value is not None:
            c[f"{name}:{value}"] = f"{name}: {value}"
    for name in ("polarity", "distribution", "rhythm", "trend"):
        value = getattr(j, name)
        if value is not None:
            c[f"{name}:{value}"] = f"{name}: {value}"

    regions = [r for r in j.body_regions if r != "unknown"]
    for r in regions:
        c[f"region:{r}"] = f"jerks in {r.replace('_', ' ')}"
    if any(r in _SIDED_DISTAL for r in regions):
        c["region:distal"] = "distal (hand/foot) jerks"
    if any(r in _UPPER_BODY for r in regions):
        c["region:upper_body"] = "neck/shoulder/arm jerks"
    if j.distribution == "generalized" or "whole_body" in regions:
        c["generalized_or_whole_body"] = "generalized / whole-body jerks"
    if regions and all(r in _FACE for r in regions) and j.distribution in ("focal", "segmental"):
        c["face_only_one_side"] = "focal jerks confined to the face"
    if "palate" in regions or _is(intake.exam.palatal_movement):
        c["palatal"] = "palatal movement"

    occurs = [o for o in j.occurs_at if o != "unknown"]
    for o in occurs:
        c[f"occurs_at:{o}"] = f"jerks at {o.replace('_', ' ')}"
    if occurs and set(occurs) <= {"sleep_onset"}:
        c["occurs_only:sleep_onset"] = "jerks only at sleep onset"
    triggers = [t for t in j.triggers if t != "unknown"]
    for t in triggers:
        c[f"trigger:{t}"] = f"triggered by {t.replace('_', ' ')}"
    if triggers and set(triggers) <= {"fatigue", "stress"}:
        c["triggers_only:fatigue_stress"] = "triggered only by fatigue or stress"

    for flag in ("persists_in_sleep", "suppressible", "premonitory_urge", "distractible",
                 "variable_pattern", "awareness_impaired", "first_episode", "alcohol_responsive"):
        value = getattr(j, flag)
        if isinstance(value, bool):
            c[f"{flag}:{str(value).lower()}"] = f"{flag.replace('_', ' ')}: {'yes' if value else 'no'}"
    if isinstance(intake.history.restless_legs, bool):
        c[f"restless_legs:{str(intake.history.restless_legs).lower()}"] = "restless legs: " + (
            "yes" if intake.history.restless_legs else "no")
    if isinstance(intake.history.family_history, bool):
        c[f"family_history:{str(intake.history.family_history).lower()}"] = "family history: " + (
            "yes" if intake.history.family_history else "no")

    if isinstance(j.episodes_per_day, float):
        if j.episodes_per_day >= FREQUENT_EPISODES_PER_DAY:
            c["episodes:frequent"] = f"{j.episodes_per_day:g} episodes a day"
        elif j.episodes_per_day <= 1:
            c["episodes:rare"] = f"{j.episodes_per_day:g} episodes a day"
    if isinstance(j.episode_duration_s, float):
        if j.episode_duration_s >= LONG_EPISODE_S:
            c["duration:long"] = f"episodes last {j.episode_duration_s:g} s"
        if j.episode_duration_s >= STATUS_MYOCLONUS_S:
            c["duration:status"] = f"continuous jerks for {j.episode_duration_s / 60:g} min"

    impact = [i for i in j.impact if i != "unknown"]
    for i in impact:
        c[f"impact:{i}"] = f"affects {i}"
    if impact:
        c["impact:any"] = "affects daily activities: " + ", ".join(impact)
        if set(impact) == {"sleeping"}:
            c["impact:sleeping_only"] = "affects sleep only"

    h = intake.history
    seizures = [s for s in h.seizures if s not in ("unknown",)]
    for s in seizures:
        c[f"seizures:{s}"] = f"seizures: {s.replace('_', ' ')}"
    if any(s != "none" for s in seizures):
        c["seizures:any"] = "history of seizures"
    if h.cognitive_decline is not None:
        c[f"cognitive_decline:{h.cognitive_decline}"] = f"cognitive decline: {h.cognitive_decline}"
        if h.cognitive_decline in ("slow", "rapid"):
            c["cognitive_decline:any"] = f"{h.cognitive_decline} cognitive decline"
    for ev in h.events:
        if ev.type == "unknown":
            continue
        when = f"{ev.days_ago:g} days ago" if isinstance(ev.days_ago, float) else "timing not given"
        c[f"event:{ev.type}"] = f"{ev.type.replace('_', ' ')} ({when})"
        if not isinstance(ev.days_ago, float) or ev.days_ago <= RECENT_EVENT_DAYS:
            c[f"event:{ev.type}:recent"] = f"recent {ev.type.replace('_', ' ')} ({when})"

    if intake.substances.alcohol is not None:
        c[f"alcohol:{intake.substances.alcohol}"] = f"alcohol: {intake.substances.alcohol}"

    exam = intake.exam.model_dump()
    for name, value in exam.items():
        if value is True:
            c[f"exam:{name}"] = f"examination: {name.replace('_', ' ')}"
        elif value is False:
            c[f"exam:{name}:false"] = f"examination: no {name.replace('_', ' ')}"
    if _is(j.awareness_impaired) or _is(intake.exam.coma):
        c["impaired_consciousness"] = "comatose" if _is(intake.exam.coma) else "impaired awareness"
    assessed = [v for v in exam.values() if isinstance(v, bool)]
    if assessed and not any(assessed):
        c["exam:all_normal"] = "no abnormal examination finding reported"

    age = intake.patient.age_years
    if isinstance(age, float) and age < 18:
        c["age:child"] = f"age {age:g} years"
    onset_age = intake.patient.age_at_onset_years
    if isinstance(onset_age, float):
        if onset_age < 2:
            c["onset_age:infant"] = f"onset at {onset_age:g} years"
        if onset_age < 20:
            c["onset_age:under_20"] = f"onset at {onset_age:g} years"
        # JME begins in adolescence (MedLink JME); 10-25 years is an engineering choice of window.
        if 10 <= onset_age <= 25:
            c["onset_age:teen"] = f"onset at {onset_age:g} years"
        if onset_age >= 50:
            c["onset_age:over_50"] = f"onset at {onset_age:g} years"

    for lab in labs or []:
        if lab.status != "normal":
            c[f"lab:{lab.key}:{lab.status}"] = lab.describe()
            c["lab:any_abnormal"] = "abnormal laboratory value"

    if screen is not None:
        if screen.suspects:
            c["drug:suspect"] = "taking: " + ", ".join(h.generic for h in screen.suspects)
            suspect_names = {h.name_given: h.generic for h in screen.suspects}
            recent = [suspect_names[m.name] for m in intake.medications
                      if m.name in suspect_names and m.stopped_days_ago is None
                      and any(d is not None and d <= RECENT_CHANGE_DAYS for d in (m.started_days_ago, m.dose_changed_days_ago))]
            if recent:
                c["drug:recent_suspect"] = "recently started or changed: " + ", ".join(recent)
        if screen.serotonin_toxicity_risk:
            c["drug:serotonin_risk"] = screen.serotonin_reason or "serotonergic combination"
    return c
