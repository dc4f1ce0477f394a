"""What the web app does to cases, shared by the JSON API and the HTML pages (one code path for both).

Every function takes the app's :class:`WebState` and returns plain data or raises
:class:`ServiceError` (an HTTP status and a message naming what was wrong).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import sessionmaker

from myoclonus.errors import InputError
from myoclonus.web.config import WebConfig
from myoclonus.web.runner import DOWNLOADS, REPORT_FILES, AnalysisRunner
from myoclonus.web.storage import Case, Upload, new_id, utcnow
from myoclonus.web.uploads import FORMAT_SUFFIX, ReceivedFile, extract_brainvision_zip

__all__ = ["WebState", "ServiceError", "create_case", "list_cases", "get_case", "case_summary", "save_intake",
           "results_summary", "store_recording", "set_montage", "start_analysis", "delete_case", "result_path", "report_path", "MAX_LABEL_CHARS"]

logger = logging.getLogger(__name__)
MAX_LABEL_CHARS = 200


class ServiceError(Exception):
    """A refused request: HTTP ``status``, a ``message`` for people, per-field ``fields`` messages."""

    def __init__(self, message: str, *, status: int = 400, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.fields = message, status, fields or {}


@dataclass
class WebState:
    """Everything a request needs: configuration, database sessions, the background runner."""

    config: WebConfig
    sessions: sessionmaker
    runner: AnalysisRunner

    @property
    def data_dir(self) -> Path:
        return Path(self.config.data_dir)


def _case(session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise ServiceError(f"no case with id {case_id!r}.", status=404)
    return case


def create_case(state: WebState, label: str = "") -> dict:
    """A new, empty case. ``label`` is a free note for finding the case again (no patient names)."""
    label = (label or "").strip()
    if len(label) > MAX_LABEL_CHARS:
        raise ServiceError(f"the label has {len(label)} characters; at most {MAX_LABEL_CHARS} are allowed.",
                           fields={"label": f"at most {MAX_LABEL_CHARS} characters"})
    now = utcnow()
    with state.sessions.begin() as session:
        case = Case(id=new_id(), label=label, created_at=now, updated_at=now, status="draft", progress=0.0, stage="",
                    runs=0)
        session.add(case)
        session.flush()
        return case_summary(case)


def list_cases(state: WebState, query: str = "", limit: int = 200) -> list[dict]:
    """Cases, newest first; ``query`` matches the label, the id or the status (case-insensitive)."""
    with state.sessions() as session:
        stmt = select(Case).order_by(Case.created_at.desc(), Case.id).limit(limit)
        if query.strip():
            term = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{term}%"
            stmt = stmt.where(or_(func.lower(Case.label).like(like, escape="\\"), Case.id.like(like, escape="\\"),
                                  Case.status.like(like, escape="\\")))
        return [case_summary(c) for c in session.scalars(stmt).unique().all()]


def get_case(state: WebState, case_id: str) -> dict:
    with state.sessions() as session:
        return case_summary(_case(session, case_id), detail=True)


def case_summary(case: Case, *, detail: bool = False) -> dict:
    """A case as JSON-ready data (what the API returns and the pages show)."""
    data: dict[str, Any] = {
        "id": case.id, "label": case.label, "status": case.status, "progress": round(case.progress or 0.0, 3),
        "stage": case.stage, "error": case.error, "created_at": case.created_at, "updated_at": case.updated_at,
        "has_intake": case.intake_json is not None,
        "recording": None,
        "files": [{"name": f.name, "sha256": f.sha256, "size_bytes": f.size_bytes} for f in case.files],
        "reports": [aud for aud, name in REPORT_FILES.items() if any(f.name == name for f in case.files)],
        "results_current": case.status == "done",
        "run": case.run_dir.rsplit("/", 1)[-1] if case.run_dir else None,
    }
    if case.recording is not None:
        rec = case.recording
        data["recording"] = {"name": rec.original_name, "format": rec.format, "size_bytes": rec.size_bytes,
                             "sha256": rec.sha256, **json.loads(rec.channels_json)}
    if detail:
        data["intake"] = json.loads(case.intake_json) if case.intake_json else None
        data["montage_yaml"] = case.montage_yaml
    return data


def results_summary(state: WebState, case_id: str) -> dict | None:
    """The headline of the current results (triage, leading origin and causes, jerk count), or None.

    Read from the stored ``assessment.json`` / ``findings.json`` of the case's current run.
    """
    with state.sessions() as session:
        case = _case(session, case_id)
        if case.run_dir is None:
            return None
        names = {f.name for f in case.files}
        run = state.data_dir / case.run_dir
    summary: dict[str, Any] = {}
    if "assessment.json" in names:
        assessment = json.loads((run / "assessment.json").read_text(encoding="utf-8"))
        summary["triage"] = assessment.get("triage", {}).get("level")
        summary["red_flags"] = [f.get("text", "") for f in assessment.get("red_flags", [])][:3]
        summary["origin"] = [(o["label"], o["probability"]) for o in assessment.get("origin", [])[:2]]
        summary["causes"] = [(c["id"], c.get("detail"), c["probability"]) for c in assessment.get("causes", [])[:3]]
    if "findings.json" in names:
        findings = json.loads((run / "findings.json").read_text(encoding="utf-8"))
        summary["duration_s"] = findings.get("input", {}).get("duration_s")
        summary["jerks"] = findings.get("jerks", {}).get("count")
        summary["bursts"] = findings.get("bursts", {}).get("count")
        if "origin" not in summary and findings.get("origin"):
            summary["origin"] = [(o["label"], o["probability"]) for o in findings["origin"][:2]]
    return summary


def save_intake(state: WebState, case_id: str, document: Any) -> dict:
    """Validate and store an intake document (``myoclonus.intake/1``)."""
    from myoclonus.web.intake_form import validate_document

    intake, errors = validate_document(document)
    if intake is not None and intake.neurophysiology:
        # a path would let a request read files on the server; the recording comes from the upload instead
        intake, errors = None, {"neurophysiology": "file paths are not accepted in the web app; upload the recording "
                                                   "to the case instead (its findings are merged automatically)."}
    if intake is None:
        first = next(iter(errors.items()))
        raise ServiceError(f"the intake is not valid: {first[0] or 'document'}: {first[1]}", status=422, fields=errors)
    with state.sessions.begin() as session:
        case = _case(session, case_id)
        _refuse_while_running(case)
        case.intake_json = json.dumps(document, ensure_ascii=False)
        case.status = "ready"  # earlier results (if any) no longer match the inputs
        case.updated_at = utcnow()
        return case_summary(case)


def _refuse_while_running(case: Case) -> None:
    if case.status in ("queued", "running"):
        raise ServiceError(f"case {case.id} is being analysed; wait until it is done.", status=409)


def _channel_report(path: Path, montage_yaml: str | None = None) -> dict:
    """Open the recording as the analysis will and describe its channel typing (no header identifiers)."""
    from myoclonus.signals.recording import read_recording
    from myoclonus.web.runner import montage_from_yaml

    rec = read_recording(path, montage=montage_from_yaml(montage_yaml))
    channels = [{"name": ch.name, "kind": str(ch.kind), "muscle": ch.muscle, "side": ch.side, "level": ch.level}
                for ch in rec.channels]
    return {"sfreq_hz": float(rec.sfreq), "duration_s": round(float(rec.duration_s), 3), "channels": channels,
            "unmapped": list(rec.unmapped), "warnings": list(rec.warnings)}


def store_recording(state: WebState, case_id: str, received: ReceivedFile, display_name: str) -> dict:
    """Check a received upload by reading it, file it under its content hash, attach it to the case.

    The received file is in ``incoming/``; on any refusal it is deleted and the database is unchanged.
    """
    cfg = state.config
    work = received.path.parent
    try:
        with state.sessions() as session:
            _refuse_while_running(_case(session, case_id))
        if received.format == "zip":
            readable = extract_brainvision_zip(received.path, work / "extracted", display_name=display_name,
                                               max_total_bytes=cfg.max_unzipped_bytes, max_ratio=cfg.max_zip_ratio,
                                               max_members=cfg.max_zip_members)
        else:
            readable = received.path
        try:
            channels = _channel_report(readable)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a refusal of this upload, with its reason
            reason = exc.message if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            reason = reason.replace(str(readable.parent) + os.sep, "").replace(str(readable.parent), "")
            logger.info("upload refused for case %s: %s", case_id, reason)
            raise ServiceError(f"{display_name}: cannot be read as a recording: {reason}", status=422) from None
        stored = _file_by_hash(state.data_dir, received, readable)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with state.sessions.begin() as session:
        case = _case(session, case_id)
        _refuse_while_running(case)
        upload = Upload(case_id=case_id, sha256=received.sha256, original_name=display_name,
                        size_bytes=received.size_bytes, format="brainvision" if received.format == "zip" else received.format,
                        stored_path=stored.relative_to(state.data_dir).as_posix(), channels_json=json.dumps(channels),
                        created_at=utcnow())
        session.add(upload)
        session.flush()
        case.recording_id = upload.id
        case.montage_yaml = None
        case.status = "ready"
        case.updated_at = utcnow()
        session.flush()
        session.refresh(case)
        return case_summary(case)


def _file_by_hash(data_dir: Path, received: ReceivedFile, readable: Path) -> Path:
    """Move the checked file (or extracted BrainVision folder) to ``recordings/<sha[:2]>/<sha>...``.

    Content-addressed: the same bytes uploaded twice are stored once; concurrent uploads of the same
    content are safe because the final rename is atomic and the loser's copy is simply dropped.
    """
    sha = received.sha256
    folder = data_dir / "recordings" / sha[:2]
    folder.mkdir(parents=True, exist_ok=True)
    if received.format == "zip":
        extracted = received.path.parent / "extracted"
        target_dir = folder / sha
        if not target_dir.exists():
            try:
                os.replace(extracted, target_dir)
            except OSError:
                if not target_dir.exists():
                    raise
        return target_dir / readable.relative_to(extracted)
    target = folder / (sha + FORMAT_SUFFIX[received.format])
    if not target.exists():
        os.replace(received.path, target)
    return target


def set_montage(state: WebState, case_id: str, montage_yaml: str | None) -> dict:
    """Check an explicit montage (``myoclonus.montage/1`` YAML) against the case's recording and keep it."""
    text = (montage_yaml or "").strip() or None
    with state.sessions() as session:
        case = _case(session, case_id)
        if case.recording is None:
            raise ServiceError("upload a recording before giving a montage.", status=409)
        path = state.data_dir / case.recording.stored_path
    if text is not None:
        try:
            channels = _channel_report(path, text)
        except InputError as exc:
            raise ServiceError(f"montage: {exc}", status=422, fields={"montage_yaml": str(exc)}) from None
    with state.sessions.begin() as session:
        case = _case(session, case_id)
        _refuse_while_running(case)
        case.montage_yaml = text
        case.status = "ready"
        if text is not None:
            case.recording.channels_json = json.dumps(channels)  # type: ignore[union-attr]
        case.updated_at = utcnow()
        return case_summary(case, detail=True)


