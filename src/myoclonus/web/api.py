"""The JSON API under ``/api``: everything the pages do, for scripts and other programs.

OpenAPI schema at ``/openapi.json``. State-changing calls need the
CSRF header (``GET /api/session`` returns the value and sets its cookie) unless authenticated with
``Authorization: Bearer <token>``.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from myoclonus.web import services
from myoclonus.web.runner import DOWNLOADS
from myoclonus.web.security import CSRF_HEADER, REPORT_CSP, check_csrf
from myoclonus.web.uploads import UploadError, receive_stream, safe_display_name

__all__ = ["router", "state_of"]

router = APIRouter(prefix="/api", tags=["api"])


def state_of(request: Request) -> services.WebState:
    return request.app.state.web


def require_csrf(request: Request) -> None:
    """Dependency of every state-changing API route."""
    check_csrf(request, request.headers.get(CSRF_HEADER))


class NewCase(BaseModel):
    label: str = Field("", max_length=services.MAX_LABEL_CHARS,
                       description="A note to find the case again; never a patient's name or identifier.")


class MontageIn(BaseModel):
    montage_yaml: str | None = Field(None, description="A myoclonus.montage/1 YAML; empty to use channel names.")


@router.get("/session", summary="CSRF token for state-changing calls (also set as a cookie)")
def session_info(request: Request) -> dict[str, Any]:
    return {"csrf_token": request.state.csrf_token, "csrf_header": "X-CSRF-Token",
            "max_upload_bytes": state_of(request).config.max_upload_bytes}


@router.get("/cases", summary="List cases, newest first; q searches label, id and status")
def api_list_cases(request: Request, q: str = Query("", max_length=200)) -> list[dict]:
    return services.list_cases(state_of(request), q)


@router.post("/cases", status_code=201, dependencies=[Depends(require_csrf)], summary="Create a case")
def api_create_case(request: Request, body: NewCase) -> dict:
    return services.create_case(state_of(request), body.label)


@router.get("/cases/{case_id}", summary="One case: status, intake, recording channels, result files")
def api_get_case(request: Request, case_id: str) -> dict:
    return services.get_case(state_of(request), case_id)


@router.get("/cases/{case_id}/status", summary="Analysis status and progress (polled by the case page)")
def api_status(request: Request, case_id: str) -> dict:
    case = services.get_case(state_of(request), case_id)
    return {k: case[k] for k in ("id", "status", "progress", "stage", "error", "files", "reports")}


@router.put("/cases/{case_id}/intake", dependencies=[Depends(require_csrf)],
            summary="Store a myoclonus.intake/1 document (422 with per-field messages when invalid)")
def api_put_intake(request: Request, case_id: str, document: dict[str, Any]) -> dict:
    return services.save_intake(state_of(request), case_id, document)


@router.put("/cases/{case_id}/recording", dependencies=[Depends(require_csrf)],
            summary="Upload the recording as the raw request body (EDF, BDF, FIF, or a BrainVision zip)",
            openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}})
async def api_put_recording(request: Request, case_id: str,
                            filename: str = Query("recording", max_length=255,
                                                  description="The file's name (shown back; its type is read from the content)")) -> dict:
    state = state_of(request)
    limit = state.config.max_upload_bytes
    declared = request.headers.get("content-length")
    display = safe_display_name(filename)
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadError(f"{display}: the upload ({int(declared)} bytes) exceeds the limit of {limit} bytes "
                          f"({limit / 1024**2:.0f} MB); nothing was stored.", status=413)
    await run_in_threadpool(services.get_case, state, case_id)  # 404 before reading a large body
    incoming = state.data_dir / "incoming"

    async def write(fh, data: bytes) -> None:  # noqa: ANN001
        await run_in_threadpool(fh.write, data)

    received = await receive_stream(request.stream(), incoming, filename=display, max_bytes=limit, write=write)
    return await run_in_threadpool(services.store_recording, state, case_id, received, display)


@router.put("/cases/{case_id}/montage", dependencies=[Depends(require_csrf)],
            summary="Confirm or replace the channel typing with an explicit montage")
def api_put_montage(request: Request, case_id: str, body: MontageIn) -> dict:
    return services.set_montage(state_of(request), case_id, body.montage_yaml)


@router.post("/cases/{case_id}/analysis", status_code=202, dependencies=[Depends(require_csrf)],
             summary="Start the analysis in the background; poll /status for progress")
def api_start(request: Request, case_id: str) -> dict:
    return services.start_analysis(state_of(request), case_id)


@router.delete("/cases/{case_id}", status_code=204, dependencies=[Depends(require_csrf)],
               summary="Delete a case with its results and any stored recording no other case uses")
def api_delete_case(request: Request, case_id: str) -> Response:
    services.delete_case(state_of(request), case_id)
    return Response(status_code=204)


@router.get("/cases/{case_id}/files/{name}", summary=f"Download a result file ({', '.join(DOWNLOADS)})",
            response_class=FileResponse)
def api_file(request: Request, case_id: str, name: str) -> FileResponse:
    path = services.result_path(state_of(request), case_id, name)
    headers = {"content-security-policy": REPORT_CSP}
    return FileResponse(path, media_type=DOWNLOADS[name], filename=f"{case_id}-{name}", headers=headers)


@router.get("/cases/{case_id}/reports/{audience}", response_class=HTMLResponse,
            summary="The clinician or patient report (self-contained HTML)")
def api_report(request: Request, case_id: str, audience: str) -> HTMLResponse:
    path = services.report_path(state_of(request), case_id, audience)
    return HTMLResponse(path.read_text(encoding="utf-8"), headers={"content-security-policy": REPORT_CSP})
