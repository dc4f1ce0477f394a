"""The self-contained HTML report: one file, figures embedded, no network access, printable.

Two audiences share one content builder:

- ``clinician`` (``report.html``): triage and red flags first; the three axes (clinical group,
  anatomical origin, causes) with the findings for and against and their references; the recording
  (per-muscle statistics, every origin criterion met or not) and its figures; neurophysiology tests;
  work-up, treatment with cautions, disclaimer; methods (parameters, versions, input SHA-256).
- ``patient`` (``report_patient.html``): plain language, the same red flags, how soon to seek care,
  what was found and what it may mean, questions to ask the doctor, and a glossary of every
  technical word that appears. No identifiers: no file names, hashes, channel names or dates.

Either input may be missing: an analysis without an intake gives a report whose clinical sections
say they were not assessed and why; an intake without a recording gives a report whose recording
sections say so. Every user-supplied string is HTML-escaped (Jinja2 autoescaping).

Decision support, not a diagnosis.
"""
from __future__ import annotations

import datetime as _dt
import logging
import os
import platform
import re
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from myoclonus._version import __version__
from myoclonus.atomic import write_text_atomic
from myoclonus.errors import InputError, did_you_mean
from myoclonus.report.assessment_html import cited_source_keys

__all__ = [
    "AUDIENCES",
    "REPORT_FILES",
    "render_report",
    "write_report",
    "write_reports",
    "report_writer",
    "PATIENT_GLOSSARY",
    "patient_origin_text",
]

logger = logging.getLogger(__name__)

AUDIENCES = ("clinician", "patient")
#: File name of each audience's report (CONTRACTS.md section 3: ``report.html``).
REPORT_FILES = {"clinician": "report.html", "patient": "report_patient.html"}
DISCLAIMER = ("Every statement lists its source, and a clinician must review the recording, the measurements and the "
              "clinical picture before acting on them.")
PATIENT_DISCLAIMER = ("This report is not a diagnosis. It is a guide for you and your doctor. A computer cannot examine you. "
                      "If a warning sign applies to you, get help as it says.")

_VERSIONED = ("numpy", "scipy", "pandas", "mne", "matplotlib", "jinja2", "pydantic")
_SOURCE_KEYS = re.compile(r"\s*\[[A-Za-z0-9_;,.\- ]+\]")

# ----------------------------------------------------------------------------------- plain language

#: Triage levels in plain words (CONTRACTS.md section 2 levels; wording follows KB care.* entries).
PATIENT_TRIAGE = {
    "emergency": ("Get emergency help now", "Call an ambulance or go to the emergency department now."),
    "urgent": ("See a doctor within a few days", "Contact your doctor or a clinic within the next few days. Do not wait for a routine visit."),
    "routine": ("Book a visit with your doctor", "Make a normal appointment with your doctor to talk about the jerks."),
    "self_care": ("No visit needed for now", "This kind of jerk is usually harmless. See a doctor if it changes, gets worse or worries you."),
}

#: Where the jerks may start, in plain words.
PATIENT_ORIGIN = {
    "cortical": "the outer layer of the brain (the cortex), which plans and controls movement",
    "cortical_subcortical": "a network between the outer layer of the brain (the cortex) and deeper parts of the brain",
    "subcortical": "deeper parts of the brain, such as the brainstem",
    "spinal_segmental": "a short part of the spinal cord",
    "propriospinal": "nerve pathways that run up and down inside the spinal cord",
    "peripheral": "a nerve outside the brain and spinal cord",
    "functional": "the way the brain sends movement signals, without damage to the nerves or brain (doctors call this functional)",
}

#: Kinds of jerks (clinical group), in plain words.
PATIENT_GROUP = {
    "physiologic": "normal jerks that many healthy people have, like hiccups or jerks when falling asleep",
    "essential": "jerks that are the main problem, without another illness behind them",
    "epileptic": "jerks that are part of a type of epilepsy",
    "symptomatic": "jerks caused by another problem, such as a medicine, a body chemistry problem or an illness",
    "functional": "jerks caused by how the brain sends movement signals, not by damage (doctors call this functional)",
}

