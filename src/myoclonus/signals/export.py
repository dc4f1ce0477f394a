"""Output files of ``myoclonus analyze`` (CONTRACTS.md §3), written all-or-nothing.

- ``bursts.tsv``: BIDS events columns ``onset`` (s), ``duration`` (s), ``trial_type``
  (``burst`` | ``silent_period``), then ``channel``, ``muscle``, ``side``, ``peak_uv``, ``area_uvs``;
  missing values are ``n/a`` (BIDS).
- ``jerks.tsv``: ``onset``, ``duration``, ``trial_type`` = ``jerk``, ``n_muscles``, ``first_muscle``,
  ``muscles`` (comma list in order of onset), ``spread_ms``.
- ``findings.json``: ``myoclonus.findings/1`` (built by :func:`build_findings`).
- ``assessment.json`` when an intake was given (``myoclonus.assessment/1``).
- ``report.html`` comes from the report package (see :func:`write_outputs`).

Every file goes through :func:`myoclonus.atomic.staged_directory`: on any error nothing in the
output folder changes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from myoclonus._version import __version__
from myoclonus.atomic import staged_directory

if TYPE_CHECKING:
    from myoclonus.signals.analysis import Analysis

__all__ = [
    "FINDINGS_SCHEMA",
    "BURSTS_COLUMNS",
    "JERKS_COLUMNS",
    "bursts_table",
    "jerks_table",
    "build_findings",
    "write_outputs",
    "file_sha256",
    "to_jsonable",
]

FINDINGS_SCHEMA = "myoclonus.findings/1"
BURSTS_COLUMNS = ["onset", "duration", "trial_type", "channel", "muscle", "side", "peak_uv", "area_uvs"]
JERKS_COLUMNS = ["onset", "duration", "trial_type", "n_muscles", "first_muscle", "muscles", "spread_ms"]
DISCLAIMER = "Decision support, not a diagnosis: a clinician must review the recording and these measurements."

# Printed precision of the TSV columns: 1 µs for times (finer than one sample at any EMG rate).
_FORMATS = {"onset": "{:.6f}", "duration": "{:.6f}", "peak_uv": "{:.2f}", "area_uvs": "{:.5g}", "spread_ms": "{:.1f}"}


# -------------------------------------------------------------------------------------------- TSV


def _events_frame(results: Any) -> pd.DataFrame:
    if results is None:
        return pd.DataFrame()
    frame = results.summary() if hasattr(results, "summary") else results
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)


def bursts_table(bursts: Any, silent_periods: Any = None) -> pd.DataFrame:
    """Bursts and silent periods as one BIDS events table (``bursts.tsv`` columns).

    Parameters
    ----------
    bursts, silent_periods : results with ``summary()`` or DataFrames
        Rows with ``channel, muscle, side, onset_s, offset_s`` (+ ``peak_uv, area_uvs`` for bursts).
    """
    parts = []
    for results, trial_type in ((bursts, "burst"), (silent_periods, "silent_period")):
        ev = _events_frame(results)
        if not len(ev):
            continue
        part = pd.DataFrame(
            {
                "onset": ev["onset_s"].to_numpy(float),
                "duration": ev["offset_s"].to_numpy(float) - ev["onset_s"].to_numpy(float),
                "trial_type": trial_type,
                "channel": ev["channel"].astype(str).to_numpy(),
                "muscle": ev["muscle"].to_numpy() if "muscle" in ev else None,
                "side": ev["side"].to_numpy() if "side" in ev else None,
                "peak_uv": ev["peak_uv"].to_numpy(float) if "peak_uv" in ev else np.nan,
                "area_uvs": ev["area_uvs"].to_numpy(float) if "area_uvs" in ev else np.nan,
            }
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=BURSTS_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["onset", "trial_type", "channel"], kind="stable").reset_index(drop=True)[BURSTS_COLUMNS]


def jerks_table(jerks: Any) -> pd.DataFrame:
    """Jerks as a BIDS events table (``jerks.tsv`` columns).

    Parameters
    ----------
    jerks : JerkResults or DataFrame
        Rows with ``onset_s, duration_s`` (or ``offset_s``), ``n_muscles, first_muscle,
        muscles`` (sequence or comma string, in onset order) and ``spread_ms``.
    """
    ev = _events_frame(jerks)
    if not len(ev):
        return pd.DataFrame(columns=JERKS_COLUMNS)
    onset = ev["onset_s"].to_numpy(float)
    duration = ev["duration_s"].to_numpy(float) if "duration_s" in ev else ev["offset_s"].to_numpy(float) - onset
    muscles = [m if isinstance(m, str) else ",".join(str(x) for x in m) for m in ev["muscles"]]
    table = pd.DataFrame(
        {
            "onset": onset,
            "duration": duration,
            "trial_type": "jerk",
            "n_muscles": ev["n_muscles"].astype(int).to_numpy(),
            "first_muscle": ev["first_muscle"].astype(str).to_numpy(),
            "muscles": muscles,
            "spread_ms": ev["spread_ms"].to_numpy(float),
        }
    )
    return table.sort_values("onset", kind="stable").reset_index(drop=True)[JERKS_COLUMNS]


def tsv_text(table: pd.DataFrame) -> str:
    """A BIDS TSV: tab-separated, header line, ``n/a`` for missing values, fixed precision."""
    lines = ["\t".join(table.columns)]
    for row in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("n/a")
            elif column in _FORMATS and isinstance(value, (float, np.floating)):
                cells.append(_FORMATS[column].format(value))
            else:
                cells.append(str(value).replace("\t", " "))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- JSON


def to_jsonable(obj: Any) -> Any:
    """Convert results (dataclasses, NumPy, pandas, pydantic) to plain JSON values; NaN -> None."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return [to_jsonable(x) for x in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    for method in ("as_dict", "to_dict"):
        if hasattr(obj, method) and callable(getattr(obj, method)) and not isinstance(obj, Mapping):
            return to_jsonable(getattr(obj, method)())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return str(obj)


