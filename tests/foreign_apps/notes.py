"""Notes: a small notes site as a hand-written ASGI callable (no framework routing), served by uvicorn.

Run: ``python -m tests.foreign_apps.notes --port 8124 [--request-log PATH] [--faults a,b]``.
HTML pages with a form login (session cookie ``notes_session``) plus a small JSON API that also
takes ``Authorization: Bearer <token>``. No API description anywhere (no /openapi.json,
/swagger.json or /docs), no /health, no /metrics. The password is ``$NOTES_PASSWORD``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from tests.foreign_apps import notes_pages as pages
from tests.foreign_apps import runtime
from tests.foreign_apps.notes_store import DEFAULT_PASSWORD, Accounts, Notebook, validate_note
from tests.foreign_apps.runtime import Reply, RequestLog, announce, parse_options, request_target, security_headers

FAULTS: dict[str, str] = {
    "missing-alt": "the home page's logo <img> has no alt text",
    "missing-header": "every response loses X-Content-Type-Options and Content-Security-Policy",
    "slow-page": "the /notes page takes 3.5 s longer",
    "server-error": "every 5th GET /api/notes answers a JSON 500",
}
PASSWORD_ENV = "NOTES_PASSWORD"
COOKIE = "notes_session"
SLOW_PAGE_S = 3.5
SERVER_ERROR_EVERY = 5
MAX_BODY_BYTES = 64 * 1024
HTML = "text/html; charset=utf-8"
JSON = "application/json"

log = logging.getLogger("notes")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def html(body: bytes, status: int = 200) -> Reply:
    return Reply(status, body, HTML)


def json_response(status: int, payload: object, *headers: tuple[str, str]) -> Reply:
    return Reply(status, json.dumps(payload).encode(), JSON, headers)


def redirect(location: str, *headers: tuple[str, str]) -> Reply:
    # 303: after a form POST the browser follows with a GET, so a reload never re-posts the password.
    return Reply(303, b"", None, (("Location", location), *headers))


@dataclass(frozen=True)
class Request:
    """The parts of an ASGI HTTP scope (and its body) the handlers read."""

    method: str
    path: str
    target: str
    scheme: str
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    @classmethod
    def from_scope(cls, scope: Scope, body: bytes) -> Request:
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").lower()
            headers[key] = f"{headers[key]}, {value.decode('latin-1')}" if key in headers else value.decode("latin-1")
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        target = request_target(raw_path, scope.get("query_string", b"").decode("latin-1"))
        return cls(scope["method"].upper(), scope["path"], target, scope.get("scheme", "http"), headers, body)

    def cookie(self, name: str) -> str | None:
        # Several Cookie headers arrive joined by ", " (see from_scope); the tokens never hold commas.
        for part in self.headers.get("cookie", "").replace(",", ";").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None

    def token(self) -> str | None:
        """The bearer token if one is sent, else the session cookie."""
        scheme, _, credentials = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        return self.cookie(COOKIE)

    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


Handler = Callable[[Request, Sequence[str]], Awaitable[Reply]]


class NotesApp:
    """The ASGI callable: read the body, route, answer, add headers, log."""

    def __init__(self, faults: frozenset[str], request_log: RequestLog, password: str) -> None:
        self.faults = faults
        self.request_log = request_log
        self.notebook = Notebook()
        self.accounts = Accounts(password)
        self._api_list_calls = 0
        self.routes: tuple[tuple[re.Pattern[str], dict[str, Handler]], ...] = (
            (re.compile(r"/"), {"GET": self.home}),
            (re.compile(r"/notes"), {"GET": self.notes_page}),
            (re.compile(r"/notes/([^/]*)"), {"GET": self.note_page}),
            (re.compile(r"/about"), {"GET": self.about}),
            (re.compile(r"/login"), {"GET": self.login_form, "POST": self.login_submit}),
            (re.compile(r"/account"), {"GET": self.account}),
            (re.compile(r"/logout"), {"GET": self.logout}),
            (re.compile(r"/static/notes\.css"), {"GET": self.stylesheet}),
            (re.compile(r"/static/logo\.svg"), {"GET": self.logo}),
            (re.compile(r"/api/notes"), {"GET": self.api_list, "POST": self.api_create}),
            (re.compile(r"/api/notes/([^/]*)"), {"GET": self.api_note}),
            (re.compile(r"/api/login"), {"POST": self.api_login}),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, too_large = await _read_body(receive)
        request = Request.from_scope(scope, body)
        if too_large:
            response = json_response(413, {"error": "body larger than 64 KiB"})
        else:
            response = await self._answer(request)
        headers = self._headers(request, response)
        # Logged before the response leaves, so a client that has its answer always finds the line.
        self.request_log.record(request.method, request.target, response.status)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if request.method == "HEAD" else response.body})

    async def _answer(self, request: Request) -> Reply:
        try:
            return await self._route(request)
        except Exception:  # the one boundary: a bug answers a JSON 500 instead of uvicorn's text page
            log.exception("unhandled error on %s %s", request.method, request.path)
            return json_response(500, {"error": "internal error"})

    async def _route(self, request: Request) -> Reply:
        found = runtime.route(self.routes, request.method, request.path)
        if found is not None and found.handler is not None:
            return await found.handler(request, found.groups)
        if found is not None:
            return _not_allowed(request, found.allow)
        if request.path.startswith("/api/"):
            return json_response(404, {"error": f"no such endpoint {request.path}"})
        return html(pages.not_found(self._user(request)), 404)

    def _headers(self, request: Request, response: Reply) -> list[tuple[bytes, bytes]]:
        headers = security_headers(drop_protective="missing-header" in self.faults)
        headers += [("Content-Length", str(len(response.body))), *response.headers]
        if response.content_type:
            headers.append(("Content-Type", response.content_type))
        return [(name.lower().encode(), value.encode("latin-1")) for name, value in headers]

    def _user(self, request: Request) -> str | None:
        return self.accounts.user_for(request.token())

    # Pages.

    async def home(self, request: Request, groups: Sequence[str]) -> Reply:
        latest = self.notebook.all()[-3:][::-1]
        return html(pages.home(latest, self._user(request), logo_alt="missing-alt" not in self.faults))

    async def notes_page(self, request: Request, groups: Sequence[str]) -> Reply:
        if "slow-page" in self.faults:
            await asyncio.sleep(SLOW_PAGE_S)
        return html(pages.note_list(self.notebook.all(), self._user(request)))

    async def note_page(self, request: Request, groups: Sequence[str]) -> Reply:
        note = self.notebook.get(_note_id(groups[0]))
        if note is None:
            return html(pages.not_found(self._user(request)), 404)
        return html(pages.note_detail(note, self._user(request)))

    async def about(self, request: Request, groups: Sequence[str]) -> Reply:
        return html(pages.about(self._user(request)))

    async def login_form(self, request: Request, groups: Sequence[str]) -> Reply:
        return html(pages.login(self._user(request)))

    async def login_submit(self, request: Request, groups: Sequence[str]) -> Reply:
        if request.media_type() != "application/x-www-form-urlencoded":
            return html(pages.login(None, error="Send the login form as a form."), 415)
        form = parse_qs(request.body.decode("utf-8", "replace"))
        username = form.get("username", [""])[0]
        token = self.accounts.log_in(username, form.get("password", [""])[0])
        if token is None:
            return html(pages.login(None, error="Wrong username or password.", username=username))
        return redirect("/account", _session_cookie(token, request))

    async def account(self, request: Request, groups: Sequence[str]) -> Reply:
        user = self._user(request)
        if user is None:
            return redirect("/login")
        written = sum(1 for note in self.notebook.all() if note.author == user)
        return html(pages.account(user, written))

    async def logout(self, request: Request, groups: Sequence[str]) -> Reply:
        self.accounts.log_out(request.cookie(COOKIE))
        return redirect("/", _session_cookie("", request))

    async def stylesheet(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, pages.STYLESHEET, "text/css; charset=utf-8")

    async def logo(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, pages.LOGO_SVG, "image/svg+xml")

    # JSON API.

    async def api_list(self, request: Request, groups: Sequence[str]) -> Reply:
        self._api_list_calls += 1  # one event loop thread: no lock needed
        if "server-error" in self.faults and self._api_list_calls % SERVER_ERROR_EVERY == 0:
            return json_response(500, {"error": "the notebook is unavailable"})
        return json_response(200, {"items": [note.as_json() for note in self.notebook.all()]})

    async def api_note(self, request: Request, groups: Sequence[str]) -> Reply:
        note = self.notebook.get(_note_id(groups[0]))
        return json_response(200, note.as_json()) if note else json_response(404, {"error": "no such note"})

    async def api_create(self, request: Request, groups: Sequence[str]) -> Reply:
        user = self._user(request)
        if user is None:
            return json_response(401, {"error": "log in first"}, ("WWW-Authenticate", 'Bearer realm="notes"'))
        payload, problem = _json_body(request)
        if problem:
            return problem
        fields, reason = validate_note(payload)
        if fields is None:
            return json_response(400, {"error": reason})
        note = self.notebook.add(*fields, author=user)
        return json_response(201, note.as_json(), ("Location", f"/api/notes/{note.id}"))

    async def api_login(self, request: Request, groups: Sequence[str]) -> Reply:
        payload, problem = _json_body(request)
        if problem:
            return problem
        username, password = _credentials(payload)
        token = self.accounts.log_in(username, password) if username is not None and password is not None else None
        if token is None:
            return json_response(401, {"error": "wrong username or password"})
        return json_response(200, {"token": token}, _session_cookie(token, request))


def _note_id(text: str) -> int:
    """The id in a note path; 0 (never a note) for anything but plain digits."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


