"""Write the outputs of ``myoclonus sleep`` (CONTRACTS §4), all at once or not at all.

- ``sleep_events.tsv``: BIDS events (``onset``, ``duration``, ``trial_type``, ``channel``,
  ``stage``, ``plm_series``; ``respiratory`` / ``arousal`` when those annotations exist; ``peak_uv``).
- ``sleep.json``: ``myoclonus.sleep/1``.
- ``sleep_annotations.edf``: annotation-only EDF+ (descriptions ``myoclonus/limb_movement``,
  ``myoclonus/plm``, ``myoclonus/fragmentary_myoclonus``, ``myoclonus/hypnic_jerk``, each with
  ``@@channel``; a single ``myoclonus/no_events`` when nothing was found), with an anonymous header;
  onsets from the start of the PSG.
- ``hypnogram.png`` and ``hypnogram.svg``: hypnogram with LMs and PLM series marked.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from myoclonus.atomic import staged_directory
from myoclonus.signals.sleep.scoring import SleepResults

__all__ = ["events_table", "write_events_tsv", "annotations_edf_bytes", "write_sleep_outputs", "OUTPUT_FILES"]

OUTPUT_FILES = ("sleep_events.tsv", "sleep.json", "sleep_annotations.edf", "hypnogram.png", "hypnogram.svg")


def _flag(x) -> str:
    return "" if x is None else str(int(bool(x)))


def events_table(results: SleepResults) -> pd.DataFrame:
    """Events as the ``sleep_events.tsv`` table (missing values are empty strings)."""
    cols = ["onset", "duration", "trial_type", "channel", "stage", "plm_series"]
    if results.has_respiratory_annotations:
        cols.append("respiratory")
    if results.has_arousal_annotations:
        cols.append("arousal")
    cols.append("peak_uv")
    rows = []
    for e in results.events():
        row = {"onset": f"{e['onset']:.4f}", "duration": f"{e['duration']:.4f}", "trial_type": e["trial_type"],
               "channel": e["channel"], "stage": e["stage"],
               "plm_series": "" if not e["plm_series"] else str(int(e["plm_series"])),
               "respiratory": _flag(e["respiratory"]), "arousal": _flag(e["arousal"]),
               "peak_uv": "" if e["peak_uv"] is None else f"{e['peak_uv']:.2f}"}
        rows.append([row[c] for c in cols])
    return pd.DataFrame(rows, columns=cols)


def write_events_tsv(results: SleepResults, path) -> None:
    """Write ``sleep_events.tsv`` to ``path``."""
    events_table(results).to_csv(path, sep="\t", index=False, lineterminator="\n")


def annotations_edf_bytes(results: SleepResults) -> bytes:
    """An annotation-only EDF+ file with every event (anonymous header)."""
    import tempfile

    import edfio

    ann = []
    for e in results.events():
        text = "myoclonus/" + e["trial_type"]
        if e["trial_type"] == "limb_movement" and e["plm_series"]:
            text = "myoclonus/plm"
        if e["channel"]:
            text += f"@@{e['channel']}"
        ann.append(edfio.EdfAnnotation(round(e["onset"], 4), round(e["duration"], 4), text))
    if not ann:  # an EDF needs signals or annotations: mark the file as scored, with no events
        ann.append(edfio.EdfAnnotation(0.0, None, "myoclonus/no_events"))
    edf = edfio.Edf([], annotations=ann)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "a.edf"
        edf.write(p)
        return p.read_bytes()


def write_sleep_outputs(results: SleepResults, out_dir, *, figures: bool = True) -> dict[str, Path]:
    """Write every output file into ``out_dir`` atomically; return name -> final path."""
    out = Path(out_dir)
    with staged_directory(out) as stage:
        write_events_tsv(results, stage / "sleep_events.tsv")
        (stage / "sleep.json").write_text(json.dumps(results.to_dict(), indent=2) + "\n", encoding="utf-8")
        (stage / "sleep_annotations.edf").write_bytes(annotations_edf_bytes(results))
        if figures:
            from myoclonus.signals.sleep.figures import plot_hypnogram

            fig = plot_hypnogram(results)
            for ext in ("png", "svg"):
                buf = io.BytesIO()
                fig.savefig(buf, format=ext, dpi=120, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
                (stage / f"hypnogram.{ext}").write_bytes(buf.getvalue())
            import matplotlib.pyplot as plt

            plt.close(fig)
        names = sorted(p.name for p in stage.iterdir())
    return {n: out / n for n in names}
