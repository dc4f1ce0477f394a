"""The FastAPI application: ``create_app(WebConfig(...))``, served by ``myoclonus serve``."""
from __future__ import annotations

import logging
import shutil
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from myoclonus._version import __version__
from myoclonus.errors import InputError
from myoclonus.web import api, pages
from myoclonus.web.config import WebConfig
from myoclonus.web.runner import AnalysisRunner
from myoclonus.web.security import CsrfError, SecurityMiddleware
from myoclonus.web.services import ServiceError, WebState
from myoclonus.web.storage import make_engine, session_factory, upgrade_database
from myoclonus.web.uploads import UploadError

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def create_app(config: WebConfig) -> FastAPI:
    """Build the web app: database migrated, background runner ready, routes and security in place.

    Parameters
    ----------
    config : WebConfig
        Data folder, database URL, access token, limits.

    Returns
    -------
    fastapi.FastAPI
        Interrupted analyses are resumed when the app starts (``config.resume_unfinished``).
    """
    data_dir = Path(config.data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"the data folder cannot be written ({exc.strerror or exc}); choose a writable folder.",
                         where=str(data_dir)) from None
    _clear_incoming(data_dir / "incoming")
    engine = _open_database(config)
    sessions = session_factory(engine)
    runner = AnalysisRunner(sessions, data_dir, workers=config.analysis_workers)
    state = WebState(config=config, sessions=sessions, runner=runner)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        if config.resume_unfinished:
            runner.resume_unfinished()
        yield
        runner.shutdown(wait=False)
        engine.dispose()

    # no /docs or /redoc: their pages load scripts from a CDN (blocked by the CSP, and clinics may be offline);
    # the schema itself is served at /openapi.json
    app = FastAPI(title="myoclonus", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Myoclonus assessment: intake, recording upload, background analysis, reports. "
                              "Decision support, not a diagnosis.")
    app.state.web = state
    app.add_middleware(SecurityMiddleware, token=config.token, allowed_hosts=config.allowed_hosts,
                       secure_cookies=config.secure_cookies)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    return app


def _open_database(config: WebConfig):
    """Engine for the configured database, migrated to the newest schema; clear errors for bad URLs."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    shown = config.database_url.split("@")[-1] if config.database_url else "SQLite in the data folder"
    try:
        engine = make_engine(config.url)
        upgrade_database(engine)
    except ModuleNotFoundError as exc:
        raise InputError(f"the database driver '{exc.name}' is not installed (pip install {exc.name}).",
                         where="--database-url") from None
    except ArgumentError as exc:
        raise InputError(f"not a database URL this app understands ({exc}); expected e.g. "
                         "'postgresql+psycopg://user@host/db' or 'sqlite:////path/db.sqlite3'.", where="--database-url") from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise InputError(f"cannot open the database at {shown}: {reason}", where="--database-url") from None
    return engine


def _clear_incoming(folder: Path) -> None:
    """Remove uploads a stopped server was still receiving (never filed, never in the database)."""
    if folder.is_dir():
        for leftover in folder.iterdir():
            logger.info("removing unfinished upload %s", leftover.name)
            shutil.rmtree(leftover, ignore_errors=True)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _error_response(request: Request, status: int, message: str, fields: dict | None = None):
    if _wants_json(request):
        return JSONResponse({"error": message, "fields": fields or {}}, status_code=status)
    return pages.render(request, "message.html.j2", status_code=status, title=f"Error {status}", message=message)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError):  # noqa: ANN202
        return _error_response(request, exc.status, exc.message, exc.fields)

    @app.exception_handler(UploadError)
    async def _upload(request: Request, exc: UploadError):  # noqa: ANN202
        return _error_response(request, exc.status, exc.message)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError):  # noqa: ANN202
        return _error_response(request, 403, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):  # noqa: ANN202
        fields = {".".join(str(p) for p in err["loc"][1:]) or str(err["loc"][0]): err["msg"] for err in exc.errors()}
        first = next(iter(fields.items()), ("request", "invalid request"))
        return _error_response(request, 422, f"invalid request: {first[0]}: {first[1]}", fields)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):  # noqa: ANN202
        return _error_response(request, 422, str(exc))
