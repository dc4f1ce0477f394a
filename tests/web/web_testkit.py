"""Helpers of the web tests (imported by name: tests/web is on sys.path under pytest's rootdir rules)."""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from myoclonus.web import WebConfig, create_app

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_EDF = REPO / "examples" / "example_cortical.edf"
INTAKE = {
    "schema": "myoclonus.intake/1",
    "patient": {"age_years": 58, "sex": "male"},
    "onset": "subacute",
    "jerks": {"polarity": "positive", "distribution": "multifocal", "occurs_at": ["action"], "triggers": ["touch"]},
    "history": {"events": [{"type": "cardiac_arrest", "days_ago": 60}]},
    "medications": [{"name": "tramadol", "started_days_ago": 5}],
}


def tiny_edf(path: Path, seed: int, seconds: float = 2.0) -> Path:
    """A small, valid EDF with two EMG channels of noise (distinct content per seed)."""
    import mne

    rng = np.random.default_rng(seed)
    sfreq = 512.0
    info = mne.create_info(["EMG R FDI", "EMG L FDI"], sfreq, "emg", verbose="error")
    raw = mne.io.RawArray(rng.normal(0, 20e-6, (2, int(seconds * sfreq))), info, verbose="error")
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose="error")
    return path


def make_client(data_dir: Path, **config) -> TestClient:
    """A TestClient on a new app; use as a context manager (runs start-up and shut-down)."""
    config.setdefault("resume_unfinished", True)
    return TestClient(create_app(WebConfig(data_dir=data_dir, **config)))


def csrf_headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf_token"]}


def wait_done(client: TestClient, case_id: str, timeout_s: float = 60.0) -> dict:
    """Poll the status endpoint as the page does, until the analysis ends."""
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        status = client.get(f"/api/cases/{case_id}/status").json()
        seen.append(status["progress"])
        if status["status"] in ("done", "failed"):
            status["seen_progress"] = seen
            return status
        time.sleep(0.2)
    raise AssertionError(f"case {case_id} still {status['status']} after {timeout_s} s (progress {seen[-5:]})")


@contextlib.contextmanager
def live_server(data_dir: Path, **config):
    """A real uvicorn server on 127.0.0.1 (free port) in a thread; yields its base URL."""
    import threading

    import uvicorn

    config.setdefault("allowed_hosts", ("127.0.0.1",))
    app = create_app(WebConfig(data_dir=data_dir, **config))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
