"""``myoclonus simulate``: a synthetic polymyography recording (EDF+) with its ground truth."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from myoclonus.cli import app


@app.command()
def simulate(
    origin: str = typer.Option(..., "--origin", help="cortical | cortical_subcortical | subcortical | spinal_segmental | propriospinal | peripheral | functional | none"),
    out: Path = typer.Option(..., "--out", help="EDF+ file to write; the ground truth goes to <stem>.truth.json beside it."),
    negative: bool = typer.Option(False, "--negative", help="Add negative myoclonus (silent periods of 50-300 ms in tonic EMG)."),
    minutes: float = typer.Option(2.0, "--minutes", help="Recording length in minutes."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives a byte-identical file."),
    fs: float = typer.Option(2048.0, "--fs", help="Sampling rate in Hz."),
    n_jerks: int = typer.Option(None, "--n-jerks", help="Number of spontaneous jerks (default: the recipe's rate)."),
    clean: bool = typer.Option(False, "--clean", help="No confounders (amplifier noise only)."),
    no_stimuli: bool = typer.Option(False, "--no-stimuli", help="Do not deliver stimuli."),
    acc: bool = typer.Option(False, "--acc", help="Add a right-hand accelerometer channel (ACC R HAND)."),
    ecg: bool = typer.Option(False, "--ecg", help="Add an ECG lead (ECG) carrying the heartbeats of the trunk channels."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary instead of a table."),
) -> None:
    """Simulate polymyography (EMG, EEG, stimuli) of one myoclonus origin with ground truth. Synthetic data, for testing and teaching."""
    from myoclonus.errors import InputError
    from myoclonus.simulate import Confounders
    from myoclonus.simulate import simulate as run

    if out.suffix.lower() != ".edf":
        raise InputError(f"expected a file name ending in .edf, got {out.name!r}", where="--out")
    sim = run(origin, minutes=minutes, seed=seed, sfreq_hz=fs, negative=negative, n_jerks=n_jerks,
              confounders=Confounders.off() if clean else None, stimuli=not no_stimuli, accelerometer=acc,
              ecg_lead=ecg)
    edf, truth_path = sim.write(out)
    t = sim.truth
    summary = {"edf": str(edf), "truth": str(truth_path), "origin": t.origin, "negative": t.negative, "seed": t.seed,
               "sfreq_hz": t.sfreq_hz, "duration_s": t.duration_s, "jerks": len(t.jerks), "bursts": len(t.bursts),
               "silent_periods": len(t.silent_periods), "stimuli": len(t.stimuli), "artefacts": len(t.artefacts),
               "mains_hz": t.mains_hz}
    if as_json:
        typer.echo(json.dumps(summary))
        return
    table = Table(title=f"simulated {t.origin} myoclonus ({t.duration_s:g} s at {t.sfreq_hz:g} Hz)")
    table.add_column("item")
    table.add_column("value", justify="right")
    for key in ("jerks", "bursts", "silent_periods", "stimuli", "artefacts", "mains_hz"):
        table.add_row(key, str(summary[key]))
    console = Console()
    console.print(table)
    console.print(f"wrote {edf} and {truth_path.name}", highlight=False)
