"""The clinician report: complete, self-contained, ordered, honest about what cannot be assessed, escaped."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import load_intake, parse_intake
from myoclonus.errors import InputError
from myoclonus.report.html import render_report, write_report, write_reports
from myoclonus.signals.recording import Recording

from report_testkit import SFREQ, emg_with_jerks, fast_settings


class _Collector(HTMLParser):
    """Collects tags, external references and visible text; fails on nothing (html.parser is lenient)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []
        self.images: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "link":
            self.external.append(attrs.get("href", "link"))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def _order(html: str, *markers: str) -> list[int]:
    return [html.index(m) for m in markers]


def test_full_report_is_self_contained_ordered_and_shows_every_figure(cortical_analysis, cortical_assessments, cortical_report_html):
    assessment = cortical_assessments[0]
    html = cortical_report_html
    doc = parse(html)
    assert doc.external == []  # no network access needed
    assert "<script" not in html
    # order: triage and red flags, classification, recording and figures, work-up, treatment, methods
    positions = _order(html, 'id="triage"', 'id="classification"', 'id="recording"', 'id="figures"', 'id="neuro"',
                       'id="workup"', 'id="treatment"', 'id="methods"')
    assert positions == sorted(positions)
    for fid in ("traces", "burst_durations", "recruitment", "intervals", "jlba", "bp", "coherence", "evoked"):
        assert f'id="fig-{fid}"' in html
    # the simulated cortical case has jerks, EEG and stimuli: these figures are drawn
    for fid in ("traces", "burst_durations", "recruitment", "intervals", "coherence", "evoked"):
        block = html.split(f'id="fig-{fid}"', 1)[1].split("</figure>", 1)[0]
        assert "data:image/png;base64," in block, fid
    assert len(doc.images) >= 6
    # methods: input hash, parameters and versions
    sha = cortical_analysis.findings["input"]["sha256"]
    assert sha and sha in html
    assert "cortical_burst_cutoff_ms" in html and "mne" in html
    # triage level of the assessment is shown first, with every red flag
    assert f"Triage: {assessment.triage.level.replace('_', ' ').upper()}" in html
    for flag in assessment.red_flags:
        assert flag.id.replace("red_flag.", "").replace("_", " ") in html
    assert "Decision support, not a diagnosis" in html


def test_report_without_jerks_is_complete_and_says_why(no_jerk_analysis):
    assert no_jerk_analysis.findings["jerks"]["count"] == 0
    html = render_report(no_jerk_analysis)
    assert parse(html).external == []
    for fid in ("traces", "recruitment", "intervals"):
        block = html.split(f'id="fig-{fid}"', 1)[1].split("</figure>", 1)[0]
        assert "data:image" not in block
        assert "Not shown:" in block and "jerk" in block
    assert "No jerk was detected" in html
    assert "Triage: not assessed" in html  # no intake
    assert 'id="methods"' in html and "</html>" in html


def test_report_without_eeg_says_eeg_tests_not_assessable(no_eeg_analysis):
    assert no_eeg_analysis.findings["jerks"]["count"] > 0
    html = render_report(no_eeg_analysis)
    for fid in ("jlba", "bp", "coherence"):
        block = html.split(f'id="fig-{fid}"', 1)[1].split("</figure>", 1)[0]
        assert "data:image" not in block
        assert "no EEG channel" in block or "EEG" in block
    # the EMG figures are drawn
    block = html.split('id="fig-burst_durations"', 1)[1].split("</figure>", 1)[0]
    assert "data:image/png" in block


def test_report_with_one_channel(one_channel_analysis):
    html = render_report(one_channel_analysis)
    doc = parse(html)
    assert doc.external == []
    text = " ".join(doc.text)
    assert "EMG R FDI" in text
    block = html.split('id="fig-recruitment"', 1)[1].split("</figure>", 1)[0]
    assert "single muscle" in block  # no recruitment order with one muscle


def test_report_with_64_channels_lists_all_and_caps_panels(many_channel_analysis):
    html = render_report(many_channel_analysis)
    rows = re.findall(r"<tr><td>EMG [^<]+</td>", html)
    assert len(rows) == 64  # every channel in the per-muscle table
    block = html.split('id="fig-burst_durations"', 1)[1].split("</figure>", 1)[0]
    assert "data:image/png" in block
    assert "more are in findings.json" in block  # 64 muscles with bursts, 16 panels drawn


