"""Many recordings on Dask: one recording per task, resumable, one study table.

A recording whose outputs exist with the same input hash and settings hash is skipped; a failing
recording records its error in the table and the batch goes on; every per-recording output and
the ``done.json`` marker are written atomically, so killing the batch loses nothing finished.
One recording is never split across workers (DESIGN.md, Scale).
"""
from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from myoclonus._version import __version__
from myoclonus.atomic import atomic_path, remove_stale_temporaries, write_text_atomic
from myoclonus.errors import InputError, MyoclonusError
from myoclonus.settings import AnalysisSettings

logger = logging.getLogger(__name__)

__all__ = [
    "RECORDING_SUFFIXES",
    "BatchItem",
    "BatchSummary",
    "discover_recordings",
    "input_hash",
    "settings_hash",
    "process_recording",
    "run_batch",
]

#: File endings taken as one recording each (companion files such as ``.eeg``/``.vmrk`` of a
#: BrainVision header or the ``.dat`` of a WFDB header are hashed with their header, not listed).
RECORDING_SUFFIXES = (".edf", ".bdf", ".vhdr", ".fif", ".fif.gz", ".set", ".hea", ".mat", ".cnt", ".gdf")
_COMPANIONS = {".vhdr": (".eeg", ".vmrk"), ".hea": (".dat",), ".set": (".fdt",)}
DONE_MARKER = "done.json"
STATUS = ("done", "skipped", "failed", "duplicate")


@dataclass(frozen=True)
class BatchItem:
    """One recording to analyse, with where its outputs go."""

    path: str
    input_hash: str
    settings_hash: str
    out_dir: str
    montage: str | None = None
    intake: str | None = None


