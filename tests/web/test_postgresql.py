"""The web app against a real PostgreSQL server (throwaway cluster made with initdb/pg_ctl).

Skipped only when no PostgreSQL server binaries are installed (``apt-get install postgresql``).
"""
from __future__ import annotations

import glob
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from myoclonus.web.storage import Base, Case, ResultFile, Upload, _alembic_config

from web_testkit import EXAMPLE_EDF, INTAKE, live_server

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL driver is missing (pip install 'myoclonus[web]')")


def _pg_bin() -> Path | None:
    """Folder holding initdb/pg_ctl: the newest /usr/lib/postgresql/*/bin, else whatever is on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_server():
    """A fresh cluster in a temp folder on a free localhost port; yields ``host:port``, stops it after."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    # postgres refuses to run as root: run the cluster as the 'postgres' system user then
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="myoclonus-pg-"))
    if as_user:
        shutil.chown(root, "postgres")
    cluster, log = root / "cluster", root / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{' '.join(args)} failed: {done.stderr or done.stdout}"

    run(str(bin_dir / "initdb"), "-D", str(cluster), "-U", "myoclonus", "-A", "trust", "-E", "UTF8", "--no-sync")
    run(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-l", str(log), "-w", "-t", "30", "start",
        "-o", f"-p {port} -h 127.0.0.1 -k {root} -F")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server, request):
    """An empty database of its own for each test on the module's server."""
    name = request.node.name.removeprefix("test_")[:40]
    with psycopg.connect(f"postgresql://myoclonus@{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://myoclonus@{postgres_server}/{name}"


def _wait_done(client: httpx.Client, case_id: str, timeout_s: float = 45.0) -> dict:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get(f"/api/cases/{case_id}/status").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"case {case_id} still {status['status']} after {timeout_s} s")


def test_case_end_to_end_on_postgresql(tmp_path, postgres_url):
    data = tmp_path / "data"
    body = EXAMPLE_EDF.read_bytes()
    # the app's own start-up path creates the schema on the empty database (Alembic migrations)
    with live_server(data, database_url=postgres_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        csrf = client.get("/api/session").json()["csrf_token"]
        headers = {"X-CSRF-Token": csrf}
        created = client.post("/api/cases", json={"label": "postgres ward"}, headers=headers)
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        assert client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers).status_code == 200
        up = client.put(f"/api/cases/{cid}/recording", params={"filename": "example_cortical.edf"}, content=body,
                        headers=headers)
        assert up.status_code == 200, up.text
        assert any(c["name"] == "EMG R FDI" and c["kind"] == "emg" for c in up.json()["recording"]["channels"])
        assert client.post(f"/api/cases/{cid}/analysis", headers=headers).status_code == 202
        status = _wait_done(client, cid)
        assert status["status"] == "done", status["error"]
        files = {f["name"]: f for f in status["files"]}
        findings = client.get(f"/api/cases/{cid}/files/findings.json")
        assert hashlib.sha256(findings.content).hexdigest() == files["findings.json"]["sha256"]
        assert findings.json()["jerks"]["count"] > 0
        assessment = client.get(f"/api/cases/{cid}/files/assessment.json").json()
        assert any(c["id"] == "drug_induced" for c in assessment["causes"])  # tramadol in the intake
        assert [c["id"] for c in client.get("/api/cases", params={"q": "postgres"}).json()] == [cid]
        # a second case, deleted again: ON DELETE CASCADE must hold on the server, not only in the ORM
        other = client.post("/api/cases", json={"label": "to delete"}, headers=headers).json()["id"]
        small = client.put(f"/api/cases/{other}/recording", params={"filename": "again.edf"}, content=body,
                           headers=headers)
        assert small.status_code == 200, small.text
        assert client.delete(f"/api/cases/{other}", headers=headers).status_code == 204

    # the rows in PostgreSQL match what the API served and what is on disk
    engine = create_engine(postgres_url)
    try:
        assert set(inspect(engine).get_table_names()) >= {"alembic_version", "cases", "uploads", "result_files"}
        with engine.connect() as conn:
            # the migrations built exactly the models' schema on PostgreSQL too (types, keys, indexes)
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
            assert conn.execute(text("select version_num from alembic_version")).scalars().all() == [head]
            cases = conn.execute(select(Case.id, Case.status, Case.recording_id, Case.runs, Case.intake_json)).all()
            assert [(c.id, c.status, c.runs) for c in cases] == [(cid, "done", 1)]
            assert '"tramadol"' in cases[0].intake_json
            uploads = conn.execute(select(Upload.id, Upload.case_id, Upload.sha256, Upload.size_bytes)).all()
            assert [(u.id, u.case_id) for u in uploads] == [(cases[0].recording_id, cid)]
            assert uploads[0].sha256 == hashlib.sha256(body).hexdigest() and uploads[0].size_bytes == len(body)
            rows = {r.name: r for r in conn.execute(select(ResultFile.name, ResultFile.case_id, ResultFile.sha256,
                                                            ResultFile.size_bytes)).all()}
            assert set(rows) == set(files) and {r.case_id for r in rows.values()} == {cid}
            assert all(rows[n].sha256 == files[n]["sha256"] for n in files)
            assert conn.execute(text("select count(*) from uploads where case_id = :c"), {"c": other}).scalar_one() == 0
    finally:
        engine.dispose()
    # nothing was written to a SQLite file instead
    assert not list(data.rglob("*.sqlite3"))


