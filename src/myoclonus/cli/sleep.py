"""``myoclonus sleep PSG --out DIR``: leg movements, PLMS, fragmentary myoclonus, hypnic jerks."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from myoclonus.cli import app


@app.command()
def sleep(
    psg: Path = typer.Argument(..., help="Polysomnogram (EDF/EDF+/BDF or any format MNE reads)."),
    out: Path = typer.Option(..., "--out", help="Output folder (sleep_events.tsv, sleep.json, sleep_annotations.edf, hypnogram.png/.svg)."),
    hypnogram: Path = typer.Option(None, "--hypnogram", help="Separate hypnogram file (e.g. Sleep-EDF *-Hypnogram.edf)."),
    rules: str = typer.Option("wasm2016", "--rules", help="Leg-movement rules: wasm2016 (WASM 2016, default) or aasm (AASM v2.5)."),
    montage: Path = typer.Option(None, "--montage", help="Montage YAML typing the channels explicitly."),
    no_auto_stage: bool = typer.Option(False, "--no-auto-stage", help="Do not stage automatically with YASA when no hypnogram exists."),
    as_json: bool = typer.Option(False, "--json", help="Print sleep.json to stdout instead of a table."),
) -> None:
    """Score sleep-related motor events in a PSG (WASM 2016 or AASM). Decision support, not a diagnosis."""
    from myoclonus.errors import InputError
    from myoclonus.signals.sleep.export import write_sleep_outputs
    from myoclonus.signals.sleep.rules import rules_for
    from myoclonus.signals.sleep.scoring import score_sleep

    rules_for(rules)  # validate before reading anything
    if not psg.exists():
        raise InputError("file not found; expected a polysomnogram (EDF/BDF/...)", where=str(psg))
    if hypnogram is not None and not hypnogram.exists():
        raise InputError("hypnogram file not found", where=str(hypnogram))
    results = score_sleep(psg, hypnogram=hypnogram, rules=rules, montage=montage, auto_stage=False if no_auto_stage else None)
    written = write_sleep_outputs(results, out)
    summary = results.to_dict()
    if as_json:
        typer.echo(json.dumps(summary))
        return
    console = Console()
    table = Table(title=f"sleep motor events ({summary['rules']}, stages: {summary['stages_source']})")
    table.add_column("measure")
    table.add_column("value", justify="right")

    def fmt(v):
        return "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))

    for key in ("total_sleep_time_h", "lm_count", "plm_count", "plms_index_per_h", "plmw_index_per_h",
                "periodicity_index", "hypnic_jerk_count"):
        table.add_row(key, fmt(summary[key]))
    table.add_row("efm per min NREM", fmt(summary["efm"]["per_min"]))
    table.add_row("efm excessive", fmt(summary["efm"]["excessive"]))
    console.print(table)
    for w in summary["warnings"]:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    console.print(f"wrote {len(written)} files to {out}", highlight=False)
