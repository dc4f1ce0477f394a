"""Server-rendered pages: the intake form with messages beside each field, case list search, montage."""
from __future__ import annotations

import re
from pathlib import Path

from web_testkit import INTAKE, csrf_headers, make_client, tiny_edf


def _csrf(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def test_intake_form_round_trip_and_field_errors(tmp_path):
    with make_client(tmp_path) as client:
        home = client.get("/")
        r = client.post("/cases", data={"label": "follow-up", "csrf_token": _csrf(home.text)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("/intake")
        form_url = r.headers["location"]
        form = client.get(form_url)
        # every contract section is on the form
        for legend in ("The jerks", "History", "Medications", "Laboratory values", "Examination"):
            assert legend in form.text
        bad = {"csrf_token": _csrf(form.text), "patient.age_years": "sixty", "jerks.rhythm": "rhythmic",
               "jerks.body_regions": ["face", "hand_right"], "medications.0.name": "tramadol",
               "medications.0.started_days_ago": "-3", "labs.sodium_mmol_l": "128"}
        r = client.post(form_url, data=bad)
        assert r.status_code == 422
        # the message sits beside its field, the valid input is kept
        assert re.search(r'id="error-patient-age_years">expected a number or &#39;unknown&#39;, got &#39;sixty&#39;', r.text)
        assert 'id="error-medications-0-started_days_ago"' in r.text
        assert 'value="128"' in r.text and 'value="hand_right" checked' in r.text
        good = dict(bad, **{"patient.age_years": "67", "medications.0.started_days_ago": "3", "exam.asterixis": "true"})
        r = client.post(form_url, data=good, follow_redirects=False)
        assert r.status_code == 303
        cid = form_url.split("/")[2]
        intake = client.get(f"/api/cases/{cid}").json()["intake"]
        assert intake["patient"] == {"age_years": 67.0}
        assert intake["jerks"]["body_regions"] == ["face", "hand_right"]
        assert intake["medications"] == [{"name": "tramadol", "started_days_ago": 3.0}]
        assert intake["exam"] == {"asterixis": True}
        # the form shows the stored intake again
        again = client.get(form_url).text
        assert 'value="67"' in again and 'value="tramadol"' in again


def test_case_page_shows_the_detected_montage_and_takes_a_correction(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        cid = client.post("/api/cases", json={"label": "lab"}, headers=headers).json()["id"]
        client.put(f"/api/cases/{cid}/intake", json=INTAKE, headers=headers)
        rec = tiny_edf(tmp_path / "t.edf", seed=5)
        client.put(f"/api/cases/{cid}/recording", params={"filename": "t.edf"}, content=rec.read_bytes(), headers=headers)
        page = client.get(f"/cases/{cid}")
        assert "Detected montage" in page.text
        assert re.search(r"<td>EMG R FDI</td><td>emg</td><td>FDI</td><td>right</td>", page.text)
        token = _csrf(page.text)
        wrong = client.post(f"/cases/{cid}/montage", data={"csrf_token": token, "montage_yaml": "schema: nope"})
        assert wrong.status_code == 422 and "montage" in wrong.text
        montage = ("schema: myoclonus.montage/1\nchannels:\n  EMG R FDI: {kind: emg, muscle: APB, side: right}\n")
        r = client.post(f"/cases/{cid}/montage", data={"csrf_token": token, "montage_yaml": montage},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        assert re.search(r"<td>EMG R FDI</td><td>emg</td><td>APB</td>", client.get(f"/cases/{cid}").text)


def test_case_list_search(tmp_path):
    with make_client(tmp_path) as client:
        headers = csrf_headers(client)
        for label in ("Lance-Adams follow-up", "new referral", "sleep lab"):
            client.post("/api/cases", json={"label": label}, headers=headers)
        page = client.get("/", params={"q": "REFERRAL"})
        assert "new referral" in page.text and "sleep lab" not in page.text
        assert "No case matches" in client.get("/", params={"q": "zzz"}).text


def test_intake_import_from_yaml(tmp_path):
    example = (Path(__file__).resolve().parents[2] / "examples" / "tramadol_ckd.yaml").read_text(encoding="utf-8")
    with make_client(tmp_path) as client:
        cid = client.post("/api/cases", json={}, headers=csrf_headers(client)).json()["id"]
        page = client.get(f"/cases/{cid}/intake")
        token = _csrf(page.text)
        broken = client.post(f"/cases/{cid}/intake/import", data={"csrf_token": token, "document": "schema: [\n"})
        assert broken.status_code == 422 and "not valid YAML or JSON at line" in broken.text
        wrong = client.post(f"/cases/{cid}/intake/import",
                            data={"csrf_token": token, "document": "schema: myoclonus.intake/1\nonset: suden\n"})
        assert wrong.status_code == 422 and "Did you mean &#39;sudden&#39;" in wrong.text
        r = client.post(f"/cases/{cid}/intake/import", data={"csrf_token": token, "document": example},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        stored = client.get(f"/api/cases/{cid}").json()["intake"]
        import yaml

        assert stored == yaml.safe_load(example)


def test_oversized_form_is_refused_before_parsing(tmp_path):
    with make_client(tmp_path) as client:
        cid = client.post("/api/cases", json={}, headers=csrf_headers(client)).json()["id"]
        token = _csrf(client.get(f"/cases/{cid}/intake").text)
        r = client.post(f"/cases/{cid}/intake/import", data={"csrf_token": token, "document": "x" * 1_100_000})
        assert r.status_code == 413 and "at most 1000000" in r.text
        chunked = client.put(f"/api/cases/{cid}/intake", content=iter([b"{}"]), headers=csrf_headers(client))
        assert chunked.status_code == 411
