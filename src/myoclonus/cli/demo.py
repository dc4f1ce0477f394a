"""``myoclonus demo --out DIR``: run the bundled examples end to end and write their results.

The demo assesses every ``examples/*.yaml`` intake, then analyses the bundled recording
(``examples/example_cortical.edf``) with its intake and writes ``report.html`` and
``report_patient.html`` (plus findings, assessment and exports) to the output folder.
"""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from myoclonus.cli import app

__all__ = ["demo", "run_intake_examples", "run_recording_example", "examples_dir"]


def examples_dir() -> Path:
    """The bundled ``examples/`` folder (repository root), else ``./examples``."""
    repo = Path(__file__).resolve().parents[3] / "examples"
    return repo if repo.is_dir() else Path.cwd() / "examples"


def _is_intake(path: Path) -> bool:
    """True for YAML files that declare ``schema: myoclonus.intake/...`` (other example YAML, e.g.
    montages, is left to the demo steps that use it; a broken intake still fails loudly)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return True  # let load_intake report the syntax error with its line
    return isinstance(data, dict) and str(data.get("schema", "")).startswith("myoclonus.intake/")


def run_intake_examples(folder: Path, out: Path, console: Console) -> list[Path]:
    """Assess every intake (``*.yaml`` with ``schema: myoclonus.intake/1``) in ``folder``;
    write ``out/<name>/assessment.json|html``."""
    from myoclonus.cli.assess import print_summary, run_assessment, write_assessment
    from myoclonus.errors import InputError

    intakes = [p for p in sorted(folder.glob("*.yaml")) if _is_intake(p)]
    if not intakes:
        raise InputError("no example intakes (*.yaml) found", where=str(folder))
    written: list[Path] = []
    for path in intakes:
        assessment, kb = run_assessment(path)
        print_summary(assessment, console, title=path.stem)
        written += write_assessment(assessment, out / path.stem, title=path.stem, kb=kb)
    return written


#: The bundled recording and the example intake that goes with it (post-hypoxic cortical action
#: myoclonus: a simulated cortical recording, examples/make_examples.py).
EXAMPLE_RECORDING = "example_cortical.edf"
EXAMPLE_RECORDING_INTAKE = "lance_adams.yaml"


def run_recording_example(folder: Path, out: Path, console: Console) -> list[Path]:
    """Analyse the bundled recording with its intake; write the reports and exports into ``out``.

    Writes ``report.html``, ``report_patient.html``, ``findings.json``, ``assessment.json``,
    ``bursts.tsv``, ``jerks.tsv``, ``derivatives/myoclonus/...`` (BIDS events) and
    ``example_cortical.annotated.edf`` (detections as EDF+ annotations). Returns the files written
    (empty when the folder has no example recording).
    """
    from myoclonus.clinical.presentation import load_intake
    from myoclonus.pipeline import analyze_to_folder

    recording = folder / EXAMPLE_RECORDING
    if not recording.is_file():
        console.print(f"[yellow]no example recording ({EXAMPLE_RECORDING}) in {folder}: recording step skipped[/]")
        return []
    result = analyze_to_folder(recording, out, intake=load_intake(folder / EXAMPLE_RECORDING_INTAKE),
                               title=f"{EXAMPLE_RECORDING} + {EXAMPLE_RECORDING_INTAKE}",
                               annotated_edf=f"{recording.stem}.annotated.edf")
    analysis, written, clinician = result.analysis, result.written, result.assessment
    f = analysis.findings
    console.rule(f"[bold]Recording: {EXAMPLE_RECORDING} with {EXAMPLE_RECORDING_INTAKE}")
    console.print(f"{f['jerks']['count']} jerks, {f['bursts']['count']} bursts in {f['input']['duration_s']:.0f} s; "
                  f"origin (clinical + recording): {clinician['origin'][0]['label']} {clinician['origin'][0]['probability']:.2f}; "
                  f"triage: {clinician['triage']['level']}")
    return written


@app.command()
def demo(
    out: Path = typer.Option(Path("out"), "--out", help="Folder for the results (one sub-folder per example)."),
    examples: Path = typer.Option(None, "--examples", help="Folder of example intakes (default: the bundled examples/)."),
) -> None:
    """Run the bundled examples: assess each example intake and write assessment.json/html under --out."""
    console = Console()
    folder = examples or examples_dir()
    written = run_intake_examples(folder, out, console)
    recording_files = run_recording_example(folder, out, console)
    console.rule("[bold]demo finished")
    console.print(f"{len(written) // 2} assessments written under {out}/ (assessment.json + assessment.html each)")
    if recording_files:
        console.print(f"recording reports: {out / 'report.html'} and {out / 'report_patient.html'} (+ findings, exports)")
