"""Background analysis of a case: recording and/or intake -> result files, with live progress in the database.

A case's analysis runs on a small executor (``analysis_workers`` threads; one recording per worker,
never split). Its outputs go to a new run folder ``cases/<id>/run-<n>/``, written all-or-nothing;
the case switches to the new folder and its result rows in one transaction at the end. A server
stopped mid-analysis leaves the case ``running`` with the previous results intact; at the next start
:meth:`AnalysisRunner.resume_unfinished` queues it again (inputs are stored, so it is re-run).
"""
from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from myoclonus.errors import InputError
from myoclonus.web.storage import Case, ResultFile, Upload, utcnow

__all__ = ["AnalysisRunner", "DOWNLOADS", "REPORT_FILES", "montage_from_yaml"]

logger = logging.getLogger(__name__)

#: Files a run may produce, with their media types (anything else is never served).
DOWNLOADS = {
    "findings.json": "application/json",
    "assessment.json": "application/json",
    "assessment_patient.json": "application/json",
    "bursts.tsv": "text/tab-separated-values",
    "jerks.tsv": "text/tab-separated-values",
    "annotations.edf": "application/octet-stream",
    "report.html": "text/html",
    "report_patient.html": "text/html",
}
REPORT_FILES = {"clinician": "report.html", "patient": "report_patient.html"}
_PROGRESS_MIN_INTERVAL_S = 0.3