@dataclass
class BatchSummary:
    """What a batch did: one row per input, and where the study table is."""

    rows: list[dict]
    table_csv: Path
    table_parquet: Path
    elapsed_s: float
    counts: dict[str, int] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The study table as a DataFrame (one row per recording)."""
        return _study_frame(self.rows)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".fif.gz" if name.endswith(".fif.gz") else path.suffix.lower()


def _is_recording(path: Path) -> bool:
    return path.is_file() and _suffix(path) in RECORDING_SUFFIXES


def discover_recordings(patterns: Iterable[str]) -> tuple[list[Path], list[dict]]:
    """Expand files, folders (searched recursively) and glob patterns into recording paths.

    Returns
    -------
    paths : list of Path
        Recordings found, in a stable order, each once.
    problems : list of dict
        One failed row per pattern that matched nothing or per path that cannot be read.
    """
    found: list[Path] = []
    problems: list[dict] = []
    for pattern in patterns:
        candidate = Path(pattern)
        if candidate.is_dir():
            matches = sorted(p for p in candidate.rglob("*") if _is_recording(p))
        elif candidate.exists():
            matches = [candidate]
        else:
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if _is_recording(Path(p)))
        if not matches:
            problems.append(_failed_row(pattern, f"no recording at '{pattern}' (no such file, or the pattern matched nothing)"))
        for path in matches:
            if not os.access(path, os.R_OK):
                problems.append(_failed_row(str(path), "file is not readable (permission denied)"))
            elif path.resolve() not in {p.resolve() for p in found}:
                found.append(path)
    return found, problems


def input_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a recording and its companion files (BrainVision data/markers, WFDB data)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = [path] + [path.with_suffix(s) for s in _COMPANIONS.get(_suffix(path), ()) if path.with_suffix(s).exists()]
    for member in files:
        digest.update(_suffix(member).encode())
        with open(member, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def settings_hash(settings: AnalysisSettings, montage: str | os.PathLike | None = None, intake: str | None = None) -> str:
    """SHA-256 of everything besides the recording that changes the outputs."""
    digest = hashlib.sha256(settings.model_dump_json().encode())
    digest.update(__version__.encode())
    for extra in (montage, intake):
        if extra is not None:
            digest.update(Path(extra).read_bytes())
    return digest.hexdigest()


def _failed_row(path: str, error: str) -> dict:
    return {"recording": path, "status": "failed", "error": error}


def _read_marker(out_dir: Path) -> dict | None:
    marker = out_dir / DONE_MARKER
    if not marker.is_file():
        return None
    try:
        return json.loads(marker.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def process_recording(item: BatchItem) -> dict:
    """Analyse one recording into ``item.out_dir`` and return its study-table row.

    Runs inside a Dask worker. Never raises for a bad recording: the error goes into the row.
    """
    from myoclonus.pipeline import analyze_to_folder

    out_dir = Path(item.out_dir)
    marker = _read_marker(out_dir)
    if marker and marker.get("input_hash") == item.input_hash and marker.get("settings_hash") == item.settings_hash:
        return {**marker["row"], "status": "skipped"}
    # a run killed while writing this recording left its temporaries: this task owns the folder
    removed = remove_stale_temporaries(out_dir)
    if removed:
        logger.info("removed %d temporaries of an interrupted run in %s", removed, out_dir)
    started = time.perf_counter()
    try:
        intake = None
        if item.intake:
            from myoclonus.clinical.presentation import load_intake

            intake = load_intake(item.intake)
        analysis = analyze_to_folder(item.path, out_dir, intake=intake, montage=item.montage).analysis
    except (MyoclonusError, OSError, ValueError) as exc:
        return {**_failed_row(item.path, f"{type(exc).__name__}: {exc}"), "input_hash": item.input_hash}
    except Exception as exc:  # a recording must never stop the batch  # noqa: BLE001
        logger.exception("unexpected failure on %s", item.path)
        return {**_failed_row(item.path, f"internal error {type(exc).__name__}: {exc}"), "input_hash": item.input_hash}
    row = {
        "recording": item.path,
        "status": "done",
        "error": "",
        "input_hash": item.input_hash,
        "output_dir": str(out_dir),
        "elapsed_s": round(time.perf_counter() - started, 3),
        **study_row(analysis.findings),
    }
    write_text_atomic(
        out_dir / DONE_MARKER,
        json.dumps({"input_hash": item.input_hash, "settings_hash": item.settings_hash, "row": row}, indent=1, default=str),
    )
    return row


def study_row(findings: dict) -> dict:
    """Flatten one ``myoclonus.findings/1`` object into study-table columns."""
    source = findings["input"]
    duration_s = float(source["duration_s"])
    n_jerks = int(findings["jerks"]["count"])
    n_bursts = int(findings["bursts"]["count"])
    per_hour = 3600.0 / duration_s if duration_s > 0 else float("nan")
    origin = findings.get("origin") or [{"label": None, "probability": None}]
    rhythm = findings.get("rhythm") or {}
    row = {
        "duration_s": duration_s,
        "n_channels": source["n_channels"],
        "n_emg_channels": len(findings["muscles"]),
        "jerk_count": n_jerks,
        "burst_count": n_bursts,
        "jerks_per_h": n_jerks * per_hour,
        "bursts_per_h": n_bursts * per_hour,
        "rhythm_cv": rhythm.get("cv"),
        "rhythm_dominant_hz": rhythm.get("dominant_frequency_hz"),
        "origin_top1": origin[0]["label"],
        "origin_probability": origin[0]["probability"],
        "warnings": "; ".join(findings["warnings"]),
    }
    for muscle in findings["muscles"]:
        label, stats = muscle["label"], muscle["bursts"]
        row[f"bursts[{label}]"] = stats["count"]
        row[f"burst_median_ms[{label}]"] = stats["median_duration_ms"]
        row[f"burst_iqr_ms[{label}]"] = stats["iqr_duration_ms"]
    return row


_FIRST_COLUMNS = ["recording", "status", "error", "duration_s", "n_channels", "n_emg_channels", "jerk_count",
                  "burst_count", "jerks_per_h", "bursts_per_h", "rhythm_cv", "rhythm_dominant_hz",
                  "origin_top1", "origin_probability", "warnings"]


def _study_frame(rows: Sequence[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    first = [c for c in _FIRST_COLUMNS if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in first)
    return frame[first + rest]


def _write_study_table(rows: Sequence[dict], out_dir: Path) -> tuple[Path, Path]:
    frame = _study_frame(rows)
    csv_path, parquet_path = out_dir / "study.csv", out_dir / "study.parquet"
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False)
    with atomic_path(parquet_path) as tmp:
        frame.astype({c: "string" for c in ("recording", "status", "error", "warnings", "origin_top1") if c in frame}).to_parquet(tmp, index=False)
    return csv_path, parquet_path


def _output_dir_for(out_dir: Path, path: Path, digest: str) -> Path:
    stem = path.name.split(".")[0] or "recording"
    return out_dir / "recordings" / f"{stem}-{digest[:10]}"


def _plan(paths: Sequence[Path], out_dir: Path, settings: AnalysisSettings, montage: str | None,
          intake_dir: str | None) -> tuple[list[BatchItem], list[dict]]:
    items: list[BatchItem] = []
    rows: list[dict] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            digest = input_hash(path)
        except OSError as exc:
            rows.append(_failed_row(str(path), f"cannot read file: {exc.strerror or exc}"))
            continue
        if digest in seen:
            rows.append({"recording": str(path), "status": "duplicate", "error": f"same content as {seen[digest]}", "input_hash": digest})
            continue
        seen[digest] = str(path)
        intake = None
        if intake_dir is not None:
            stem = path.name.split(".")[0]
            matches = [p for p in (Path(intake_dir) / f"{stem}{ext}" for ext in (".yaml", ".yml", ".json")) if p.is_file()]
            intake = str(matches[0]) if matches else None
        items.append(BatchItem(
            path=str(path), input_hash=digest, settings_hash=settings_hash(settings, montage, intake),
            out_dir=str(_output_dir_for(out_dir, path, digest)), montage=montage, intake=intake,
        ))
    return items, rows


def run_batch(
    patterns: Sequence[str],
    out_dir: str | os.PathLike,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    montage: str | None = None,
    intake_dir: str | None = None,
    settings: AnalysisSettings | None = None,
    on_result: Callable[[dict, int, int], None] | None = None,
) -> BatchSummary:
    """Analyse every recording matched by ``patterns`` on Dask and write the study table.

    Parameters
    ----------
    patterns : sequence of str
        Files, folders (searched recursively) or glob patterns.
    out_dir : path
        Per-recording outputs go to ``out_dir/recordings/<name>-<hash>/``; the study table to
        ``out_dir/study.csv`` and ``out_dir/study.parquet``.
    workers : int, optional
        Worker processes of the local Dask cluster (default: one per core).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); overrides ``workers``.
    on_result : callable, optional
        Called as ``on_result(row, n_finished, n_total)`` after each recording (progress display).
    """
    from dask.distributed import Client, LocalCluster, as_completed

    settings = settings or AnalysisSettings()
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", where="batch")
    if montage is not None and not Path(montage).is_file():
        raise InputError("montage file not found", where=str(montage))
    if intake_dir is not None and not Path(intake_dir).is_dir():
        raise InputError("intake folder not found", where=str(intake_dir))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".study.*.part"):  # a killed run's half-written study table
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    paths, rows = discover_recordings(patterns)
    items, plan_rows = _plan(paths, out, settings, montage, intake_dir)
    rows += plan_rows
    total = len(items)
    if items:
        if scheduler:
            client, cluster = Client(scheduler), None
        else:
            # dashboard on a free local port (":0"): never collides with another cluster's 8787
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=":0")
            client = Client(cluster)
            logger.info("Dask dashboard: %s", client.dashboard_link)
        try:
            futures = client.map(process_recording, items, pure=False)
            item_of = {future.key: item for future, item in zip(futures, items)}
            for n_done, future in enumerate(as_completed(futures), start=1):
                item = item_of[future.key]
                try:
                    row = future.result()
                except Exception as exc:  # worker died (e.g. out of memory)  # noqa: BLE001
                    row = _failed_row(item.path, f"worker failed: {type(exc).__name__}: {exc}")
                rows.append(row)
                if on_result is not None:
                    on_result(row, n_done, total)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    csv_path, parquet_path = _write_study_table(rows, out)
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUS}
    return BatchSummary(rows=rows, table_csv=csv_path, table_parquet=parquet_path,
                        elapsed_s=time.perf_counter() - started, counts=counts)