def file_sha256(path: str | os.PathLike, *, chunk_bytes: int = 1 << 22) -> str:
    """SHA-256 of a file, read in 4 MiB pieces (bounded memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def _duration_stats(durations_ms: np.ndarray) -> dict[str, Any]:
    d = np.asarray(durations_ms, dtype=float)
    d = d[np.isfinite(d)]
    if not d.size:
        return {"count": 0, "median_duration_ms": None, "iqr_duration_ms": None, "q1_duration_ms": None, "q3_duration_ms": None}
    q1, med, q3 = np.percentile(d, [25, 50, 75])
    return {
        "count": int(d.size),
        "median_duration_ms": float(med),
        "iqr_duration_ms": float(q3 - q1),
        "q1_duration_ms": float(q1),
        "q3_duration_ms": float(q3),
    }


def _rhythm_section(rhythm: Any) -> Any:
    """Rhythm statistics without the per-interval list (one value per jerk: derivable from jerks.tsv)."""
    section = to_jsonable(rhythm)
    if isinstance(section, dict):
        section.pop("intervals_s", None)
    return section


def muscle_statistics(analysis: Analysis) -> list[dict[str, Any]]:
    """Per analysed EMG channel: burst and silent-period counts, median and IQR durations (ms)."""
    bursts = _events_frame(analysis.bursts)
    silent = _events_frame(analysis.silent_periods)
    status = getattr(analysis.bursts, "channel_status", {}) or {}
    rows = []
    for ch in analysis.recording.channels:
        if ch.kind != "emg":
            continue
        b = bursts[bursts["channel"] == ch.name] if len(bursts) else bursts
        s = silent[silent["channel"] == ch.name] if len(silent) else silent
        row = {"channel": ch.name, "label": ch.label, "muscle": ch.muscle, "side": ch.side,
               "analysed": ch.name in analysis.emg_channels}
        row["bursts"] = _duration_stats(b["duration_ms"].to_numpy(float) if len(b) else np.empty(0))
        row["silent_periods"] = _duration_stats(s["duration_ms"].to_numpy(float) if len(s) else np.empty(0))
        if ch.name in status:
            row["status"] = to_jsonable(status[ch.name])
        rows.append(row)
    return rows


def build_findings(analysis: Analysis) -> dict[str, Any]:
    """The ``myoclonus.findings/1`` document of one analysis.

    Sections: ``software``, ``input`` (SHA-256, format, rate, duration; never header identifiers),
    ``channels`` and ``unmapped``, ``muscles`` (per-channel burst / silent-period statistics),
    ``bursts``, ``silent_periods``, ``jerks``, ``recruitment``, ``rhythm``, ``stimuli``,
    ``warnings``, ``settings``, and ``origin`` (filled by the neurophysiology / origin stage; when no
    jerk was found it is ``[{"label": "none", ...}]``).
    """
    rec = analysis.recording
    bursts = _events_frame(analysis.bursts)
    silent = _events_frame(analysis.silent_periods)
    jerks = analysis.jerks
    n_jerks = len(_events_frame(jerks))
    findings: dict[str, Any] = {
        "schema": FINDINGS_SCHEMA,
        "software": {"name": "myoclonus", "version": __version__},
        "disclaimer": DISCLAIMER,
        "input": {
            "sha256": analysis.input_sha256,
            "format": rec.source_path.suffix.lower().lstrip(".") if rec.source_path else "in-memory",
            "sfreq_hz": rec.sfreq,
            "n_times": rec.n_times,
            "duration_s": rec.duration_s,
            "n_channels": len(rec.channels),
        },
        "channels": [
            {"name": c.name, "kind": c.kind, "muscle": c.muscle, "side": c.side, "level": c.level, "nerve": c.nerve}
            for c in rec.channels
        ],
        "unmapped": list(rec.unmapped),
        "muscles": muscle_statistics(analysis),
        "bursts": {
            **_duration_stats(bursts["duration_ms"].to_numpy(float) if len(bursts) else np.empty(0)),
            "mains_hz": to_jsonable(getattr(analysis.bursts, "mains_hz", None)),
            "ecg_reference": to_jsonable(getattr(analysis.bursts, "ecg_reference", None)),
        },
        "silent_periods": _duration_stats(silent["duration_ms"].to_numpy(float) if len(silent) else np.empty(0)),
        "jerks": {"count": n_jerks},
        "recruitment": to_jsonable(getattr(jerks, "recruitment", None)),
        "agonist_antagonist": to_jsonable(getattr(jerks, "patterns", None)),
        "rhythm": _rhythm_section(analysis.rhythm),
        "stimuli": {
            "count": len(rec.stimuli),
            "labels": sorted({s.label for s in rec.stimuli}),
        },
        "warnings": list(analysis.warnings),
        "settings": analysis.settings.model_dump(mode="json"),
    }
    if n_jerks == 0:
        findings["origin"] = [
            {
                "label": "none",
                "probability": 1.0,
                "for": ["no jerk (grouped EMG burst) was detected in the recording"],
                "against": [],
            }
        ]
    return findings


# --------------------------------------------------------------------------------------- writing

#: Writes ``report.html`` (and any other report files) into the staging folder:
#: ``(analysis, stage_dir) -> list of names written | None``; see myoclonus.report.html.report_writer.
ReportWriter = Callable[["Analysis", Path], "list[str] | None"]


def write_outputs(
    analysis: Analysis,
    out_dir: str | os.PathLike,
    *,
    assessment: Mapping[str, Any] | None = None,
    report_writer: ReportWriter | None = None,
) -> list[Path]:
    """Write ``bursts.tsv``, ``jerks.tsv``, ``findings.json`` (+ ``assessment.json``, ``report.html``).

    All files are staged and moved into ``out_dir`` only when every one was written.

    Returns
    -------
    list of pathlib.Path
        The files written, in ``out_dir``.
    """
    out = Path(out_dir)
    names = []
    with staged_directory(out) as stage:
        (stage / "bursts.tsv").write_text(tsv_text(bursts_table(analysis.bursts, analysis.silent_periods)), encoding="utf-8")
        names.append("bursts.tsv")
        (stage / "jerks.tsv").write_text(tsv_text(jerks_table(analysis.jerks)), encoding="utf-8")
        names.append("jerks.tsv")
        findings_text = json.dumps(analysis.findings, indent=2, ensure_ascii=False, allow_nan=False)
        (stage / "findings.json").write_text(findings_text + "\n", encoding="utf-8")
        names.append("findings.json")
        if assessment is not None:
            (stage / "assessment.json").write_text(json.dumps(assessment, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            names.append("assessment.json")
        # report.html (+ report_patient.html, derivatives/): written by the report package through
        # `report_writer` (myoclonus.report.html.report_writer), which returns the names it wrote.
        if report_writer is not None:
            names += list(report_writer(analysis, stage) or ["report.html"])
    return [out / n for n in names]