class AnalysisRunner:
    """Runs case analyses in the background and records their progress and results.

    Parameters
    ----------
    sessions : sessionmaker
        Database sessions.
    data_dir : Path
        Root of every stored file.
    workers : int
        Analyses run at the same time.
    """

    def __init__(self, sessions: sessionmaker, data_dir: Path, *, workers: int = 1) -> None:
        self._sessions = sessions
        self._data_dir = Path(data_dir)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="myoclonus-analysis")

    def submit(self, case_id: str) -> Future:
        """Queue ``case_id`` (already marked ``queued`` by the caller)."""
        return self._pool.submit(self.run_case, case_id)

    def resume_unfinished(self) -> list[str]:
        """Queue again every case a stopped server left ``queued`` or ``running``."""
        with self._sessions.begin() as session:
            cases = session.scalars(select(Case).where(Case.status.in_(("queued", "running")))).all()
            ids = [c.id for c in cases]
            for case in cases:
                case.status, case.progress, case.stage = "queued", 0.0, "resumed after a restart"
        for case_id in ids:
            logger.info("resuming interrupted analysis of case %s", case_id)
            self.submit(case_id)
        return ids

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

    # ------------------------------------------------------------------------------------ one case

    def _progress(self, case_id: str, stage: str, lo: float, hi: float):
        last = {"t": 0.0, "value": -1.0}

        def report(fraction: float) -> None:
            value = lo + (hi - lo) * min(max(float(fraction), 0.0), 1.0)
            now = time.monotonic()
            if now - last["t"] < _PROGRESS_MIN_INTERVAL_S and value - last["value"] < 0.05:
                return
            last.update(t=now, value=value)
            self._set(case_id, progress=value, stage=stage)

        return report

    def _set(self, case_id: str, **values: Any) -> None:
        with self._sessions.begin() as session:
            case = session.get(Case, case_id)
            if case is not None:
                for key, value in values.items():
                    setattr(case, key, value)
                case.updated_at = utcnow()

    def run_case(self, case_id: str) -> str:
        """Analyse one case; returns its final status (``done`` or ``failed``)."""
        with self._sessions.begin() as session:
            case = session.get(Case, case_id)
            if case is None:
                return "failed"
            case.status, case.progress, case.stage, case.error = "running", 0.0, "starting", None
            case.runs += 1
            run_name = f"run-{case.runs}"
            intake_json, montage_yaml = case.intake_json, case.montage_yaml
            upload = session.get(Upload, case.recording_id) if case.recording_id is not None else None
            recording_path = (self._data_dir / upload.stored_path) if upload is not None else None
            shown_name = upload.original_name if upload is not None else None
        run_rel = Path("cases") / case_id / run_name
        try:
            written = self._produce(case_id, self._data_dir / run_rel, recording_path, intake_json, montage_yaml)
        except InputError as exc:
            message = str(exc)
            if recording_path is not None and shown_name:  # name the file as the user knows it, not by its hash
                message = message.replace(str(recording_path.parent) + os.sep, "").replace(recording_path.name, shown_name)
            logger.info("case %s failed: %s", case_id, message)
            self._set(case_id, status="failed", stage="failed", error=message)
            return "failed"
        except Exception as exc:  # noqa: BLE001 - any crash must leave the case 'failed', with the reason
            logger.exception("case %s: analysis crashed", case_id)
            self._set(case_id, status="failed", stage="failed",
                      error=f"the analysis stopped with an internal error ({type(exc).__name__}: {exc}).")
            return "failed"
        with self._sessions.begin() as session:
            case = session.get(Case, case_id)
            for old in list(case.files):
                session.delete(old)
            session.flush()
            for path in written:
                session.add(ResultFile(case_id=case_id, name=path.name, sha256=_sha256(path),
                                       size_bytes=path.stat().st_size, created_at=utcnow()))
            case.run_dir = run_rel.as_posix()
            case.status, case.progress, case.stage, case.updated_at = "done", 1.0, "done", utcnow()
        return "done"

    def _produce(self, case_id: str, out_dir: Path, recording: Path | None, intake_json: str | None,
                 montage_yaml: str | None) -> list[Path]:
        from myoclonus.atomic import staged_directory
        from myoclonus.clinical.engine import assess
        from myoclonus.clinical.presentation import parse_intake
        from myoclonus.report.html import write_reports

        intake = parse_intake(json.loads(intake_json), where="intake") if intake_json else None
        if recording is None and intake is None:
            raise InputError("nothing to analyse: fill in the intake form or upload a recording first.", where="case")
        if recording is not None:
            from myoclonus.pipeline import analyze_to_folder

            result = analyze_to_folder(recording, out_dir, intake=intake, montage=montage_from_yaml(montage_yaml),
                                       title=f"Case {case_id}", annotated_edf="annotations.edf",
                                       progress=self._progress(case_id, "analysing the recording", 0.0, 0.9))
            written = list(result.written)
            if result.patient_assessment is not None:
                with staged_directory(out_dir) as stage:
                    (stage / "assessment_patient.json").write_text(
                        json.dumps(result.patient_assessment, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                written.append(out_dir / "assessment_patient.json")
            return [p for p in written if p.name in DOWNLOADS]
        self._set(case_id, progress=0.3, stage="assessing the presentation")
        assessment = assess(intake, audience="clinician").to_dict()
        patient = assess(intake, audience="patient").to_dict()
        self._set(case_id, progress=0.9, stage="writing reports")
        with staged_directory(out_dir) as stage:
            for name, doc in (("assessment.json", assessment), ("assessment_patient.json", patient)):
                (stage / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            names = write_reports(stage, None, assessment, patient, title=f"Case {case_id}")
            produced = sorted(p.name for p in stage.iterdir() if p.is_file())
        names = sorted(set(produced) | set(names))
        return [out_dir / n for n in names if n in DOWNLOADS]


def montage_from_yaml(text: str | None) -> Any:
    """A :class:`~myoclonus.signals.montage.Montage` from ``myoclonus.montage/1`` YAML text (None when empty)."""
    if not text:
        return None
    import yaml

    from myoclonus.signals.montage import montage_from_dict

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"the montage is not valid YAML ({exc})", where="montage") from None
    return montage_from_dict(data, where="montage")


def _sha256(path: Path) -> str:
    from myoclonus.signals.export import file_sha256

    return file_sha256(path)