def test_every_user_supplied_string_is_escaped(tmp_path):
    names = ["EMG R FDI", "EMG R ECR", "<script>alert(1)</script>"]
    rec = Recording.from_array(emg_with_jerks(names, seed=5), SFREQ, names)
    from myoclonus.signals.analysis import analyze

    analysis = analyze(rec, settings=fast_settings())
    assert "<script>alert(1)</script>" in analysis.findings["unmapped"]
    intake = parse_intake({"schema": "myoclonus.intake/1",
                           "history": {"conditions": ["<img src=x onerror=alert(2)>", "Tom & Jerry's \"syndrome\""]}})
    assessment = assess(intake, findings=analysis.findings)
    assert any("onerror" in note for note in assessment.notes)  # the free text reaches the report
    html = render_report(analysis, assessment, title="<b>bold</b> & co")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    patient = render_report(analysis, assessment, audience="patient")
    assert "<script>" not in patient and "<img src=x" not in patient
    path = write_report(analysis, assessment, path=tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") .count("&lt;script&gt;") >= 1


def test_assessment_only_report_says_no_recording(example_intake):
    assessment = assess(load_intake(example_intake))
    html = render_report(assessment=assessment)
    assert "No recording was analysed" in html
    assert 'id="figures"' not in html


def test_write_reports_writes_both_audiences(tmp_path, no_eeg_analysis):
    names = write_reports(tmp_path, no_eeg_analysis)
    assert names == ["report.html", "report_patient.html"]
    for name in names:
        assert (tmp_path / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_arguments_give_clear_errors(no_eeg_analysis):
    with pytest.raises(InputError, match="audience.*Did you mean 'patient'"):
        render_report(no_eeg_analysis, audience="patiens")
    with pytest.raises(InputError, match="nothing to report"):
        render_report()
    with pytest.raises(InputError, match="assessment must be"):
        render_report(no_eeg_analysis, assessment=42)


def test_analyze_cli_writes_both_reports_and_bids(tmp_path, small_edf, example_intake):
    from typer.testing import CliRunner

    from myoclonus.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(small_edf), "--out", str(out), "--intake", str(example_intake), "--json"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and 'id="fig-traces"' in html
    assert "Triage:" in html and "not assessed" not in html.split('id="classification"')[0]
    patient = (out / "report_patient.html").read_text(encoding="utf-8")
    assert "Questions to ask your doctor" in patient and small_edf.name not in patient
    assert (out / "derivatives" / "myoclonus" / "sub-01" / "emg" / "sub-01_task-myoclonus_events.tsv").is_file()
    from myoclonus.report.schemas import validate_document
    import json

    for name in ("findings.json", "assessment.json"):
        validate_document(json.loads((out / name).read_text(encoding="utf-8")), where=name)


_PAYLOAD = st.text(alphabet=st.sampled_from(list("<>&\"'/= abcXYZ;(){}:é")), max_size=20)
_MARKUP = st.builds(lambda tag, payload: f"<{tag} x='{payload}'>{payload}</{tag}>", st.from_regex(r"[a-z]{1,6}", fullmatch=True), _PAYLOAD)


@settings(max_examples=15, deadline=None)
@given(condition=_MARKUP, drug=_MARKUP, title=_MARKUP)
def test_free_text_is_always_escaped(condition, drug, title):
    intake = parse_intake({"schema": "myoclonus.intake/1", "history": {"conditions": [condition]},
                           "medications": [{"name": drug}]})
    html = render_report(assessment=assess(intake), title=title)
    for text in (condition, drug, title):
        assert text not in html  # never as markup
    assert str(escape(title)) in html
    assert str(escape(condition)) in html  # unmatched free text is reported, escaped


def test_methods_say_how_mains_and_ecg_were_removed(no_eeg_analysis):
    html = render_report(no_eeg_analysis)
    methods = html.split('id="methods"', 1)[1]
    assert "<td>ECG removal</td><td>beat trains found on the EMG channels themselves (no ECG lead" in methods
    hz = no_eeg_analysis.findings["bursts"]["mains_hz"]
    mains = f"{hz:g} Hz line found and removed from the EMG" if hz else "no mains line found in the EMG"
    assert f"<td>Mains</td><td>{mains}</td>" in methods


def test_methods_name_the_ecg_lead_whose_r_peaks_were_used():
    from myoclonus.signals.analysis import analyze
    from myoclonus.simulate import simulate

    sim = simulate("peripheral", minutes=0.25, seed=31, sfreq_hz=1000.0, ecg_lead=True)
    analysis = analyze(sim.raw, settings=fast_settings())
    lead = analysis.findings["bursts"]["ecg_reference"]
    assert lead["channel"] == "ECG" and lead["n_chunks_used"] == lead["n_chunks"] == 1
    html = render_report(analysis)
    methods = html.split('id="methods"', 1)[1]
    assert f"<td>ECG removal</td><td>R peaks of the ECG lead ECG ({lead['n_beats']} beats)</td>" in methods
    assert lead["n_beats"] >= 10  # 15 s of heartbeats
    hz = analysis.findings["bursts"]["mains_hz"]
    assert hz in (50.0, 60.0)  # the simulator adds a mains line by default
    assert f"<td>Mains</td><td>{hz:g} Hz line found and removed from the EMG</td>" in methods
