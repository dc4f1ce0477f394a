"""JSON API end to end: case, intake, upload, background analysis, downloads; bad input and consistency."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import mne
import pytest
from sqlalchemy import create_engine, func, select, text

from myoclonus.web.storage import Case, ResultFile, Upload

from web_testkit import INTAKE, csrf_headers, make_client, tiny_edf, wait_done


def _counts(data_dir: Path) -> dict:
    engine = create_engine(f"sqlite:///{data_dir / 'myoclonus.sqlite3'}")
    with engine.connect() as conn:
        out = {name: conn.execute(select(func.count()).select_from(model)).scalar_one()
               for name, model in (("cases", Case), ("uploads", Upload), ("results", ResultFile))}
    engine.dispose()
    return out


def _stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.name.startswith("myoclonus.sqlite3"))


def test_full_case_through_the_api(tmp_path, short_edf):
    with make_client(tmp_path / "data") as client:
        headers = csrf_headers(client)
        case = client.post("/api/cases", json={"label": "ward 3, follow-up"}, headers=headers).json()
        cid = case["id"]
        assert client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers).status_code == 200
        body = short_edf.read_bytes()
        up = client.put(f"/api/cases/{cid}/recording", params={"filename": "short_cortical.edf"}, content=body,
                        headers=headers)
        assert up.status_code == 200, up.text
        rec = up.json()["recording"]
        # the montage shown for confirmation is the reader's typing of the real file
        raw = mne.io.read_raw_edf(short_edf, verbose="error")
        assert [c["name"] for c in rec["channels"]] == raw.ch_names
        fdi = next(c for c in rec["channels"] if c["name"] == "EMG R FDI")
        assert (fdi["kind"], fdi["muscle"], fdi["side"]) == ("emg", "FDI", "right")
        assert rec["duration_s"] == pytest.approx(15.0, abs=0.01)
        assert client.post(f"/api/cases/{cid}/analysis", headers=headers).status_code == 202
        status = wait_done(client, cid)
        assert status["status"] == "done", status["error"]
        assert status["reports"] == ["clinician", "patient"]
        assert any(0 < p < 1 for p in status["seen_progress"])  # progress was visible while it ran
        # downloads: the stored hash is the hash of what is served, contents are the contracts
        files = {f["name"]: f for f in status["files"]}
        assert {"findings.json", "assessment.json", "bursts.tsv", "jerks.tsv", "annotations.edf"} <= set(files)
        findings = client.get(f"/api/cases/{cid}/files/findings.json")
        assert findings.headers["content-type"].startswith("application/json")
        assert hashlib.sha256(findings.content).hexdigest() == files["findings.json"]["sha256"]
        assert findings.json()["schema"] == "myoclonus.findings/1"
        assert findings.json()["jerks"]["count"] > 0
        assessment = client.get(f"/api/cases/{cid}/files/assessment.json").json()
        assert assessment["schema"] == "myoclonus.assessment/1"
        assert any(c["id"] == "drug_induced" for c in assessment["causes"])  # tramadol in the intake
        bursts = client.get(f"/api/cases/{cid}/files/bursts.tsv").text.splitlines()
        assert bursts[0].split("\t")[:3] == ["onset", "duration", "trial_type"]
        edf = tmp_path / "annotations.edf"
        edf.write_bytes(client.get(f"/api/cases/{cid}/files/annotations.edf").content)
        described = set(mne.io.read_raw_edf(edf, verbose="error").annotations.description)
        assert "myoclonus/jerk" in described
        clinician = client.get(f"/api/cases/{cid}/reports/clinician")
        patient = client.get(f"/api/cases/{cid}/reports/patient")
        assert clinician.status_code == patient.status_code == 200
        assert "script-src" not in clinician.headers["content-security-policy"]  # no scripts in reports
        assert "not a diagnosis" in clinician.text.lower() and "not a diagnosis" in patient.text.lower()
        # files outside the download list are never served
        assert client.get(f"/api/cases/{cid}/files/..%2Fmyoclonus.sqlite3").status_code == 404
        assert client.get(f"/api/cases/{cid}/files/recording.edf").status_code == 404
        # a changed intake makes the results stale (kept, but no longer 'done')
        client.put(f"/api/cases/{cid}/intake", json=dict(INTAKE, onset="sudden"), headers=headers)
        again = client.get(f"/api/cases/{cid}").json()
        assert again["status"] == "ready" and not again["results_current"] and again["run"] == "run-1"
        assert "from the previous run" in client.get(f"/cases/{cid}").text
        listed = client.get("/api/cases", params={"q": "ward 3"}).json()
        assert [c["id"] for c in listed] == [cid]
        assert client.get("/api/cases", params={"q": "no such label"}).json() == []
    data = tmp_path / "data"
    assert _counts(data) == {"cases": 1, "uploads": 1, "results": len(files)}
    # the recording is stored once, under its content hash
    stored = list((data / "recordings").rglob("*.edf"))
    assert len(stored) == 1 and stored[0].name.startswith(hashlib.sha256(body).hexdigest())


def test_intake_errors_name_each_field(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={}, headers=headers).json()["id"]
        bad = {"schema": "myoclonus.intake/1", "jerks": {"rhythm": "rythmic"}, "labs": {"sodium_mmol_l": "low"},
               "patient": {"agee_years": 3}}
        r = client.put(f"/api/cases/{cid}/intake", json=bad, headers=headers)
        assert r.status_code == 422
        fields = r.json()["fields"]
        assert "Did you mean 'rhythmic'" in fields["jerks.rhythm"]
        assert "expected a number" in fields["labs.sodium_mmol_l"]
        assert "unknown field 'agee_years'" in fields["patient.agee_years"]
        wrong_schema = client.put(f"/api/cases/{cid}/intake", json={"schema": "myoclonus.intake/2"}, headers=headers)
        assert wrong_schema.status_code == 422 and "myoclonus.intake/1" in wrong_schema.json()["error"]
        path = client.put(f"/api/cases/{cid}/intake", json={**INTAKE, "neurophysiology": "/etc/passwd"}, headers=headers)
        assert path.status_code == 422 and "upload the recording" in path.json()["fields"]["neurophysiology"]
        assert client.get(f"/api/cases/{cid}").json()["intake"] is None  # nothing stored


def test_intake_only_case_gives_both_reports(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={"label": "clinic"}, headers=headers).json()["id"]
        client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers)
        client.post(f"/api/cases/{cid}/analysis", headers=headers)
        status = wait_done(client, cid)
        assert status["status"] == "done", status["error"]
        assert {f["name"] for f in status["files"]} == {"assessment.json", "assessment_patient.json", "report.html",
                                                        "report_patient.html"}
        patient = client.get(f"/api/cases/{cid}/files/assessment_patient.json").json()
        assert patient["audience"] == "patient"


def test_nothing_to_analyse_is_refused(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={}, headers=headers).json()["id"]
        r = client.post(f"/api/cases/{cid}/analysis", headers=headers)
        assert r.status_code == 409 and "nothing to analyse" in r.json()["error"]
        assert client.get("/api/cases/doesnotexist/status").status_code == 404


# ------------------------------------------------------------------------------------ bad uploads


@pytest.fixture()
def upload_case(tmp_path):
    data = tmp_path / "data"
    with make_client(data, max_upload_bytes=200_000, max_unzipped_bytes=5_000_000, max_zip_ratio=50) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={"label": "uploads"}, headers=headers).json()["id"]
        yield client, headers, cid, data


def _assert_nothing_kept(client, cid, data):
    case = client.get(f"/api/cases/{cid}").json()
    assert case["recording"] is None and case["status"] == "draft"
    assert _counts(data)["uploads"] == 0
    assert _stored_files(data) == []  # no leftovers in incoming/ or recordings/


def test_truncated_edf_is_refused_with_the_reason(upload_case, tmp_path):
    client, headers, cid, data = upload_case
    whole = tiny_edf(tmp_path / "whole.edf", seed=1, seconds=20).read_bytes()
    cut = whole[: len(whole) // 2]
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "cut.edf"}, content=cut, headers=headers)
    assert r.status_code == 422
    assert "cut.edf" in r.json()["error"] and "truncated" in r.json()["error"]
    _assert_nothing_kept(client, cid, data)


def test_garbage_behind_valid_magic_is_refused_by_the_reader(upload_case):
    client, headers, cid, data = upload_case
    fake_fif = b"\x00\x00\x00\x64\x00\x00\x00\x1f" + bytes(200)
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "fake_raw.fif"}, content=fake_fif, headers=headers)
    assert r.status_code == 422 and r.json()["error"].startswith("fake_raw.fif: cannot be read as a recording")
    assert str(data) not in r.json()["error"]  # no server paths in messages
    _assert_nothing_kept(client, cid, data)


def test_content_not_extension_decides_the_type(upload_case):
    client, headers, cid, data = upload_case
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "notes.edf"},
                   content=b"%PDF-1.7 this is not a recording", headers=headers)
    assert r.status_code == 415
    assert "25 50 44 46" in r.json()["error"] and "not used to decide its type" in r.json()["error"]
    empty = client.put(f"/api/cases/{cid}/recording", params={"filename": "x.edf"}, content=b"", headers=headers)
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    _assert_nothing_kept(client, cid, data)


def test_oversized_upload_is_cut_off(upload_case, tmp_path):
    client, headers, cid, data = upload_case
    big = tiny_edf(tmp_path / "big.edf", seed=2, seconds=120).read_bytes()
    assert len(big) > 200_000
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "big.edf"}, content=big, headers=headers)
    assert r.status_code == 413 and "200000 bytes" in r.json()["error"]

    def chunks():  # no Content-Length: the limit is enforced while streaming
        for i in range(0, len(big), 16384):
            yield big[i:i + 16384]

    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "big.edf"}, content=chunks(), headers=headers)
    assert r.status_code == 413
    _assert_nothing_kept(client, cid, data)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def test_zip_with_parent_paths_is_refused(upload_case, tmp_path):
    client, headers, cid, data = upload_case
    payload = _zip({"rec.vhdr": b"Brain Vision Data Exchange Header File Version 1.0\n", "../../evil.txt": b"owned"})
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "rec.zip"}, content=payload, headers=headers)
    assert r.status_code == 400 and "'../../evil.txt'" in r.json()["error"] and "outside" in r.json()["error"]
    assert not any(p.name == "evil.txt" for p in tmp_path.rglob("*"))
    _assert_nothing_kept(client, cid, data)


def test_zip_bomb_is_refused(upload_case):
    client, headers, cid, data = upload_case
    payload = _zip({"rec.vhdr": b"Brain Vision Data Exchange Header File Version 1.0\n", "rec.eeg": bytes(4_000_000)})
    assert len(payload) < 200_000
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "bomb.zip"}, content=payload, headers=headers)
    assert r.status_code == 400 and "zip bomb" in r.json()["error"]
    _assert_nothing_kept(client, cid, data)


def test_brainvision_zip_is_accepted(upload_case, tmp_path):
    pybv = pytest.importorskip("pybv", reason="pybv (dev extra) writes the BrainVision test file")
    client, headers, cid, data = upload_case
    import numpy as np

    rng = np.random.default_rng(0)
    pybv.write_brainvision(data=rng.normal(0, 20, (2, 1024)), sfreq=512.0, ch_names=["EMG R FDI", "C3"],
                           fname_base="rec", folder_out=tmp_path / "bv", unit="µV", overwrite=True)
    payload = _zip({f"bv/{p.name}": p.read_bytes() for p in (tmp_path / "bv").iterdir()})
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "rec.zip"}, content=payload, headers=headers)
    assert r.status_code == 200, r.text
    rec = r.json()["recording"]
    assert rec["format"] == "brainvision"
    assert [(c["name"], c["kind"]) for c in rec["channels"]] == [("EMG R FDI", "emg"), ("C3", "eeg")]
    assert _counts(data)["uploads"] == 1
    assert not list((data / "incoming").iterdir())


def test_fif_upload_is_read_like_the_analysis_reads_it(upload_case, tmp_path):
    import numpy as np

    client, headers, cid, data = upload_case
    info = mne.create_info(["EMG R TA", "EMG L TA"], 256.0, "emg", verbose="error")
    raw = mne.io.RawArray(np.random.default_rng(1).normal(0, 1e-5, (2, 512)), info, verbose="error")
    raw.save(tmp_path / "leg_raw.fif", verbose="error")
    r = client.put(f"/api/cases/{cid}/recording", params={"filename": "leg_raw.fif"},
                   content=(tmp_path / "leg_raw.fif").read_bytes(), headers=headers)
    assert r.status_code == 200, r.text
    rec = r.json()["recording"]
    assert rec["format"] == "fif" and rec["duration_s"] == 2.0
    assert [(c["muscle"], c["side"]) for c in rec["channels"]] == [("TA", "right"), ("TA", "left")]


def test_montage_through_the_api(upload_case, tmp_path):
    client, headers, cid, data = upload_case
    assert client.put(f"/api/cases/{cid}/montage", json={"montage_yaml": "channels: {}"}, headers=headers).status_code == 409
    rec = tiny_edf(tmp_path / "m.edf", seed=4).read_bytes()
    client.put(f"/api/cases/{cid}/recording", params={"filename": "m.edf"}, content=rec, headers=headers)
    bad = client.put(f"/api/cases/{cid}/montage", headers=headers,
                     json={"montage_yaml": "channels:\n  EMG R FDI: {kind: emg, muscle: FDX, side: right}\n"})
    assert bad.status_code == 422 and "FDX" in bad.json()["error"]
    good = client.put(f"/api/cases/{cid}/montage", headers=headers,
                      json={"montage_yaml": "channels:\n  EMG L FDI: {kind: emg, muscle: ADM, side: left}\n"})
    assert good.status_code == 200
    typed = {c["name"]: c["muscle"] for c in good.json()["recording"]["channels"]}
    assert typed == {"EMG R FDI": "FDI", "EMG L FDI": "ADM"}
    assert good.json()["montage_yaml"].startswith("channels:")


# ------------------------------------------------------------------------------- crash and resume


def test_failed_analysis_leaves_a_consistent_case(tmp_path, short_edf):
    data = tmp_path / "data"
    with make_client(data) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={}, headers=headers).json()["id"]
        client.put(f"/api/cases/{cid}/recording", params={"filename": "r.edf"}, content=short_edf.read_bytes(),
                   headers=headers)
        # the stored recording is damaged on disk after upload: the run must fail cleanly
        stored = next((data / "recordings").rglob("*.edf"))
        whole = stored.read_bytes()
        stored.write_bytes(whole[: len(whole) * 2 // 3])
        client.post(f"/api/cases/{cid}/analysis", headers=headers)
        status = wait_done(client, cid)
        assert status["status"] == "failed" and "truncated" in status["error"]
        assert status["error"].startswith("r.edf: ")  # named as the user knows it, not by its hash
        assert status["files"] == []
        page = client.get(f"/cases/{cid}")
        assert "The analysis failed" in page.text and "truncated" in page.text
    assert _counts(data)["results"] == 0


def test_interrupted_analysis_is_resumed_at_start(tmp_path):
    data = tmp_path / "data"
    with make_client(data) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={}, headers=headers).json()["id"]
        client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers)
    # simulate a server killed mid-analysis
    engine = create_engine(f"sqlite:///{data / 'myoclonus.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET status='running', progress=0.4 WHERE id=:id"), {"id": cid})
    engine.dispose()
    with make_client(data) as client:
        status = wait_done(client, cid)
        assert status["status"] == "done" and status["reports"] == ["clinician", "patient"]


def test_no_upload_or_intake_change_while_analysing(tmp_path):
    data = tmp_path / "data"
    with make_client(data, resume_unfinished=False) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={}, headers=headers).json()["id"]
        engine = create_engine(f"sqlite:///{data / 'myoclonus.sqlite3'}")
        with engine.begin() as conn:
            conn.execute(text("UPDATE cases SET status='running' WHERE id=:id"), {"id": cid})
        engine.dispose()
        rec = tiny_edf(tmp_path / "t.edf", seed=9).read_bytes()
        r = client.put(f"/api/cases/{cid}/recording", params={"filename": "t.edf"}, content=rec, headers=headers)
        assert r.status_code == 409 and "being analysed" in r.json()["error"]
        assert client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers).status_code == 409
        assert client.post(f"/api/cases/{cid}/analysis", headers=headers).status_code == 409
    assert _counts(data)["uploads"] == 0 and _stored_files(data) == []


def test_unfinished_uploads_are_cleared_at_start(tmp_path):
    leftover = tmp_path / "incoming" / "0123abcd" / "upload.edf"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"0       partial")
    with make_client(tmp_path):
        assert not leftover.parent.exists()


def test_search_treats_wildcards_literally(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        for label in ("100% follow-up", "ward_3", "ward 3"):
            client.post("/api/cases", json={"label": label}, headers=headers)
        assert [c["label"] for c in client.get("/api/cases", params={"q": "100%"}).json()] == ["100% follow-up"]
        assert [c["label"] for c in client.get("/api/cases", params={"q": "ward_"}).json()] == ["ward_3"]


def test_json_is_valid_for_every_listed_case(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        for label in ("a", "b", "c"):
            client.post("/api/cases", json={"label": label}, headers=headers)
        cases = client.get("/api/cases").json()
        assert sorted(c["label"] for c in cases) == ["a", "b", "c"]
        assert json.loads(json.dumps(cases)) == cases
        too_long = client.post("/api/cases", json={"label": "x" * 201}, headers=headers)
        assert too_long.status_code == 422 and too_long.json()["error"].startswith("invalid request: label:")
        not_json = client.put(f"/api/cases/{cases[0]['id']}/intake", content=b"schema: yaml", headers=headers)
        assert not_json.status_code == 422 and "error" in not_json.json()


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")  # rows deleted twice (bulk + ORM cascade) warn
def test_delete_case_removes_its_files_but_not_shared_recordings(tmp_path):
    data = tmp_path / "data"
    with make_client(data) as client:
        headers = csrf_headers(client)
        rec = tiny_edf(tmp_path / "shared.edf", seed=11).read_bytes()
        own = tiny_edf(tmp_path / "own.edf", seed=12).read_bytes()
        first, second = (client.post("/api/cases", json={"label": n}, headers=headers).json()["id"] for n in "ab")
        for cid, body in ((first, rec), (second, rec), (first, own)):
            assert client.put(f"/api/cases/{cid}/recording", params={"filename": "r.edf"}, content=body,
                              headers=headers).status_code == 200
        client.put(f"/api/cases/{first}/intake", json=INTAKE, headers=headers)
        client.post(f"/api/cases/{first}/analysis", headers=headers)
        assert wait_done(client, first)["status"] == "done"
        assert client.delete(f"/api/cases/{first}").status_code == 403  # CSRF
        assert client.delete(f"/api/cases/{first}", headers=headers).status_code == 204
        assert client.get(f"/api/cases/{first}").status_code == 404
        assert not (data / "cases" / first).exists()
        # the recording the other case still uses is kept; the first case's own one is gone
        stored = sorted(p.name for p in (data / "recordings").rglob("*.edf"))
        assert stored == [hashlib.sha256(rec).hexdigest() + ".edf"]
        assert client.get(f"/api/cases/{second}").json()["recording"]["sha256"] == hashlib.sha256(rec).hexdigest()
        # the page form needs the confirmation box
        page = client.get(f"/cases/{second}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post(f"/cases/{second}/delete", data={"csrf_token": token}).status_code == 400
        r = client.post(f"/cases/{second}/delete", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
        assert r.status_code == 303
    assert _counts(data) == {"cases": 0, "uploads": 0, "results": 0}
    assert _stored_files(data) == []
