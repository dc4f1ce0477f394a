"""``myoclonus analyze RECORDING --out DIR``: bursts, silent periods, jerks and findings of a recording."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from myoclonus.cli import app, err_console
from myoclonus.errors import InputError

DISCLAIMER = "Decision support, not a diagnosis."


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _muscle_table(findings: dict) -> Table:
    table = Table(title="Bursts per muscle (durations in ms)")
    for column in ("channel", "muscle", "bursts", "median", "IQR", "silent periods", "status"):
        table.add_column(column, justify="right" if column in ("bursts", "median", "IQR", "silent periods") else "left")
    for row in findings["muscles"]:
        b, s = row["bursts"], row["silent_periods"]
        status = (row.get("status") or {}).get("state", "ok")
        table.add_row(escape(row["channel"]), escape(row["label"]) if row["muscle"] else "?", str(b["count"]),
                      _fmt(b["median_duration_ms"]), _fmt(b["iqr_duration_ms"]), str(s["count"]), status)
    return table


def _origin_table(findings: dict) -> Table:
    table = Table(title="Origin from the recording (decision support)", title_justify="left")
    table.add_column("origin")
    table.add_column("probability", justify="right")
    table.add_column("main reasons for")
    for item in findings["origin"][:3]:
        table.add_row(item["label"].replace("_", " "), f"{item['probability']:.2f}", escape("; ".join(item["for"][:2])))
    return table


def _json_summary(findings: dict, written: list[Path]) -> dict:
    return {
        "schema": findings["schema"],
        "files": [str(p) for p in written],
        "duration_s": findings["input"]["duration_s"],
        "n_bursts": findings["bursts"]["count"],
        "n_silent_periods": findings["silent_periods"]["count"],
        "n_jerks": findings["jerks"]["count"],
        "origin": findings["origin"][:3],
        "muscles": findings["muscles"],
        "unmapped": findings["unmapped"],
        "warnings": findings["warnings"],
        "disclaimer": DISCLAIMER,
    }


@app.command()
def analyze(
    recording: Path = typer.Argument(..., help="Recording file (EDF/BDF/BrainVision/FIF/..., WFDB .hea, MATLAB .mat)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (bursts.tsv, jerks.tsv, findings.json, report.html, report_patient.html, derivatives/)."),
    montage: Optional[Path] = typer.Option(None, "--montage", help="Montage YAML mapping channel names to muscles."),  # noqa: UP007
    intake: Optional[Path] = typer.Option(None, "--intake", help="Clinical intake (myoclonus.intake/1); also writes assessment.json."),  # noqa: UP007
    units: Optional[str] = typer.Option(None, "--units", help="Unit of files that state none (MATLAB .mat): uV (default), mV or V."),  # noqa: UP007
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of tables."),
    threads: int = typer.Option(1, "--threads", min=1, help="Threads for the EMG channels (default 1: one recording per core; "
                                "use the number of cores to analyse one long recording faster)."),
) -> None:
    """Detect bursts, silent periods and jerks in RECORDING and write the findings to --out."""
    from myoclonus.pipeline import analyze_to_folder
    from myoclonus.settings import AnalysisSettings, ChunkSettings

    settings = AnalysisSettings(chunks=ChunkSettings(n_threads=threads))

    intake_model = None
    if intake is not None:
        from myoclonus.clinical.presentation import load_intake

        intake_model = load_intake(intake)  # validate before the (long) analysis
    if not recording.exists() and not recording.with_suffix(".hea").exists():
        raise InputError("file not found.", where=str(recording))

    show_progress = sys.stderr.isatty() and not as_json
    if show_progress:
        with Progress(
            TextColumn("analysing {task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True,
        ) as bar:
            task = bar.add_task(recording.name, total=1.0)
            result = analyze_to_folder(recording, out, intake=intake_model, montage=montage, units=units, settings=settings,
                                       progress=lambda f: bar.update(task, completed=f))
    else:
        result = analyze_to_folder(recording, out, intake=intake_model, montage=montage, units=units, settings=settings)
    analysis, written = result.analysis, result.written

    if as_json:
        typer.echo(json.dumps(_json_summary(analysis.findings, written), indent=2, ensure_ascii=False))
        return
    console = Console()
    findings = analysis.findings
    console.print(_muscle_table(findings))
    console.print(
        f"{findings['bursts']['count']} bursts, {findings['silent_periods']['count']} silent periods, "
        f"{findings['jerks']['count']} jerks in {findings['input']['duration_s']:.1f} s."
    )
    console.print(_origin_table(findings))
    for warning in findings["warnings"]:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    console.print(escape(f"Wrote {', '.join(p.name for p in written)} to {out}"))
    console.print(f"[dim]{DISCLAIMER}[/]")
