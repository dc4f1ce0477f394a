"""``myoclonus demo --out DIR``: run the bundled examples end to end and write their results.

For now the demo assesses every ``examples/*.yaml`` intake; later steps (recordings) add their
own small function and call it from :func:`demo`.
"""
from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from myoclonus.cli import app

__all__ = ["demo", "run_intake_examples", "examples_dir"]


def examples_dir() -> Path:
    """The bundled ``examples/`` folder (repository root), else ``./examples``."""
    repo = Path(__file__).resolve().parents[3] / "examples"
    return repo if repo.is_dir() else Path.cwd() / "examples"


def run_intake_examples(folder: Path, out: Path, console: Console) -> list[Path]:
    """Assess every ``*.yaml`` intake in ``folder``; write ``out/<name>/assessment.json|html``."""
    from myoclonus.cli.assess import print_summary, run_assessment, write_assessment
    from myoclonus.errors import InputError

    intakes = sorted(folder.glob("*.yaml"))
    if not intakes:
        raise InputError("no example intakes (*.yaml) found", where=str(folder))
    written: list[Path] = []
    for path in intakes:
        assessment, kb = run_assessment(path)
        print_summary(assessment, console, title=path.stem)
        written += write_assessment(assessment, out / path.stem, title=path.stem, kb=kb)
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
    console.rule("[bold]demo finished")
    console.print(f"{len(written) // 2} assessments written under {out}/ (assessment.json + assessment.html each)")