def test_recordings_above_2_gib_fit_the_schema(tmp_path, postgres_url):
    """Sizes are 64-bit: the default upload limit (2 GiB) and larger ones overflow a PostgreSQL ``integer``."""
    from myoclonus.web.config import DEFAULT_MAX_UPLOAD_BYTES
    from myoclonus.web.storage import make_engine, session_factory, upgrade_database, utcnow

    engine = make_engine(postgres_url)
    try:
        upgrade_database(engine)  # what create_app runs at start-up
        sizes = (DEFAULT_MAX_UPLOAD_BYTES, 5 * 1024**3)  # 5 GiB: serve --max-upload-mb 5120
        with session_factory(engine).begin() as session:
            session.add(Case(id="big", label="", created_at=utcnow(), updated_at=utcnow(), status="draft",
                             progress=0.0, stage="", runs=0))
            session.flush()
            for i, size in enumerate(sizes):
                session.add(Upload(case_id="big", sha256=f"{i:064x}", original_name=f"r{i}.edf", size_bytes=size,
                                   format="edf", stored_path=f"recordings/r{i}.edf", channels_json="[]",
                                   created_at=utcnow()))
                session.add(ResultFile(case_id="big", name=f"f{i}", sha256=f"{i:064x}", size_bytes=size,
                                       created_at=utcnow()))
        with engine.connect() as conn:
            assert sorted(conn.execute(select(Upload.size_bytes)).scalars()) == list(sizes)
            assert sorted(conn.execute(select(ResultFile.size_bytes)).scalars()) == list(sizes)
    finally:
        engine.dispose()


def test_a_0001_database_is_upgraded_in_place(postgres_url):
    """A database made by the first release keeps its rows and takes 64-bit sizes after start-up's upgrade."""
    from alembic import command

    from myoclonus.web.storage import make_engine, upgrade_database

    engine = make_engine(postgres_url)
    try:
        cfg = _alembic_config(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "0001")
        with engine.begin() as conn:
            conn.execute(text("insert into cases (id, label, created_at, updated_at, status, progress, stage, runs) "
                              "values ('old', 'kept', 't', 't', 'done', 1.0, '', 1)"))
            conn.execute(text("insert into result_files (case_id, name, sha256, size_bytes, created_at) "
                              "values ('old', 'findings.json', 'x', 1234, 't')"))
        upgrade_database(engine)
        with engine.begin() as conn:
            conn.execute(text("update result_files set size_bytes = 5368709120 where case_id = 'old'"))
            assert conn.execute(text("select label from cases")).scalars().all() == ["kept"]
            assert conn.execute(text("select size_bytes from result_files")).scalars().all() == [5 * 1024**3]
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()
