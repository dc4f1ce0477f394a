"""The patient report: plain language, same red flags, how soon to seek care, no identifiers."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import mne
import numpy as np
import pytest
from report_testkit import SFREQ, emg_with_jerks, fast_settings

from myoclonus.clinical.engine import assess
from myoclonus.report.html import PATIENT_GLOSSARY, PATIENT_JARGON, PATIENT_TRIAGE, render_report
from myoclonus.signals.analysis import analyze

#: Plain-language targets (reading age ~12): short sentences. Flesch-Kincaid grade 7 text averages
#: about 15 words per sentence; 20 is a generous ceiling for a page that also carries list items.
MAX_MEAN_SENTENCE_WORDS = 20.0


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag in ("li", "p", "h1", "h2", "dd", "dt", "div"):
            self.parts.append(".\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def sentences(text: str) -> list[str]:
    chunks = re.split(r"[.!?:;]+\s", text)
    return [c for c in (re.sub(r"\s+", " ", c).strip(" .") for c in chunks) if len(c.split()) >= 2]


def glossary_terms(html: str) -> set[str]:
    section = html.split("Words used in this report", 1)[1] if "Words used in this report" in html else ""
    return {t.lower() for t in re.findall(r"<dt>([^<]+)</dt>", section)}


@pytest.fixture(scope="module")
def assessed(cortical_assessments):
    return cortical_assessments


@pytest.fixture(scope="module")
def patient_html(cortical_analysis, assessed):
    return render_report(cortical_analysis, assessed[1], audience="patient")


def test_patient_report_is_plain_language(patient_html):
    text = visible_text(patient_html)
    found = sentences(text)
    assert len(found) >= 10
    mean_words = np.mean([len(s.split()) for s in found])
    assert mean_words <= MAX_MEAN_SENTENCE_WORDS, (mean_words, max(found, key=lambda s: len(s.split())))
    # every technical word that appears is explained in the glossary
    explained = glossary_terms(patient_html)
    body = visible_text(patient_html.split("Words used in this report", 1)[0]).lower()
    for word in PATIENT_JARGON:
        if re.search(rf"\b{re.escape(word.lower())}", body):
            assert any(word.lower().startswith(term) or term.startswith(word.lower()) for term in explained), word


def test_jargon_check_catches_unexplained_words():
    # the check above must be able to fail: a page with an unexplained technical word is caught
    page = "<p>Your JLBA showed a Bereitschaftspotential.</p>"
    body = visible_text(page).lower()
    unexplained = [w for w in PATIENT_JARGON if re.search(rf"\b{re.escape(w.lower())}", body)
                   and not any(w.lower().startswith(t) for t in glossary_terms(page))]
    assert unexplained == ["JLBA", "Bereitschaftspotential"]
    assert "myoclonus" in PATIENT_GLOSSARY and "EEG" in PATIENT_GLOSSARY


def test_patient_report_has_care_level_same_red_flags_and_questions(assessed, patient_html, cortical_report_html):
    clinician, patient = assessed
    assert [f.id for f in clinician.red_flags] == [f.id for f in patient.red_flags]
    clinician_html = cortical_report_html
    for flag in patient.red_flags:
        assert flag.text.split(" [")[0][:40] in patient_html
    for flag in clinician.red_flags:
        assert flag.id.replace("red_flag.", "").replace("_", " ") in clinician_html
    title, advice = PATIENT_TRIAGE[patient.triage.level]
    assert title in patient_html and advice in patient_html
    assert "Questions to ask your doctor" in patient_html
    assert "not a diagnosis" in patient_html


def test_patient_report_without_intake_lists_emergency_signs(no_jerk_analysis):
    html = render_report(no_jerk_analysis, audience="patient")
    assert "cannot say how soon" in html
    assert "We did not find jerks" in html
    assert html.count('class="flag"') >= 3  # the knowledge base's emergency red flags


def test_patient_report_contains_no_identifiers(tmp_path):
    names = ["EMG R FDI", "EMG R ECR", "C3", "C4"]
    data = emg_with_jerks(names, seed=7) * 1e-6
    info = mne.create_info(names, SFREQ, ["emg", "emg", "eeg", "eeg"])
    info["subject_info"] = {"his_id": "MRN4711", "first_name": "Jane", "last_name": "Doeperson"}
    raw = mne.io.RawArray(data, info, verbose="error")
    path = tmp_path / "Doeperson_Jane_4711.edf"
    mne.export.export_raw(path, raw, fmt="edf", verbose="error")
    assert b"Doeperson" in path.read_bytes()  # the header really carries the identifier
    analysis = analyze(path, settings=fast_settings())
    intake = {"schema": "myoclonus.intake/1", "patient": {"age_years": 54}}
    from myoclonus.clinical.presentation import parse_intake

    assessment = assess(parse_intake(intake), findings=analysis.findings, audience="patient")
    html = render_report(analysis, assessment, audience="patient")
    for identifier in ("Doeperson", "Jane", "4711", "MRN", path.name, path.stem, analysis.findings["input"]["sha256"],
                       "EMG R FDI", "C3"):
        assert identifier not in html, identifier
    clinician = render_report(analysis, None)
    assert "Doeperson" not in clinician and "MRN4711" not in clinician
