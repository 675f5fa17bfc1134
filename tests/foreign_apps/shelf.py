"""Shelf: a bookshelf JSON API on plain WSGI (stdlib only), described by Swagger 2.0 at /swagger.json.

Run: ``python -m tests.foreign_apps.shelf --port 8123 [--request-log PATH] [--faults a,b]``.
Nothing here resembles the bundled marketplace on purpose: no /openapi.json, no /health, no
/metrics, no auth, camelCase ids, HTTP/1.0 answers from a threading stdlib server.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from tests.foreign_apps import runtime
from tests.foreign_apps.runtime import Reply, RequestLog, announce, parse_options, request_target, security_headers
from tests.foreign_apps.shelf_catalogue import AUTHORS, GENRES, INT64_MAX, Shelf, find_author, validate_new_book
from tests.foreign_apps.shelf_pages import FAVICON_SVG, docs_page, home_page
from tests.foreign_apps.shelf_swagger import LIMIT_DEFAULT, LIMIT_MAX, swagger_document

FAULTS: dict[str, str] = {
    "slow-endpoint": "GET /books/{bookId} sleeps 300 ms before answering",
    "server-error": "every 5th GET /books answers a JSON 500",
    "missing-header": "HTML pages lose X-Content-Type-Options and Content-Security-Policy",
}
SLOW_ENDPOINT_S = 0.3
SERVER_ERROR_EVERY = 5
MAX_BODY_BYTES = 1024 * 1024
STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
    500: "Internal Server Error",
}  # fmt: skip
_INTEGER = re.compile(r"-?[0-9]{1,25}")  # ASCII digits only: int() would also take " 5" or Arabic digits
_SWAGGER = json.dumps(swagger_document(), indent=2).encode()
log = logging.getLogger("shelf")


def json_reply(status: int, payload: object) -> Reply:
    return Reply(status, json.dumps(payload).encode(), "application/json")


def error_reply(status: int, message: str) -> Reply:
    return json_reply(status, {"error": message})


@dataclass(frozen=True)
class Request:
    """The parts of a WSGI environ the handlers read."""

    method: str
    path: str
    query: dict[str, list[str]]
    environ: WSGIEnvironment = field(repr=False)

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment) -> Request:
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return cls(environ["REQUEST_METHOD"].upper(), environ.get("PATH_INFO") or "/", query, environ)

    def target(self) -> str:
        """The request target as sent (raw path when the server kept it) for the request log."""
        raw = self.environ.get("RAW_PATH") or quote(self.path)
        return request_target(raw, self.environ.get("QUERY_STRING", ""))


Handler = Callable[[Request, Sequence[str]], Reply]


class ShelfApp:
    """The WSGI callable: route, answer, add headers, log."""

    def __init__(self, faults: frozenset[str], request_log: RequestLog) -> None:
        self.faults = faults
        self.request_log = request_log
        self.shelf = Shelf()
        self._list_calls = 0
        self._list_lock = threading.Lock()
        self.routes: tuple[tuple[re.Pattern[str], dict[str, Handler]], ...] = (
            (re.compile(r"/"), {"GET": self.home}),
            (re.compile(r"/docs"), {"GET": self.docs}),
            (re.compile(r"/swagger\.json"), {"GET": self.swagger}),
            (re.compile(r"/favicon\.svg"), {"GET": self.favicon}),
            (re.compile(r"/books"), {"GET": self.list_books, "POST": self.add_book}),
            (re.compile(r"/books/([^/]*)"), {"GET": self.get_book, "DELETE": self.delete_book}),
            (re.compile(r"/authors"), {"GET": self.list_authors}),
            (re.compile(r"/authors/([^/]*)"), {"GET": self.get_author}),
            (re.compile(r"/stats"), {"GET": self.stats}),
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        reply = self._answer(request)
        headers = self._headers(reply)
        start_response(f"{reply.status} {STATUS_TEXT.get(reply.status, 'Unknown')}", headers)
        self.request_log.record(request.method, request.target(), reply.status)
        return [] if request.method == "HEAD" else [reply.body]

    def _answer(self, request: Request) -> Reply:
        try:
            return self._dispatch(request)
        except Exception:  # the one boundary: a bug answers a JSON 500 instead of wsgiref's text page
            log.exception("unhandled error on %s %s", request.method, request.path)
            return error_reply(500, "internal error")

    def _dispatch(self, request: Request) -> Reply:
        found = runtime.route(self.routes, request.method, request.path)
        if found is None:
            return error_reply(404, f"no route for {request.path}")
        if found.handler is not None:
            return found.handler(request, found.groups)
        if request.method == "OPTIONS":
            return Reply(204, headers=(found.allow,))
        return replace(error_reply(405, f"{request.method} is not allowed here"), headers=(found.allow,))

    def _headers(self, reply: Reply) -> list[tuple[str, str]]:
        is_html = (reply.content_type or "").startswith("text/html")
        headers = security_headers(drop_protective=is_html and "missing-header" in self.faults)
        headers += [("Server", "shelf"), ("Content-Length", str(len(reply.body))), *reply.headers]
        if reply.content_type:
            headers.append(("Content-Type", reply.content_type))
        return headers

    # Pages and the API description.

    def home(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, home_page(), "text/html; charset=utf-8")

    def docs(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, docs_page(), "text/html; charset=utf-8")

    def favicon(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, FAVICON_SVG, "image/svg+xml")

    def swagger(self, request: Request, groups: Sequence[str]) -> Reply:
        return Reply(200, _SWAGGER, "application/json")

    # Books.

    def list_books(self, request: Request, groups: Sequence[str]) -> Reply:
        if "server-error" in self.faults and self._nth_list_call() % SERVER_ERROR_EVERY == 0:
            return error_reply(500, "the shelf index is unavailable")
        limit, problem = _query_int(request.query, "limit", LIMIT_DEFAULT, LIMIT_MAX)
        genre, genre_problem = _query_one(request.query, "genre")
        if genre is not None and genre not in GENRES:
            genre_problem = f"genre must be one of {', '.join(GENRES)}"
        if problem or genre_problem:
            return error_reply(400, problem or genre_problem)
        books = self.shelf.list(limit, genre)
        return json_reply(200, {"items": books, "count": len(books)})

    def _nth_list_call(self) -> int:
        with self._list_lock:
            self._list_calls += 1
            return self._list_calls

    def get_book(self, request: Request, groups: Sequence[str]) -> Reply:
        if "slow-endpoint" in self.faults:
            time.sleep(SLOW_ENDPOINT_S)
        book_id = _path_id(groups[0])
        if book_id is None:
            return error_reply(400, "bookId must be a positive integer")
        book = self.shelf.get(book_id)
        return json_reply(200, book) if book else error_reply(404, f"no book {book_id}")

    def add_book(self, request: Request, groups: Sequence[str]) -> Reply:
        body, problem = _read_json(request.environ)
        if problem:
            return problem
        fields, reason = validate_new_book(body)
        if fields is None:
            return error_reply(400, reason)
        return json_reply(201, self.shelf.add(fields))

    def delete_book(self, request: Request, groups: Sequence[str]) -> Reply:
        book_id = _path_id(groups[0])
        if book_id is None:
            return error_reply(400, "bookId must be a positive integer")
        outcome = self.shelf.delete(book_id)
        if outcome == "protected":
            return error_reply(409, f"book {book_id} belongs to the seed catalogue")
        if outcome == "missing":
            return error_reply(404, f"no book {book_id}")
        # Swagger 2.0 declares media types per operation (`produces`), not per response, so even the
        # body-less 204 names the operation's JSON type; a contract check would otherwise flag it.
        return Reply(204, content_type="application/json")

    # Authors and counts.

    def list_authors(self, request: Request, groups: Sequence[str]) -> Reply:
        return json_reply(200, [find_author(author["id"]) for author in AUTHORS])

    def get_author(self, request: Request, groups: Sequence[str]) -> Reply:
        author_id = _path_id(groups[0])
        if author_id is None:
            return error_reply(400, "authorId must be a positive integer")
        author = find_author(author_id)
        return json_reply(200, author) if author else error_reply(404, f"no author {author_id}")

    def stats(self, request: Request, groups: Sequence[str]) -> Reply:
        return json_reply(200, self.shelf.stats())


def _path_id(text: str) -> int | None:
    """A path id within the documented 1..int64 range, else None (-> 400)."""
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= INT64_MAX else None


def _query_one(query: dict[str, list[str]], name: str) -> tuple[str | None, str]:
    """``(value or None, "")``, or ``(None, problem)`` when the parameter is repeated (the spec allows one)."""
    values = query.get(name)
    if values is None:
        return None, ""
    if len(values) > 1:
        return None, f"{name} given {len(values)} times"
    return values[0], ""


def _query_int(query: dict[str, list[str]], name: str, default: int, maximum: int) -> tuple[int, str]:
    """``(value, "")`` or ``(default, problem)``."""
    text, problem = _query_one(query, name)
    if text is None or problem:
        return default, problem
    if not _INTEGER.fullmatch(text) or not 1 <= int(text) <= maximum:
        return default, f"{name} must be an integer from 1 to {maximum}"
    return int(text), ""


def _read_json(environ: WSGIEnvironment) -> tuple[Any, Reply | None]:
    """The parsed JSON body, or the error reply for a non-JSON, oversized or malformed one."""
    media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return None, error_reply(415, "send the book as application/json")
    length_text = environ.get("CONTENT_LENGTH") or "0"
    length = int(length_text) if length_text.isdigit() else -1
    if length > MAX_BODY_BYTES:
        return None, error_reply(413, "the body is larger than 1 MiB")
    if length < 0:
        return None, error_reply(400, "bad Content-Length")
    try:
        return json.loads(environ["wsgi.input"].read(length)), None
    except (ValueError, RecursionError):  # JSONDecodeError, undecodable bytes, too many digits, deep nesting
        return None, error_reply(400, "the body is not valid JSON")


class _Handler(WSGIRequestHandler):
    """wsgiref's handler, quiet (the app keeps its own log), keeping the raw path and naming no version."""

    server_version = "shelf"
    sys_version = ""

    def get_environ(self) -> dict[str, str]:
        environ = super().get_environ()
        environ["RAW_PATH"] = self.path.partition("?")[0]
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingMixIn, WSGIServer):
    """One daemon thread per connection and a deep accept queue, so a load test's bursts are queued, not refused."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGTERM ends the process the way Ctrl-C does, so both leave through the same clean path.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM."""
    options = parse_options("shelf", FAULTS, argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    request_log = RequestLog(options.request_log)
    app = ShelfApp(options.faults, request_log)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with make_server(options.host, options.port, app, _Server, _Handler) as server:
            announce(options.host, server.server_port)
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        request_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