#: Possible causes in plain words.
PATIENT_CAUSE = {
    "drug_induced": "a side effect of a medicine",
    "metabolic": "a problem with body chemistry, such as the kidneys, the liver, blood sugar or blood salts",
    "hypoxic": "a lack of oxygen to the brain, for example after the heart stopped",
    "neurodegenerative": "a brain illness that slowly gets worse over time",
    "infectious_prion": "an infection of the brain, including rare fast illnesses of the brain",
    "autoimmune_paraneoplastic": "the body's defence system attacking the nerves or brain",
    "epileptic_syndrome": "a type of epilepsy",
    "structural": "damage in one place, such as a stroke, an injury or a growth",
    "genetic": "a condition that runs in families",
    "functional": "how the brain sends movement signals, not damage (doctors call this functional)",
    "physiologic": "a normal body reaction, like hiccups or jerks when falling asleep",
    "essential": "jerks without another illness behind them",
    "toxic": "a poison, alcohol or a street drug",
}

#: Technical words that may appear in the patient report, with a plain explanation. Any of them
#: that appears in the page is explained in its "Words used in this report" list (tested).
PATIENT_GLOSSARY = {
    "myoclonus": "sudden, short, jerky movements that you cannot control",
    "cortex": "the outer layer of the brain",
    "brainstem": "the lowest part of the brain, joining it to the spinal cord",
    "spinal cord": "the bundle of nerves inside the backbone",
    "functional": "caused by how the brain sends signals, not by damage",
    "epilepsy": "a condition that causes seizures (fits)",
    "seizure": "a sudden burst of electrical activity in the brain that changes movement, feeling or awareness",
    "EMG": "a recording of the tiny electrical signals of muscles, taken with stickers on the skin",
    "EEG": "a recording of the brain's electrical activity, taken with stickers on the head",
    "electrode": "a small sticker or pad that picks up electrical signals",
    "reflex": "an automatic movement of the body in answer to something, like a touch",
    "kidney": "the organ that cleans the blood",
    "liver": "the organ that handles food, medicines and waste in the blood",
}

#: Words that must not appear in the patient report unless the glossary explains them (tested).
PATIENT_JARGON = (
    "myoclonus", "cortex", "cortical", "subcortical", "brainstem", "propriospinal", "segmental", "EMG", "EEG",
    "electrode", "JLBA", "back-averag", "Bereitschaftspotential", "coherence", "SEP", "C-reflex", "polymyography",
    "SHA-256", "IQR", "median", "µV", "probability", "etiology", "aetiology", "electrophysiolog",
)

_CONFIDENCE = ((0.7, "most likely"), (0.4, "possibly"), (0.0, "perhaps"))


def _confidence(probability: float) -> str:
    for cut, word in _CONFIDENCE:
        if probability >= cut:
            return word
    return "perhaps"


def patient_origin_text(label: str, probability: float) -> str:
    """One plain sentence on where the jerks may start (e.g. "most likely ... the cortex")."""
    if label == "none":
        return "We did not find jerks during this recording, so we cannot say where they start."
    place = PATIENT_ORIGIN.get(label, label.replace("_", " "))
    return f"The jerks {_confidence(probability)} start in {place}."


def _strip_sources(text: str) -> str:
    return _SOURCE_KEYS.sub("", text).strip()


def _patient_reason(reason: str) -> str:
    """``"urgent: Title - text [S1]"`` -> ``"Title: text"`` without level prefix and source keys."""
    text = _strip_sources(reason)
    text = re.sub(r"^(emergency|urgent|routine|self_care):\s*", "", text)
    title, _, rest = text.partition(" - ")
    return f"{title}: {rest}" if rest else title


