"""Self-contained HTML rendering of an assessment."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from myoclonus.clinical.engine import assess
from myoclonus.clinical.presentation import load_intake, parse_intake
from myoclonus.knowledge import load_kb
from myoclonus.report.assessment_html import render_assessment_html

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


def _render(path: Path, audience: str = "clinician") -> tuple[str, _Collector]:
    kb = load_kb()
    html = render_assessment_html(assess(load_intake(path), audience=audience, kb=kb), title=path.stem, kb=kb)
    parser = _Collector()
    parser.feed(html)
    return html, parser


def test_html_is_self_contained_and_red_flags_come_first():
    html, parser = _render(EXAMPLES / "post_arrest_coma.yaml")
    assert parser.external == []
    text = " ".join(parser.text)
    assert text.index("EMERGENCY") < text.index("Red flags") < text.index("Clinical group") < text.index("Causes")
    assert "post cardiac arrest coma" in text
    assert "not a diagnosis" in text


def test_html_resolves_cited_source_keys_to_references():
    html, parser = _render(EXAMPLES / "tramadol_ckd.yaml")
    text = " ".join(parser.text)
    assert "References" in text
    assert "Hallett M, Chadwick D, Marsden CD" in text  # from the key hallett_1979 cited in an origin reason


def test_patient_html_uses_plain_headings():
    _, parser = _render(EXAMPLES / "hypnic_jerks.yaml", audience="patient")
    text = " ".join(parser.text)
    assert "How soon to see a doctor" in text and "SELF CARE" in text


def test_text_is_escaped():
    a = assess(parse_intake({"schema": "myoclonus.intake/1", "history": {"conditions": ["<script>alert(1)</script>"]}}))
    html = render_assessment_html(a)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
