"""20 concurrent uploads to a real server (uvicorn on 127.0.0.1): every one stored, nothing lost."""
from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from web_testkit import live_server, tiny_edf

N_UPLOADS = 20


@pytest.fixture()
def live(tmp_path):
    data = tmp_path / "data"
    with live_server(data) as base:
        yield base, data


def test_twenty_concurrent_uploads(live, tmp_path):
    base, data = live
    files = [tiny_edf(tmp_path / f"rec{i:02d}.edf", seed=100 + i) for i in range(N_UPLOADS)]
    bodies = [f.read_bytes() for f in files]
    with httpx.Client(base_url=base, timeout=60) as setup:
        token = setup.get("/api/session").json()["csrf_token"]
        cookies = dict(setup.cookies)
        headers = {"X-CSRF-Token": token}
        case_ids = [setup.post("/api/cases", json={"label": f"concurrent {i}"}, headers=headers).json()["id"]
                    for i in range(N_UPLOADS)]

    def upload(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
            return client.put(f"/api/cases/{case_ids[i]}/recording", params={"filename": files[i].name},
                              content=bodies[i], headers=headers)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=N_UPLOADS) as pool:
        responses = list(pool.map(upload, range(N_UPLOADS)))
    elapsed = time.monotonic() - start
    assert [r.status_code for r in responses] == [200] * N_UPLOADS, [r.text for r in responses if r.status_code != 200]
    for i, r in enumerate(responses):
        assert r.json()["recording"]["sha256"] == hashlib.sha256(bodies[i]).hexdigest()
        assert r.json()["recording"]["name"] == files[i].name
    engine = create_engine(f"sqlite:///{data / 'myoclonus.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT c.id, u.sha256, u.stored_path FROM cases c JOIN uploads u "
                                 "ON u.id = c.recording_id")).all()
    engine.dispose()
    assert len(rows) == N_UPLOADS and {r[0] for r in rows} == set(case_ids)
    for case_id, sha, stored in rows:
        assert hashlib.sha256((data / stored).read_bytes()).hexdigest() == sha  # stored bytes are intact
    assert not list((data / "incoming").iterdir())
    print(f"{N_UPLOADS} concurrent uploads in {elapsed:.2f} s")