def start_analysis(state: WebState, case_id: str) -> dict:
    """Queue the case's analysis (recording and/or intake); progress is then read from its status."""
    with state.sessions.begin() as session:
        case = _case(session, case_id)
        _refuse_while_running(case)
        if case.intake_json is None and case.recording_id is None:
            raise ServiceError("nothing to analyse yet: fill in the intake form or upload a recording first.", status=409)
        case.status, case.progress, case.stage, case.error, case.updated_at = "queued", 0.0, "queued", None, utcnow()
        summary = case_summary(case)
    state.runner.submit(case_id)
    return summary


def delete_case(state: WebState, case_id: str) -> None:
    """Delete a case: its rows, its run folders, and every stored recording no other case still uses.

    The database rows go first (one transaction); files are removed afterwards, so a crash in between
    leaves only unreferenced files, never a case pointing at missing ones.
    """
    with state.sessions.begin() as session:
        case = _case(session, case_id)
        _refuse_while_running(case)
        paths = {u.stored_path for u in session.scalars(select(Upload).where(Upload.case_id == case_id))}
        session.execute(delete(Upload).where(Upload.case_id == case_id))
        session.delete(case)  # its result-file rows go with it (the ``files`` relationship cascades)
        session.flush()
        still_used = set(session.scalars(select(Upload.stored_path).where(Upload.stored_path.in_(paths))))
    shutil.rmtree(state.data_dir / "cases" / case_id, ignore_errors=True)
    for stored in paths - still_used:
        parts = Path(stored).parts  # recordings/<sha[:2]>/<sha>.<ext>, or recordings/<sha[:2]>/<sha>/.../<x>.vhdr
        if len(parts) > 3:
            shutil.rmtree(state.data_dir.joinpath(*parts[:3]), ignore_errors=True)
        else:
            (state.data_dir / stored).unlink(missing_ok=True)
    logger.info("case %s deleted", case_id)


def result_path(state: WebState, case_id: str, name: str) -> Path:
    """The stored file ``name`` of the case's current run (only names in ``DOWNLOADS``)."""
    if name not in DOWNLOADS:
        raise ServiceError(f"no downloadable file named {name!r}; files are {', '.join(DOWNLOADS)}.", status=404)
    with state.sessions() as session:
        case = _case(session, case_id)
        if case.run_dir is None or not any(f.name == name for f in case.files):
            raise ServiceError(f"case {case_id} has no {name} (yet).", status=404)
        return state.data_dir / case.run_dir / name


def report_path(state: WebState, case_id: str, audience: str) -> Path:
    if audience not in REPORT_FILES:
        raise ServiceError(f"unknown report {audience!r}; reports are 'clinician' and 'patient'.", status=404)
    return result_path(state, case_id, REPORT_FILES[audience])
