"""Who may use the app and how requests are protected: access token, CSRF tokens, Host check, headers.

- **Access token** (required for any non-loopback bind): ``Authorization: Bearer <token>`` on API
  calls, or open ``/?token=<token>`` once in the browser, which stores it in an HTTP-only,
  SameSite=Strict cookie and redirects to the same page without it in the address.
- **CSRF** (double-submit): every response carries a random ``myoclonus_csrf`` cookie; state-changing
  requests must send the same value, as the ``csrf_token`` form field (HTML forms) or the
  ``X-CSRF-Token`` header (JavaScript and API clients; ``GET /api/session`` returns it). Requests
  authenticated by a Bearer header carry no ambient credential and need no CSRF token.
- **Host check** for a loopback bind (DNS-rebinding guard), and strict security headers (CSP without
  inline scripts, no framing, no referrer, no MIME sniffing).
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

__all__ = ["SecurityMiddleware", "CsrfError", "check_csrf", "CSRF_COOKIE", "CSRF_HEADER", "CSRF_FIELD", "AUTH_COOKIE",
           "APP_CSP", "REPORT_CSP"]

CSRF_COOKIE = "myoclonus_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
AUTH_COOKIE = "myoclonus_auth"
APP_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
#: Stored reports are self-contained: inline styles and embedded images only, no script, no fetches.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
_UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: Largest body of any request except a recording upload (forms and JSON are a few kB); refused unread.
MAX_BODY_BYTES = 1_000_000


def _is_upload(request: Request) -> bool:
    return request.method == "PUT" and request.url.path.startswith("/api/cases/") and request.url.path.endswith("/recording")


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


class CsrfError(Exception):
    """A state-changing request without the matching CSRF token (answered with 403)."""


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a state-changing request whose CSRF token does not match its cookie.

    Raises
    ------
    CsrfError
        The token is missing or does not match (answered with 403 by the app).
    """
    if getattr(request.state, "bearer", False):
        return
    if not _same(request.cookies.get(CSRF_COOKIE), submitted):
        raise CsrfError("missing or wrong CSRF token: reload the page and submit again (API clients: send the "
                        "'X-CSRF-Token' header with the value from GET /api/session).")


class SecurityMiddleware(BaseHTTPMiddleware):
    """Applies the access token, the Host check, the CSRF cookie and the security headers."""

    def __init__(self, app, *, token: str | None, allowed_hosts: tuple[str, ...] | None,  # noqa: ANN001
                 secure_cookies: bool = False) -> None:
        super().__init__(app)
        self.secure = secure_cookies
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def dispatch(self, request: Request, call_next):  # noqa: ANN201
        if self.allowed_hosts is not None:
            host = (request.headers.get("host") or "").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed_hosts:
                return PlainTextResponse(f"refused: unexpected Host header {host!r} (this server only answers on "
                                         f"{', '.join(sorted(self.allowed_hosts))}).", status_code=400)
        if request.method in _UNSAFE_METHODS and not _is_upload(request):
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                return JSONResponse({"error": f"the request body is {int(declared)} bytes; at most {MAX_BODY_BYTES} are "
                                              "accepted (recordings go to PUT /api/cases/<id>/recording)."}, status_code=413)
            if not declared.isdigit() and request.headers.get("transfer-encoding"):
                return JSONResponse({"error": "send a Content-Length with this request (chunked bodies are only "
                                              "accepted for recording uploads)."}, status_code=411)
        request.state.bearer = False
        if self.token:
            given = request.query_params.get("token")
            if given is not None and _same(given, self.token) and request.method == "GET":
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(AUTH_COOKIE, self.token, httponly=True, samesite="strict", secure=self.secure)
                return response
            header = request.headers.get("authorization", "")
            bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
            if _same(bearer, self.token):
                request.state.bearer = True
            elif not _same(request.cookies.get(AUTH_COOKIE), self.token):
                return self._unauthorised(request)
        csrf = request.cookies.get(CSRF_COOKIE)
        fresh = not csrf
        if fresh:
            csrf = secrets.token_urlsafe(24)
        request.state.csrf_token = csrf
        response: Response = await call_next(request)
        if fresh:
            response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=self.secure)
        headers = response.headers
        headers.setdefault("content-security-policy", APP_CSP)
        headers.setdefault("x-frame-options", "DENY")
        headers["x-content-type-options"] = "nosniff"
        headers["referrer-policy"] = "no-referrer"
        headers.setdefault("cache-control", "no-store")
        return response

    @staticmethod
    def _unauthorised(request: Request) -> Response:
        message = ("this server requires its access token: send 'Authorization: Bearer <token>' or open "
                   "/?token=<token> once in the browser (the token is printed when the server starts).")
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=401, headers={"www-authenticate": "Bearer"})
        return PlainTextResponse(message, status_code=401, headers={"www-authenticate": "Bearer"})
