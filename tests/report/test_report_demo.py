"""``myoclonus demo``'s recording step: both reports, findings, assessment and exports in the output folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import mne
from rich.console import Console

from myoclonus.cli.demo import EXAMPLE_RECORDING, EXAMPLE_RECORDING_INTAKE, run_intake_examples, run_recording_example
from myoclonus.report.schemas import validate_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_recording_example_writes_reports_and_exports(tmp_path, cortical_edf):
    folder = tmp_path / "examples"
    folder.mkdir()
    shutil.copy(cortical_edf, folder / EXAMPLE_RECORDING)  # a short simulated stand-in for the bundled file
    shutil.copy(EXAMPLES / EXAMPLE_RECORDING_INTAKE, folder / EXAMPLE_RECORDING_INTAKE)
    out = tmp_path / "out"
    written = run_recording_example(folder, out, Console(file=open(tmp_path / "log.txt", "w")))
    names = {p.name for p in written}
    assert {"report.html", "report_patient.html", "findings.json", "assessment.json", "bursts.tsv", "jerks.tsv"} <= names
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 5
    assert "Triage:" in html and "not assessed" not in html.split('id="classification"')[0]
    assert "Questions to ask your doctor" in (out / "report_patient.html").read_text(encoding="utf-8")
    for name in ("findings.json", "assessment.json"):
        validate_document(json.loads((out / name).read_text(encoding="utf-8")), where=name)
    raw = mne.io.read_raw_edf(out / "example_cortical.annotated.edf", verbose="error")
    assert "myoclonus/burst" in set(raw.annotations.description)


def test_recording_example_is_skipped_without_the_recording(tmp_path):
    # wide console: the message names the (long, varying) temporary path and must not wrap mid-phrase
    with open(tmp_path / "log.txt", "w", encoding="utf-8") as log:
        assert run_recording_example(tmp_path, tmp_path / "out", Console(file=log, width=10_000)) == []
    assert "recording step skipped" in (tmp_path / "log.txt").read_text(encoding="utf-8")


def test_demo_assessment_files_validate(tmp_path):
    with open(tmp_path / "log.txt", "w", encoding="utf-8") as log:
        written = run_intake_examples(EXAMPLES, tmp_path, Console(file=log, width=10_000))
    files = [p for p in written if p.name == "assessment.json"]
    assert len(files) == len(list(EXAMPLES.glob("*.yaml")))
    for path in files:
        validate_document(json.loads(path.read_text(encoding="utf-8")), where=str(path))
