"""``myoclonus batch``: many recordings in parallel on Dask, resumable, one study table."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from myoclonus.cli import app


@app.command()
def batch(
    paths: list[str] = typer.Argument(..., help="Recordings, folders (searched recursively) or glob patterns (quote them)."),
    out: Path = typer.Option(..., "--out", help="Output folder: recordings/<name>-<hash>/ and study.csv / study.parquet."),
    workers: int = typer.Option(None, "--workers", help="Worker processes of the local Dask cluster (default: one per core)."),
    scheduler: str = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    montage: Path = typer.Option(None, "--montage", help="Montage YAML applied to every recording."),
    intake_dir: Path = typer.Option(None, "--intake-dir", help="Folder of intakes named like the recordings (<stem>.yaml) for merged assessments."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Analyse many recordings; finished ones are skipped on re-run, failures are listed, never fatal."""
    from myoclonus.batch import run_batch

    console = Console(stderr=True)
    show = sys.stderr.isatty() and not as_json
    progress = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.description}"),
                        console=console, disable=not show)
    with progress:
        task = progress.add_task("", total=None)

        def on_result(row: dict, n_done: int, total: int) -> None:
            progress.update(task, completed=n_done, total=total, description=f"{row['status']}: {Path(row['recording']).name}")

        summary = run_batch(paths, out, workers=workers, scheduler=scheduler,
                            montage=str(montage) if montage else None,
                            intake_dir=str(intake_dir) if intake_dir else None, on_result=on_result)
    if as_json:
        typer.echo(json.dumps({"counts": summary.counts, "elapsed_s": round(summary.elapsed_s, 2),
                               "study_csv": str(summary.table_csv), "study_parquet": str(summary.table_parquet),
                               "failed": [{"recording": r["recording"], "error": r["error"]} for r in summary.rows if r["status"] == "failed"]}))
        return
    out_console = Console()
    table = Table(title=f"batch finished in {summary.elapsed_s:.1f} s")
    for status in ("done", "skipped", "failed", "duplicate"):
        table.add_column(status, justify="right")
    table.add_row(*(str(summary.counts.get(s, 0)) for s in ("done", "skipped", "failed", "duplicate")))
    out_console.print(table)
    for row in summary.rows:
        if row["status"] == "failed":
            out_console.print(f"[red]failed[/] {row['recording']}: {row['error']}", highlight=False)
    out_console.print(f"study table: {summary.table_csv} and {summary.table_parquet.name}")