# --------------------------------------------------------------------------------------- helpers


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("myoclonus.report", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["label"] = lambda s: str(s or "").replace("red_flag.", "").replace("_", " ")
    env.filters["fmt"] = _fmt
    return env


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return "–"
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return str(value)


def _assessment_dict(assessment: Any) -> dict | None:
    if assessment is None:
        return None
    if hasattr(assessment, "to_dict"):
        return assessment.to_dict()
    if isinstance(assessment, Mapping):
        return dict(assessment)
    raise InputError(f"assessment must be an Assessment or a myoclonus.assessment/1 dict, got {type(assessment).__name__}.",
                     where="assessment")


def _versions() -> dict[str, str]:
    out = {"myoclonus": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[name] = "not installed"
    return out


def _flatten(prefix: str, obj: Any) -> list[tuple[str, str]]:
    if isinstance(obj, Mapping):
        rows: list[tuple[str, str]] = []
        for k, v in obj.items():
            rows += _flatten(f"{prefix}.{k}" if prefix else str(k), v)
        return rows
    return [(prefix, ", ".join(map(str, obj)) if isinstance(obj, (list, tuple)) else str(obj))]


def _references(data: Any, kb: Any) -> list[str]:
    """Readable citations of every source key cited in ``data`` (``sources`` lists and ``[key; key]``)."""
    if kb is None:
        return []
    refs = getattr(kb, "references", {}) or {}
    return [refs[k].readable() for k in cited_source_keys(data) if k in refs]


def _load_kb() -> Any:
    try:
        from myoclonus.knowledge import load_kb

        return load_kb()
    except Exception as exc:  # the report stays complete without readable references
        logger.warning("knowledge base not loaded, references shown as keys only: %s", exc)
        return None


# ------------------------------------------------------------------------------- recording content


def _recording_content(analysis: Any, *, with_figures: bool = True) -> dict[str, Any]:
    """What the templates need from an Analysis (plain values, already rounded)."""
    from myoclonus.report.figures import build_figures

    findings = analysis.findings or {}
    rec = analysis.recording
    neuro = findings.get("neurophysiology") or {}
    tests = []
    names = {"jlba": "Jerk-locked back-averaging (premyoclonic potential)",
             "silent_period_locked_eeg": "EEG locked to silent periods (negative myoclonus)",
             "bereitschaftspotential": "Bereitschaftspotential", "coherence_eeg_emg": "EEG-EMG coherence", "sep": "Somatosensory evoked potential"}
    for key, title in names.items():
        item = neuro.get(key)
        if item is None and key in ("silent_period_locked_eeg",):
            continue
        if item is None:
            tests.append({"name": title, "status": "not assessable", "detail": _not_run_reason(analysis, key), "reference": ""})
            continue
        status = item.get("status") or ("significant" if item.get("significant") else "not significant")
        tests.append({"name": title, "status": str(status).replace("_", " "), "detail": _test_detail(key, item),
                      "reference": item.get("reference", "")})
    for cr in neuro.get("c_reflex") or []:
        tests.append({"name": f"C-reflex, {cr.get('channel')}", "status": str(cr.get("status", "")).replace("_", " "),
                      "detail": cr.get("reason", ""), "reference": cr.get("reference", "")})
    if not neuro:
        tests = [{"name": n, "status": "not assessable", "detail": _not_run_reason(analysis, k), "reference": ""} for k, n in names.items()
                 if k != "silent_period_locked_eeg"]
    jerks = findings.get("jerks", {}).get("count", 0)
    duration_s = float(findings.get("input", {}).get("duration_s") or rec.duration_s)
    return {
        "findings": findings,
        "input": findings.get("input", {}),
        "muscles": findings.get("muscles", []),
        "n_emg": sum(1 for c in rec.channels if c.kind == "emg"),
        "n_eeg": sum(1 for c in rec.channels if c.kind == "eeg"),
        "n_bursts": findings.get("bursts", {}).get("count", 0),
        "n_silent": findings.get("silent_periods", {}).get("count", 0),
        "n_jerks": jerks,
        "duration_s": duration_s,
        "jerks_per_min": jerks / duration_s * 60 if duration_s > 0 else 0.0,
        "median_burst_ms": findings.get("bursts", {}).get("median_duration_ms"),
        "recruitment": findings.get("recruitment") or {},
        "rhythm_rows": _rhythm_rows(findings.get("rhythm")),
        "origin": findings.get("origin") or [],
        "criteria": findings.get("origin_criteria") or [],
        "tests": tests,
        "warnings": list(findings.get("warnings") or []),
        "unmapped": list(findings.get("unmapped") or []),
        "channels": findings.get("channels") or [],
        "settings_rows": _flatten("", findings.get("settings") or analysis.settings.model_dump(mode="json")),
        "mains_text": _mains_text(findings.get("bursts") or {}),
        "ecg_text": _ecg_text(findings.get("bursts") or {}),
        "figures": build_figures(analysis) if with_figures else [],
    }


def _mains_text(bursts: Mapping[str, Any]) -> str:
    """The mains line found in the EMG and removed (findings ``bursts.mains_hz``)."""
    hz = bursts.get("mains_hz")
    return f"{hz:g} Hz line found and removed from the EMG" if hz else "no mains line found in the EMG"


def _ecg_text(bursts: Mapping[str, Any]) -> str:
    """How heartbeats were found for the ECG removal (findings ``bursts.ecg_reference``)."""
    lead = bursts.get("ecg_reference")
    if not lead:
        return "beat trains found on the EMG channels themselves (no ECG lead in the recording)"
    used, total = lead.get("n_chunks_used", 0), lead.get("n_chunks", 0)
    if not used:
        return (f"ECG lead {lead.get('channel')} showed no heart rhythm; beat trains found on the EMG channels "
                "themselves")
    part = "" if used == total else f" in {used} of {total} analysis chunks"
    return f"R peaks of the ECG lead {lead.get('channel')} ({lead.get('n_beats', 0)} beats{part})"


def _not_run_reason(analysis: Any, key: str) -> str:
    rec = analysis.recording
    if key in ("jlba", "bereitschaftspotential", "coherence_eeg_emg", "sep") and not any(c.kind == "eeg" for c in rec.channels):
        return "no EEG channel in the recording"
    if key == "sep" and not getattr(rec, "stimuli", None):
        return "no stimulus markers in the recording"
    if not (analysis.findings or {}).get("jerks", {}).get("count"):
        return "no jerk was detected"
    return "the neurophysiology stage did not run on this recording"


def _test_detail(key: str, item: Mapping[str, Any]) -> str:
    parts = [str(item.get("reason") or "")]
    if key == "coherence_eeg_emg" and "pair" in item:
        parts = [f"{' - '.join(item['pair'])}: peak {_fmt(item.get('peak_coherence'), 3)} at {_fmt(item.get('peak_hz'))} Hz; "
                 f"limit {_fmt(item.get('limit'), 3)} ({item.get('n_segments')} segments)"]
        if item.get("reason"):
            parts.append(str(item["reason"]))
    if key == "sep" and item.get("status") == "measured":
        for rule in item.get("rules") or []:
            if isinstance(rule, Mapping):
                parts.append(_sep_rule_text(rule))
    return " · ".join(p for p in parts if p)


def _sep_rule_text(rule: Mapping[str, Any]) -> str:
    """One giant-SEP definition as a sentence: component, value vs threshold, verdict, source."""
    if {"component", "threshold_uv", "value_uv"} <= set(rule):
        verdict = {True: "exceeded", False: "not exceeded"}.get(rule.get("exceeded"), "not judged")
        return (f"{rule['component']} {_fmt(rule['value_uv'], 2)} µV vs {_fmt(rule['threshold_uv'], 1)} µV: {verdict}"
                + (f" ({rule['source']})" if rule.get("source") else ""))
    return "; ".join(f"{k}: {v}" for k, v in rule.items())


def _rhythm_rows(rhythm: Any) -> list[tuple[str, str]]:
    if not isinstance(rhythm, Mapping):
        return []
    rows = []
    for key, value in rhythm.items():
        if isinstance(value, (list, tuple, Mapping)):
            continue
        rows.append((key.replace("_", " "), _fmt(value, 3) if isinstance(value, float) else _fmt(value)))
    return rows


# ----------------------------------------------------------------------------------- patient content


def _patient_content(assessment: dict | None, recording: dict | None) -> dict[str, Any]:
    out: dict[str, Any] = {"triage": None, "reasons": [], "flags": [], "found": [], "meaning": [], "tests": [], "treatments": [],
                           "careful": [], "questions": []}
    if assessment is not None:
        level = assessment["triage"]["level"]
        out["triage"] = {"level": level, "title": PATIENT_TRIAGE[level][0], "text": PATIENT_TRIAGE[level][1]}
        out["reasons"] = list(dict.fromkeys(_patient_reason(r) for r in assessment["triage"].get("reasons", [])))
        out["flags"] = [{"id": f["id"], "text": _strip_sources(f["text"])} for f in assessment.get("red_flags", [])]
        group = assessment["clinical_group"][0]
        out["meaning"].append(f"The kind of jerks that fits best: {PATIENT_GROUP.get(group['label'], group['label'].replace('_', ' '))} "
                              f"({_confidence(group['probability'])}).")
        origin = assessment["origin"][0]
        out["meaning"].append(patient_origin_text(origin["label"], origin["probability"]))
        causes = [c for c in assessment.get("causes", []) if c["probability"] >= 0.15][:3]
        if causes:
            out["meaning"].append("Possible causes to check with your doctor: "
                                  + "; ".join(PATIENT_CAUSE.get(c["id"], c["id"].replace("_", " ")) for c in causes) + ".")
        out["tests"] = [_strip_sources(w["text"]) for w in assessment.get("workup", [])][:8]
        out["treatments"] = [_strip_sources(t.get("text") or t["id"].replace("_", " ")) for t in assessment.get("treatment", [])][:6]
        out["careful"] = [{"drug": c["drug"], "text": _strip_sources(c["text"])} for c in assessment.get("cautions", [])]
    if recording is not None:
        seconds = recording["duration_s"]
        length = f"about {seconds / 60:.0f} minutes" if seconds >= 90 else f"about {seconds:.0f} seconds"
        found = [f"We recorded the electrical activity of {recording['n_emg']} muscle{'s' if recording['n_emg'] != 1 else ''} for {length}"
                 + (" and the activity of the brain at the same time." if recording["n_eeg"] else ".")]
        if recording["n_jerks"]:
            rate = recording["jerks_per_min"]
            found.append(f"We found {recording['n_jerks']} jerks, about {rate:.0f} per minute." if rate >= 1
                         else f"We found {recording['n_jerks']} jerks.")
            if recording["median_burst_ms"] is not None:
                found.append(f"Each burst of muscle activity was short: about {recording['median_burst_ms']:.0f} thousandths of a second.")
        else:
            found.append("We did not find jerks during this recording. This does not rule them out, because jerks can come and go.")
        out["found"] = found
        if assessment is None and recording["origin"]:
            top = recording["origin"][0]
            out["meaning"].append(patient_origin_text(top["label"], top["probability"]))
    questions = ["What do you think is causing my jerks?", "Do I need more tests? What will they show?"]
    if out["careful"] or (assessment and any(c["id"] == "drug_induced" and c["probability"] >= 0.15 for c in assessment.get("causes", []))):
        questions.append("Could one of my medicines cause the jerks or make them worse? Should we change it?")
    questions += ["What treatments could help, and what side effects do they have?",
                  "Is it safe for me to drive, work or play sport?",
                  "What should I do if the jerks get worse or change?",
                  "When should I come back to see you?"]
    out["questions"] = questions
    return out


def _emergency_flags(kb: Any, audience: str) -> list[dict[str, Any]]:
    """Knowledge-base red flags of triage level ``emergency`` (shown when no intake was assessed)."""
    if kb is None:
        return []
    flags = []
    for entry in kb.of_kind("red_flag"):
        if getattr(entry, "triage", None) == "emergency":
            text = entry.text.patient if audience == "patient" else entry.text.clinician
            flags.append({"id": entry.id, "name": entry.name, "text": text, "sources": list(entry.sources)})
    return flags


def _glossary(text: str) -> list[tuple[str, str]]:
    low = text.lower()
    return [(term, meaning) for term, meaning in PATIENT_GLOSSARY.items() if re.search(rf"\b{re.escape(term.lower())}", low)]


# --------------------------------------------------------------------------------------------- API


def render_report(
    analysis: Any = None,
    assessment: Any = None,
    *,
    audience: str = "clinician",
    title: str | None = None,
    kb: Any = None,
) -> str:
    """Render the report as one self-contained HTML page.

    Parameters
    ----------
    analysis : Analysis | None
        A :class:`~myoclonus.signals.analysis.Analysis` (recording, detections, findings).
    assessment : Assessment | dict | None
        A ``myoclonus.assessment/1`` object (use one assessed with ``audience="patient"`` for the
        patient report, so its texts are in plain language).
    audience : {"clinician", "patient"}
    title : str | None
        Shown in the heading of the clinician report (escaped; never put identifiers here).
    kb : KnowledgeBase | None
        Resolves cited source keys into readable references (default: the bundled one).

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InputError
        Unknown audience, or neither an analysis nor an assessment.
    """
    if audience not in AUDIENCES:
        raise InputError(f"audience must be one of {', '.join(AUDIENCES)}, got {audience!r}.{did_you_mean(str(audience), AUDIENCES)}",
                         where="audience")
    if analysis is None and assessment is None:
        raise InputError("nothing to report: give an analysis, an assessment or both.", where="report")
    data = _assessment_dict(assessment)
    if data is not None and data.get("audience") not in (None, audience):
        logger.info("rendering a %s report from an assessment written for %s", audience, data.get("audience"))
    recording = _recording_content(analysis, with_figures=audience == "clinician") if analysis is not None else None
    env = _environment()
    kb = kb if kb is not None else _load_kb()
    general_flags = _emergency_flags(kb, audience) if data is None else []
    if audience == "patient":
        content = _patient_content(data, recording)
        content["general_flags"] = [_strip_sources(f["text"]) for f in general_flags]
        template = env.get_template("report_patient.html.j2")
        page = template.render(p=content, has_assessment=data is not None, has_recording=recording is not None,
                               disclaimer=PATIENT_DISCLAIMER, glossary=[])
        # explain every technical word that appears (second pass with the glossary filled in)
        visible = re.sub(r"<[^>]+>", " ", page)
        return template.render(p=content, has_assessment=data is not None, has_recording=recording is not None,
                               disclaimer=PATIENT_DISCLAIMER, glossary=_glossary(visible))
    cited = {"assessment": data, "criteria": recording["criteria"] if recording else [], "flags": general_flags}
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return env.get_template("report.html.j2").render(
        a=data, r=recording, title=title, disclaimer=DISCLAIMER, versions=_versions(), generated=generated,
        references=_references(cited, kb), general_flags=general_flags,
    )


def write_report(
    analysis: Any = None,
    assessment: Any = None,
    *,
    path: str | os.PathLike,
    audience: str = "clinician",
    title: str | None = None,
) -> Path:
    """Render the report (:func:`render_report`) and write it atomically to ``path``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    html = render_report(analysis, assessment, audience=audience, title=title)
    written = write_text_atomic(Path(path), html)
    os.chmod(written, 0o644)  # a report is meant to be read and shared (the temporary file was 0600)
    return written


def write_reports(
    folder: str | os.PathLike,
    analysis: Any = None,
    assessment: Any = None,
    patient_assessment: Any = None,
    *,
    title: str | None = None,
) -> list[str]:
    """Write ``report.html`` and ``report_patient.html`` into ``folder`` (e.g. a staging folder).

    ``patient_assessment`` (assessed with ``audience="patient"``) gives the patient report its
    plain-language texts; without it the clinician assessment is used.

    Returns
    -------
    list of str
        The file names written.
    """
    folder = Path(folder)
    write_report(analysis, assessment, path=folder / REPORT_FILES["clinician"], audience="clinician", title=title)
    write_report(analysis, patient_assessment if patient_assessment is not None else assessment,
                 path=folder / REPORT_FILES["patient"], audience="patient")
    return [REPORT_FILES["clinician"], REPORT_FILES["patient"]]


def report_writer(assessment: Any = None, patient_assessment: Any = None, *, title: str | None = None, bids: bool = True):
    """A ``report_writer`` for :func:`myoclonus.signals.export.write_outputs`.

    The returned callable ``(analysis, stage_dir) -> list[str]`` writes ``report.html``,
    ``report_patient.html`` and (``bids=True``) the BIDS-style ``derivatives/myoclonus/`` files into
    the staging folder, so they appear in the output folder together with the other files or not at
    all. It returns the names written (relative to the folder).
    """

    def write(analysis: Any, stage: Path) -> list[str]:
        names = write_reports(stage, analysis, assessment, patient_assessment, title=title)
        if bids:
            from myoclonus.report.export import write_bids_derivatives

            names += [str(p.relative_to(stage)) for p in write_bids_derivatives(analysis, stage)]
        return names

    return write
