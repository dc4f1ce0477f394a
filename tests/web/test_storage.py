"""The database schema comes from the packaged Alembic migrations and matches the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from myoclonus.web.storage import Base, make_engine, upgrade_database


def test_migrations_create_exactly_the_model_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade_database(engine)
    upgrade_database(engine)  # idempotent: a second start changes nothing
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert MigrationContext.configure(conn).get_current_revision() == "0002"
    assert set(inspect(engine).get_table_names()) == {"alembic_version", "cases", "uploads", "result_files"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_migrations_render_postgresql_ddl():
    """The same migration script produces PostgreSQL DDL (offline mode: no server needed)."""
    import io

    from alembic import command

    from myoclonus.web.storage import _alembic_config

    engine = make_engine("sqlite://")
    cfg = _alembic_config(engine)
    cfg.set_main_option("sqlalchemy.url", "postgresql://user@localhost/myoclonus")
    buffer = io.StringIO()
    cfg.output_buffer = buffer
    command.upgrade(cfg, "head", sql=True)
    ddl = buffer.getvalue()
    for table in ("cases", "uploads", "result_files"):
        assert f"CREATE TABLE {table}" in ddl
    assert "FOREIGN KEY(case_id) REFERENCES cases (id) ON DELETE CASCADE" in ddl
    assert "CONSTRAINT uq_result_case_name UNIQUE (case_id, name)" in ddl
