"""``myoclonus serve``: the web app on this machine (FastAPI served by uvicorn)."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from myoclonus.cli import app
from myoclonus.errors import InputError


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; anything but loopback requires a token."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    data_dir: Path = typer.Option(Path("myoclonus-data"), "--data-dir",
                                  help="Folder for the database, uploads and results (nothing is written elsewhere)."),
    database_url: Optional[str] = typer.Option(None, "--database-url",  # noqa: UP007
                                               help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in --data-dir)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="MYOCLONUS_TOKEN",  # noqa: UP007
                                        help="Access token required on every request (generated and printed for a non-local bind)."),
    max_upload_mb: float = typer.Option(2048.0, "--max-upload-mb", help="Largest accepted upload in MB (default 2 GB)."),
    workers: int = typer.Option(1, "--analysis-workers", help="Analyses run at the same time."),
    ssl_certfile: Optional[Path] = typer.Option(None, "--ssl-certfile", help="TLS certificate (PEM): serve HTTPS."),  # noqa: UP007
    ssl_keyfile: Optional[Path] = typer.Option(None, "--ssl-keyfile", help="TLS private key (PEM) for --ssl-certfile."),  # noqa: UP007
) -> None:
    """Start the web app: intake form, recording upload, live analysis, reports. Decision support, not a diagnosis."""
    try:
        import uvicorn

        from myoclonus.web.app import create_app
        from myoclonus.web.config import LOOPBACK_HOSTS, WebConfig, is_loopback
    except ImportError as exc:
        raise InputError(f"the web app needs the 'web' extra ({exc.name} is missing): pip install 'myoclonus[web]'",
                         where="serve") from None
    if not 0 < port < 65536:
        raise InputError(f"invalid port {port}; expected 1-65535.", where="--port")
    if max_upload_mb <= 0:
        raise InputError(f"invalid upload limit {max_upload_mb} MB; expected a positive number.", where="--max-upload-mb")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise InputError("give both --ssl-certfile and --ssl-keyfile, or neither.", where="--ssl-certfile")
    for option, path in (("--ssl-certfile", ssl_certfile), ("--ssl-keyfile", ssl_keyfile)):
        if path is not None and not path.is_file():
            raise InputError("file not found; expected a PEM file.", where=f"{option} {path}")
    tls = ssl_certfile is not None
    console = Console(stderr=True)
    local = is_loopback(host)
    if not local and not token:
        token = secrets.token_urlsafe(24)
        console.print(f"[bold]Non-local bind: access token generated:[/bold] {token}", highlight=False, soft_wrap=True)
    if not local and not tls:
        console.print("warning: plain HTTP on a non-local address: the token and the data travel unencrypted; "
                      "use --ssl-certfile/--ssl-keyfile or a TLS reverse proxy.", highlight=False, soft_wrap=True)
    config = WebConfig(data_dir=data_dir.resolve(), database_url=database_url, token=token,
                       max_upload_bytes=int(max_upload_mb * 1024**2), analysis_workers=workers,
                       allowed_hosts=LOOPBACK_HOSTS if local else None, secure_cookies=tls)
    shown = f"[{host}]" if ":" in host else host
    suffix = f"/?token={token}" if token else "/"
    scheme = "https" if tls else "http"
    console.print(f"myoclonus web app on {scheme}://{shown}:{port}{suffix}  (data in {config.data_dir})", highlight=False, soft_wrap=True)
    uvicorn.run(create_app(config), host=host, port=port, log_level="info",
                ssl_certfile=str(ssl_certfile) if tls else None, ssl_keyfile=str(ssl_keyfile) if tls else None)
