"""myoclonus.web: the browser front end (``myoclonus serve``).

``create_app(WebConfig(data_dir=...))`` builds the FastAPI app; the ``web`` extra installs its
dependencies (FastAPI, uvicorn, SQLAlchemy, Alembic).
"""
from __future__ import annotations

__all__ = ["create_app", "WebConfig"]


def __getattr__(name: str):
    if name == "create_app":
        from myoclonus.web.app import create_app

        return create_app
    if name == "WebConfig":
        from myoclonus.web.config import WebConfig

        return WebConfig
    raise AttributeError(f"module 'myoclonus.web' has no attribute {name!r}")