def _not_allowed(request: Request, allow: tuple[str, str]) -> Reply:
    if request.method == "OPTIONS":
        return Reply(204, headers=(allow,))
    if request.path.startswith("/api/"):
        return json_response(405, {"error": f"{request.method} is not allowed here"}, allow)
    return Reply(405, b"Method Not Allowed\n", "text/plain; charset=utf-8", (allow,))


def _session_cookie(token: str, request: Request) -> tuple[str, str]:
    """Set (or, for an empty token, clear) the session cookie; Secure only where the request came over TLS."""
    expiry = "" if token else "; Max-Age=0"
    secure = "; Secure" if request.scheme == "https" else ""
    return "Set-Cookie", f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{expiry}{secure}"


def _json_body(request: Request) -> tuple[Any, Reply | None]:
    if request.media_type() != JSON:
        return None, json_response(415, {"error": "send JSON (Content-Type: application/json)"})
    try:
        return json.loads(request.body), None
    except (ValueError, RecursionError):
        return None, json_response(400, {"error": "the body is not valid JSON"})


def _credentials(payload: object) -> tuple[str | None, str | None]:
    if not isinstance(payload, dict):
        return None, None
    username, password = payload.get("username"), payload.get("password")
    return (username if isinstance(username, str) else None), (password if isinstance(password, str) else None)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body, or ``(b"", True)`` once it passes the size limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


async def _lifespan(receive: Receive, send: Send) -> None:
    # Nothing to set up or tear down; answering keeps servers that run lifespan by default happy.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _serve(server: uvicorn.Server, host: str) -> None:
    """Run uvicorn and print the ready line once it accepts connections."""
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():
        await asyncio.sleep(0.05)
    if server.started:
        port = server.servers[0].sockets[0].getsockname()[1]
        announce(host, port)
    await serving


def _ignore(signum: int, frame: FrameType | None) -> None:
    # uvicorn handles SIGINT/SIGTERM during serve() and re-raises them afterwards; landing here
    # instead of in Python's defaults turns that into a normal exit with status 0.
    return


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM."""
    options = parse_options("notes", FAULTS, argv)
    request_log = RequestLog(options.request_log)
    app = NotesApp(options.faults, request_log, os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD)
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        lifespan="on",
        log_level="warning",
        access_log=False,  # the app keeps its own request log
        server_header=False,  # no "Server: uvicorn" for a passive scan to flag
        backlog=512,
        timeout_graceful_shutdown=2,  # a slow-page request must not hold up a stop
    )
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _ignore)
    try:
        asyncio.run(_serve(uvicorn.Server(config), options.host))
    finally:
        request_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
