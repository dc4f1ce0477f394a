"""Identifiers in a recording's header never reach a page, the API, a log line or a result file."""
from __future__ import annotations

import logging

import mne
import numpy as np

from web_testkit import csrf_headers, make_client, wait_done

NAME_PARTS = ("MRN4711", "Janeth", "Doeberg")


def _edf_with_identifiers(path):
    rng = np.random.default_rng(0)
    info = mne.create_info(["EMG R FDI", "EMG L FDI", "C3"], 512.0, ["emg", "emg", "eeg"], verbose="error")
    raw = mne.io.RawArray(rng.normal(0, 20e-6, (3, 512 * 4)), info, verbose="error")
    raw.set_meas_date(None)
    raw.info["subject_info"] = {"his_id": "MRN4711", "first_name": "Janeth", "last_name": "Doeberg"}
    mne.export.export_raw(path, raw, fmt="edf", overwrite=True, verbose="error")
    assert b"Janeth_Doeberg" in path.read_bytes()[:88]  # really in the header
    return path


def test_header_identifiers_are_not_shown_or_kept(tmp_path, caplog):
    edf = _edf_with_identifiers(tmp_path / "visit.edf")
    data = tmp_path / "data"
    caplog.set_level(logging.DEBUG, logger="myoclonus")
    with make_client(data) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={"label": "privacy"}, headers=headers).json()["id"]
        r = client.put(f"/api/cases/{cid}/recording", params={"filename": "visit.edf"}, content=edf.read_bytes(),
                       headers=headers)
        assert r.status_code == 200, r.text
        client.post(f"/api/cases/{cid}/analysis", headers=headers)
        status = wait_done(client, cid)
        assert status["status"] == "done", status["error"]
        shown = [client.get(f"/cases/{cid}").text, client.get(f"/api/cases/{cid}").text, client.get("/").text,
                 client.get(f"/cases/{cid}/report/clinician").text, client.get(f"/cases/{cid}/report/patient").text]
        shown += [client.get(f"/api/cases/{cid}/files/{f['name']}").content.decode("latin-1") for f in status["files"]]
    assert {f["name"] for f in status["files"]} >= {"findings.json", "annotations.edf", "report.html"}
    for text in [*shown, caplog.text]:
        for part in NAME_PARTS:
            assert part not in text
    # the stored upload keeps the bytes as received (content hash), but nothing derived from it does
    for path in (data / "cases").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(part.encode() in content for part in NAME_PARTS), path.name
