"""Settings of one running web app: where its data lives, who may reach it, how large uploads may be."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WebConfig", "DEFAULT_MAX_UPLOAD_BYTES", "LOOPBACK_HOSTS", "is_loopback"]

#: Default upload limit (issue 9: "upload size limit, configurable, default 2 GB").
DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024**3

#: Host names that always mean this machine (accepted in the ``Host`` header of a loopback bind).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """True when ``host`` (a bind address or host name) only reaches this machine."""
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebConfig:
    """Configuration of :func:`myoclonus.web.create_app`.

    Attributes
    ----------
    data_dir : Path
        Everything the app writes goes under this folder (database, uploads, results).
    database_url : str | None
        SQLAlchemy URL; default ``sqlite:///<data_dir>/myoclonus.sqlite3``. PostgreSQL:
        ``postgresql+psycopg://user@host/db``.
    token : str | None
        When set, every request must carry it (``Authorization: Bearer <token>``, or the cookie set by
        opening ``/?token=<token>`` once). Required for any non-loopback bind.
    max_upload_bytes : int
        Largest accepted recording upload (whole file, or the zip as sent).
    max_unzipped_bytes : int
        Largest total size of a BrainVision zip's content once extracted (zip-bomb guard).
    max_zip_ratio : float
        Largest compression ratio of any zip member (zip-bomb guard; real EEG compresses < 10:1).
    max_zip_members : int
        Most files accepted in a zip.
    allowed_hosts : tuple of str | None
        Values accepted in the ``Host`` header (DNS-rebinding guard for a loopback bind); ``None``: any.
    analysis_workers : int
        Analyses run at the same time (one recording per worker, never split).
    resume_unfinished : bool
        Re-queue cases left ``queued``/``running`` by a stopped server when the app starts.
    secure_cookies : bool
        Mark the access-token and CSRF cookies ``Secure`` (sent over HTTPS only); set when serving TLS.
    """

    data_dir: Path
    database_url: str | None = None
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_unzipped_bytes: int = 4 * 1024**3
    max_zip_ratio: float = 100.0
    max_zip_members: int = 64
    allowed_hosts: tuple[str, ...] | None = None
    analysis_workers: int = 1
    resume_unfinished: bool = True
    secure_cookies: bool = False

    @property
    def url(self) -> str:
        """The database URL actually used."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(Path(self.data_dir) / 'myoclonus.sqlite3').resolve()}"
