"""The web app's database: cases, uploaded recordings and result files (SQLAlchemy 2).

SQLite in the data folder by default (WAL journal, so the analysis thread and the request threads do
not block each other), PostgreSQL when a URL says so. The schema is created and upgraded by the
Alembic migrations packaged in ``myoclonus/web/migrations`` — never by ``create_all``.
"""
from __future__ import annotations

import datetime as _dt
import secrets
from pathlib import Path

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

__all__ = ["Base", "Case", "Upload", "ResultFile", "CASE_STATES", "new_id", "make_engine", "upgrade_database", "session_factory",
           "utcnow"]

#: Life cycle of a case. ``queued``/``running`` cases found at start-up were interrupted and are re-queued.
CASE_STATES = ("draft", "ready", "queued", "running", "done", "failed")


#: File sizes are 64-bit: a PostgreSQL ``integer`` overflows at 2 GiB, the default upload limit (migration
#: 0002). SQLite's INTEGER is already 64-bit, so SQLite databases keep their column type.
SIZE_BYTES_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> str:
    """Current UTC time as ISO 8601 text (portable across SQLite and PostgreSQL)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    """A random, unguessable case identifier (12 hex characters)."""
    return secrets.token_hex(6)


class Base(DeclarativeBase):
    pass


class Case(Base):
    """One patient visit: an intake, at most one current recording, and the results of its last run."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(String(80), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    intake_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    montage_yaml: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the current recording; a plain column (not a foreign key) to avoid a cycle cases <-> uploads
    recording_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_dir: Mapped[str | None] = mapped_column(String(300), nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)

    recording: Mapped[Upload | None] = relationship(
        primaryjoin="foreign(Case.recording_id) == Upload.id", viewonly=True, lazy="joined")
    files: Mapped[list[ResultFile]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                   order_by="ResultFile.name", lazy="selectin")


class Upload(Base):
    """A recording as received: content hash, detected format and the channel typing shown for confirmation."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(SIZE_BYTES_TYPE)
    format: Mapped[str] = mapped_column(String(16))
    stored_path: Mapped[str] = mapped_column(String(300))
    channels_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))


class ResultFile(Base):
    """One output file of a case's current run, with its content hash."""

    __tablename__ = "result_files"
    __table_args__ = (UniqueConstraint("case_id", "name", name="uq_result_case_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(SIZE_BYTES_TYPE)
    created_at: Mapped[str] = mapped_column(String(40))

    case: Mapped[Case] = relationship(back_populates="files")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys switched on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade_database(engine: Engine) -> None:
    """Bring the database schema to the newest migration (creates it on first use)."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded attributes after commit (objects are read after the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)
