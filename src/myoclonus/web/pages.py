"""Server-rendered pages (Jinja2, autoescaped): case list, case page, intake form, reports.

Each page calls the same :mod:`myoclonus.web.services` functions as the JSON API. Forms post
URL-encoded fields with the CSRF token; the upload and the live progress use a little JavaScript
(``static/app.js``) that calls the API.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from myoclonus.web import services
from myoclonus.web.api import state_of
from myoclonus.web.intake_form import form_sections, form_values, intake_from_form
from myoclonus.web.runner import DOWNLOADS
from myoclonus.web.security import CSRF_FIELD, REPORT_CSP, check_csrf

__all__ = ["router", "render"]

router = APIRouter(include_in_schema=False)
DISCLAIMER = ("Decision support, not a diagnosis: every statement shows its source; a clinician makes the "
              "diagnosis and the treatment decisions.")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                      autoescape=select_autoescape(["html", "j2"], default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(disclaimer=DISCLAIMER, downloads=DOWNLOADS)
    return env


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render a page with the CSRF token and the form field name available to every template."""
    html = _environment().get_template(template).render(csrf_token=request.state.csrf_token, csrf_field=CSRF_FIELD,
                                                        **context)
    return HTMLResponse(html, status_code=status_code)


async def _checked_form(request: Request):
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    return form


@router.get("/", response_class=HTMLResponse)
def cases_page(request: Request, q: str = "") -> HTMLResponse:
    return render(request, "cases.html.j2", cases=services.list_cases(state_of(request), q[:200]), q=q[:200])


@router.post("/cases")
async def new_case(request: Request):
    form = await _checked_form(request)
    try:
        case = services.create_case(state_of(request), str(form.get("label", "")))
    except services.ServiceError as exc:
        return render(request, "cases.html.j2", status_code=exc.status, cases=services.list_cases(state_of(request)),
                      q="", label=str(form.get("label", "")), label_error=exc.fields.get("label", exc.message))
    return RedirectResponse(f"/cases/{case['id']}/intake", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str) -> HTMLResponse:
    state = state_of(request)
    return render(request, "case.html.j2", case=services.get_case(state, case_id),
                  summary=services.results_summary(state, case_id))


@router.get("/cases/{case_id}/intake", response_class=HTMLResponse)
def intake_page(request: Request, case_id: str) -> HTMLResponse:
    case = services.get_case(state_of(request), case_id)
    return render(request, "intake.html.j2", case=case, sections=form_sections(), values=form_values(case["intake"]),
                  errors={})


@router.post("/cases/{case_id}/intake")
async def intake_submit(request: Request, case_id: str):
    form = await _checked_form(request)
    state = state_of(request)
    document, intake, errors = intake_from_form(form, form.getlist)
    if intake is not None:
        try:
            services.save_intake(state, case_id, document)
            return RedirectResponse(f"/cases/{case_id}", status_code=303)
        except services.ServiceError as exc:
            if not exc.fields:
                raise
            errors = exc.fields
    values = {name: (form.getlist(name) if len(form.getlist(name)) > 1 else value) for name, value in form.items()}
    for section in form_sections():
        for fld in section.fields:
            if fld.kind == "checkboxes":
                values[fld.name] = form.getlist(fld.name)
    return render(request, "intake.html.j2", status_code=422, case=services.get_case(state, case_id),
                  sections=form_sections(), values=values, errors=errors)


@router.post("/cases/{case_id}/intake/import")
async def intake_import(request: Request, case_id: str):
    """Store an intake pasted as YAML or JSON (``myoclonus.intake/1``), e.g. one written for the CLI."""
    import yaml

    form = await _checked_form(request)
    state = state_of(request)
    text = str(form.get("document", ""))
    document = None
    try:
        document = yaml.safe_load(text)
        services.save_intake(state, case_id, document)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        message, errors = f"not valid YAML or JSON{at}: {getattr(exc, 'problem', None) or exc}", {}
    except services.ServiceError as exc:
        message, errors = exc.message, exc.fields
    values = form_values(document) if isinstance(document, dict) else {}
    return render(request, "intake.html.j2", status_code=422, case=services.get_case(state, case_id),
                  sections=form_sections(), values=values, errors=errors, import_error=message, import_text=text)


@router.post("/cases/{case_id}/montage")
async def montage_submit(request: Request, case_id: str):
    form = await _checked_form(request)
    state = state_of(request)
    try:
        services.set_montage(state, case_id, str(form.get("montage_yaml", "")))
    except services.ServiceError as exc:
        return render(request, "case.html.j2", status_code=exc.status, case=services.get_case(state, case_id),
                      montage_error=exc.message, montage_text=str(form.get("montage_yaml", "")))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/analyze")
async def analyze_submit(request: Request, case_id: str):
    await _checked_form(request)
    services.start_analysis(state_of(request), case_id)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/delete")
async def delete_submit(request: Request, case_id: str):
    form = await _checked_form(request)
    if form.get("confirm") != "yes":
        raise services.ServiceError("tick the box to confirm that the case and its files are to be deleted.", status=400)
    services.delete_case(state_of(request), case_id)
    return RedirectResponse("/", status_code=303)


@router.get("/cases/{case_id}/report/{audience}", response_class=HTMLResponse)
def report_page(request: Request, case_id: str, audience: str) -> HTMLResponse:
    path = services.report_path(state_of(request), case_id, audience)
    return HTMLResponse(path.read_text(encoding="utf-8"), headers={"content-security-policy": REPORT_CSP})
