"""``myoclonus serve`` as a user starts it: a real process, a token for a non-local bind."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from myoclonus.cli import app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, process: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"server not answering at {url} after {timeout_s} s")


def _startup_lines(process: subprocess.Popen) -> list[str]:
    """What serve prints before uvicorn starts, up to the line with the address."""
    lines: list[str] = []
    while not lines or "web app on" not in lines[-1]:
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"serve exited early: {lines}")
        lines.append(line)
    return lines


def test_non_local_bind_generates_and_requires_a_token(tmp_path):
    port = _free_port()
    env = dict(os.environ, MYOCLONUS_TOKEN="")
    process = subprocess.Popen([sys.executable, "-m", "myoclonus", "serve", "--host", "0.0.0.0", "--port", str(port),
                                "--data-dir", str(tmp_path / "data")], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env=env, cwd=tmp_path)
    try:
        printed = _startup_lines(process)
        token_line = next(line for line in printed if "access token generated" in line)
        token = token_line.split()[-1]
        assert len(token) >= 24 and f"http://0.0.0.0:{port}/?token={token}" in printed[-1]
        assert any("plain HTTP on a non-local address" in line for line in printed)
        base = f"http://127.0.0.1:{port}"
        _wait_up(base + "/api/session", process)
        assert httpx.get(base + "/api/cases").status_code == 401
        assert httpx.get(base + "/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert httpx.get(base + "/api/cases", headers={"Authorization": "Bearer nope"}).status_code == 401
        process.terminate()
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert (tmp_path / "data" / "myoclonus.sqlite3").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing written outside the data folder


def test_bad_options_are_one_line_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path), "--database-url", "nosuchdb://x"])
    assert result.exit_code == 2 and "--database-url" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "invalid port 70000" in result.output
    result = runner.invoke(app, ["serve", "--max-upload-mb", "0"])
    assert result.exit_code == 2 and "upload limit" in result.output


def test_tls_serves_https_with_secure_cookies(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "myoclonus", "serve", "--port", str(port), "--data-dir",
                                str(tmp_path / "data"), "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
                               stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        printed = _startup_lines(process)
        assert f"https://127.0.0.1:{port}/" in printed[-1]
        base = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(base + "/api/session", verify=False, timeout=1.0)  # self-signed test certificate
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert "secure" in response.headers["set-cookie"].lower()
        process.terminate()
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


def test_tls_needs_both_files(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    result = CliRunner().invoke(app, ["serve", "--ssl-certfile", str(cert)])
    assert result.exit_code == 2 and "both --ssl-certfile and --ssl-keyfile" in result.output
