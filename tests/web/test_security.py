"""Access token, CSRF, Host check, escaping and headers, exercised through real requests."""
from __future__ import annotations

from web_testkit import csrf_headers, make_client


def test_state_changes_need_the_csrf_token(tmp_path):
    with make_client(tmp_path) as client:
        r = client.post("/api/cases", json={"label": "x"})
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
        r = client.post("/api/cases", json={"label": "x"}, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403
        # an HTML form posted without the hidden field (as a cross-site form would be)
        page = client.post("/cases", data={"label": "x"})
        assert page.status_code == 403 and "CSRF" in page.text
        assert client.get("/api/cases").json() == []
        assert client.post("/api/cases", json={"label": "x"}, headers=csrf_headers(client)).status_code == 201


def test_token_is_required_when_configured(tmp_path):
    with make_client(tmp_path, token="s3cret-token") as client:
        r = client.get("/api/cases")
        assert r.status_code == 401 and "access token" in r.json()["error"]
        assert client.get("/").status_code == 401
        assert client.get("/api/cases", headers={"Authorization": "Bearer wrong"}).status_code == 401
        bearer = {"Authorization": "Bearer s3cret-token"}
        assert client.get("/api/cases", headers=bearer).status_code == 200
        # Bearer-authenticated calls carry no ambient credential: no CSRF token needed
        assert client.post("/api/cases", json={"label": "api"}, headers=bearer).status_code == 201
        # the browser opens /?token=... once: cookie set, token removed from the address
        r = client.get("/?token=s3cret-token&q=api", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/?q=api"
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert client.get("/?q=api").status_code == 200
        # cookie-authenticated (browser) requests still need the CSRF token
        assert client.post("/api/cases", json={"label": "x"}).status_code == 403


def test_loopback_bind_refuses_foreign_host_headers(tmp_path):
    with make_client(tmp_path, allowed_hosts=("127.0.0.1", "localhost")) as client:
        r = client.get("/api/cases")  # TestClient sends Host: testserver
        assert r.status_code == 400 and "unexpected Host header" in r.text
        assert client.get("/api/cases", headers={"Host": "localhost:8000"}).status_code == 200


def test_user_text_is_escaped_and_headers_are_strict(tmp_path):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with make_client(tmp_path) as client:
        cid = client.post("/api/cases", json={"label": evil}, headers=csrf_headers(client)).json()["id"]
        for url in ("/", f"/cases/{cid}", f"/cases/{cid}/intake"):
            page = client.get(url)
            assert page.status_code == 200
            assert evil not in page.text and "&lt;script&gt;alert(" in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["x-frame-options"] == "DENY"


def test_openapi_schema_lists_the_api(tmp_path):
    with make_client(tmp_path) as client:
        schema = client.get("/openapi.json").json()
        paths = schema["paths"]
        for path in ("/api/cases", "/api/cases/{case_id}/intake", "/api/cases/{case_id}/recording",
                     "/api/cases/{case_id}/analysis", "/api/cases/{case_id}/status",
                     "/api/cases/{case_id}/files/{name}", "/api/cases/{case_id}/reports/{audience}"):
            assert path in paths, path
        assert "application/octet-stream" in paths["/api/cases/{case_id}/recording"]["put"]["requestBody"]["content"]
        assert not any(p.startswith("/cases") for p in paths)  # pages are not part of the API schema
