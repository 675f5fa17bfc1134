"""The foreign apps themselves, over real HTTP on loopback: routes, contracts, login, faults, request log."""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.foreign_apps import notes, shelf
from tests.foreign_apps.fixtures import RunningApp, notes_app, parse_log_line, shelf_app, start_app
from tests.foreign_apps.notes_store import DEFAULT_PASSWORD
from tests.foreign_apps.runtime import FAULTS_ENV, parse_options

__all__ = ["notes_app", "shelf_app"]  # imported fixtures, used by name below

MARKETPLACE_PATHS = ("/openapi.json", "/health", "/metrics", "/api/models")


@pytest.fixture(scope="module")
def shelf_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One clean shelf for the read-only tests of this module."""
    with start_app("shelf", tmp_path_factory.mktemp("shelf")) as app:
        yield app.url


@pytest.fixture(scope="module")
def notes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One clean notes site for the tests of this module that do not count requests."""
    with start_app("notes", tmp_path_factory.mktemp("notes")) as app:
        yield app.url


def _client(url: str, *, follow_redirects: bool = False) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=10.0, follow_redirects=follow_redirects)


# Shelf: what it serves and what it does not.


def test_shelf_describes_itself_with_swagger_2_only(shelf_url: str) -> None:
    with _client(shelf_url) as client:
        document = client.get("/swagger.json").json()
        absent = {path: client.get(path).status_code for path in MARKETPLACE_PATHS}
    assert document["swagger"] == "2.0"
    assert set(document["paths"]) == {"/books", "/books/{bookId}", "/authors", "/authors/{authorId}", "/stats"}
    assert absent == dict.fromkeys(MARKETPLACE_PATHS, 404)


def test_shelf_pages_are_html_with_security_headers(shelf_url: str) -> None:
    with _client(shelf_url) as client:
        home, docs = client.get("/"), client.get("/docs")
    assert '<html lang="en">' in home.text and 'href="/docs"' in home.text
    assert "GET /books/{bookId}" in docs.text and 'href="/swagger.json"' in docs.text
    assert home.headers["content-security-policy"].startswith("default-src 'self'")
    assert home.headers["x-content-type-options"] == "nosniff"
    assert home.headers["x-frame-options"] == "DENY"
    assert home.headers["referrer-policy"] == "no-referrer"


def test_shelf_lists_and_filters_books(shelf_url: str) -> None:
    with _client(shelf_url) as client:
        default, poetry = client.get("/books"), client.get("/books", params={"limit": 50, "genre": "poetry"})
    assert default.headers["content-type"] == "application/json"
    assert default.json()["count"] == 10
    assert poetry.json()["items"] and {b["genre"] for b in poetry.json()["items"]} == {"poetry"}


@pytest.mark.parametrize(
    "target",
    ["/books?limit=0", "/books?limit=51", "/books?limit=%205", "/books?limit=1&limit=2", "/books?genre=cooking",
     "/books/abc", "/books/0", "/books/99999999999999999999", "/authors/x"],
)  # fmt: skip
def test_shelf_rejects_bad_input_with_a_json_400(shelf_url: str, target: str) -> None:
    with _client(shelf_url) as client:
        response = client.get(target)
    assert response.status_code == 400
    assert "error" in response.json()


def test_shelf_books_and_authors(shelf_url: str) -> None:
    with _client(shelf_url) as client:
        book, missing = client.get("/books/20"), client.get("/books/21000")
        author = client.get(f"/authors/{book.json()['authorId']}")
        authors, stats = client.get("/authors"), client.get("/stats")
    assert book.json()["id"] == 20 and missing.status_code == 404
    assert 20 in author.json()["bookIds"]
    assert len(authors.json()) == 6
    assert stats.json()["books"] >= 20


def test_shelf_adds_and_deletes_books(shelf_url: str) -> None:
    new = {"title": "Field Notes", "authorId": 3, "genre": "science", "year": 2001}
    with _client(shelf_url) as client:
        created = client.post("/books", json=new)
        book_id = created.json()["id"]
        deleted, again = client.delete(f"/books/{book_id}"), client.delete(f"/books/{book_id}")
        seed = client.delete("/books/1")
        bad = client.post("/books", json={**new, "pages": 3})
        not_json = client.post("/books", content=b"title=x", headers={"content-type": "text/plain"})
    assert created.status_code == 201 and created.json() == {"id": book_id, **new}
    assert (deleted.status_code, again.status_code, seed.status_code) == (204, 404, 409)
    assert (bad.status_code, not_json.status_code) == (400, 415)


def test_shelf_answers_405_with_allow(shelf_url: str) -> None:
    with _client(shelf_url) as client:
        response = client.put("/books")
        options = client.options("/books/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert options.status_code == 204 and options.headers["allow"] == "DELETE, GET, HEAD, OPTIONS"


# Shelf faults.


def test_shelf_server_error_fails_every_fifth_list(tmp_path: Path) -> None:
    with start_app("shelf", tmp_path, faults=["server-error"]) as app, _client(app.url) as client:
        statuses = [client.get("/books").status_code for _ in range(10)]
        book = client.get("/books/1")
    assert statuses == [200, 200, 200, 200, 500] * 2
    assert book.status_code == 200


def test_shelf_slow_endpoint_delays_single_books_only(tmp_path: Path) -> None:
    with start_app("shelf", tmp_path, faults=["slow-endpoint"]) as app, _client(app.url) as client:
        book_s = _elapsed(client, "/books/1")
        list_s = _elapsed(client, "/books")
    assert book_s >= shelf.SLOW_ENDPOINT_S
    assert list_s < book_s


def test_shelf_missing_header_strips_html_pages_only(tmp_path: Path) -> None:
    with start_app("shelf", tmp_path, faults=["missing-header"]) as app, _client(app.url) as client:
        page, api = client.get("/"), client.get("/books")
    assert "content-security-policy" not in page.headers and "x-content-type-options" not in page.headers
    assert page.headers["x-frame-options"] == "DENY"
    assert api.headers["x-content-type-options"] == "nosniff"


def _elapsed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    client.get(path).raise_for_status()
    return time.perf_counter() - started


# The request log (shared by both apps) and the process contract.


def test_shelf_request_log_records_each_request(shelf_app: RunningApp) -> None:
    with _client(shelf_app.url) as client:
        client.get("/books", params={"limit": 2})
        client.get("/books/404404")
        client.post("/books", json={})
    logged = shelf_app.requests()
    assert logged[0] == ("GET", "/", 200)  # the readiness probe
    assert logged[-3:] == [("GET", "/books?limit=2", 200), ("GET", "/books/404404", 404), ("POST", "/books", 400)]
    assert not set(shelf_app.paths()) & set(MARKETPLACE_PATHS)


def test_notes_request_log_keeps_the_raw_target(notes_app: RunningApp) -> None:
    with _client(notes_app.url) as client:
        client.get("/notes/%31", params={"q": "a b"})
    assert notes_app.requests()[-1] == ("GET", "/notes/%31?q=a+b", 200)


def test_log_lines_parse() -> None:
    assert parse_log_line("GET /books?limit=5 200") == ("GET", "/books?limit=5", 200)


def test_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_options("shelf", shelf.FAULTS, ["--port", "1"], env={FAULTS_ENV: "slow-endpoit"})
    assert exit_info.value.code == 2
    assert "Did you mean 'slow-endpoint'?" in capsys.readouterr().err


def test_faults_come_from_the_environment_unless_flagged() -> None:
    from_env = parse_options("notes", notes.FAULTS, ["--port", "1"], env={FAULTS_ENV: "slow-page, missing-alt"})
    flagged = parse_options("notes", notes.FAULTS, ["--port", "1", "--faults", ""], env={FAULTS_ENV: "slow-page"})
    assert from_env.faults == {"slow-page", "missing-alt"}
    assert flagged.faults == frozenset()


@pytest.mark.parametrize("name", ["shelf", "notes"])
def test_sigterm_exits_cleanly(tmp_path: Path, name: str) -> None:
    with start_app(name, tmp_path) as app:
        app.process.send_signal(signal.SIGTERM)
        assert app.process.wait(10) == 0
    assert f"listening on {app.url}" in app.output.read_text()


# Notes: pages, crawl, no API description.


def test_notes_has_no_api_description(notes_url: str) -> None:
    with _client(notes_url) as client:
        statuses = {path: client.get(path).status_code for path in (*MARKETPLACE_PATHS, "/swagger.json", "/docs")}
    assert set(statuses.values()) == {404}


def test_notes_crawl_from_home_reaches_every_page(notes_url: str) -> None:
    found = _crawl(notes_url)
    assert {"/", "/notes", "/about", "/account", "/login"} <= found
    assert {f"/notes/{n}" for n in range(1, 9)} <= found


def _crawl(url: str) -> set[str]:
    seen: set[str] = set()
    queue = ["/"]
    with _client(url, follow_redirects=True) as client:
        while queue:
            path = queue.pop()
            if path in seen or path == "/logout":
                continue
            seen.add(path)
            queue += re.findall(r'href="(/[^"]*)"', client.get(path).text)
    return {path for path in seen if not path.startswith("/static/")}


def test_notes_pages_share_a_nav_and_headers(notes_url: str) -> None:
    with _client(notes_url) as client:
        pages = [client.get(path) for path in ("/", "/notes", "/notes/1", "/about", "/login")]
    for page in pages:
        assert page.status_code == 200 and '<nav aria-label="Main">' in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.headers["x-content-type-options"] == "nosniff"
    assert 'alt="Notes logo"' in pages[0].text


# Notes: login by form and by API.


def test_notes_form_login_sets_a_session_cookie(notes_url: str) -> None:
    with _client(notes_url) as client:
        anonymous = client.get("/account")
        refused = client.post("/login", data={"username": "alice", "password": "nope"})
        accepted = client.post("/login", data={"username": "alice", "password": DEFAULT_PASSWORD})
        account = client.get("/account")
        client.get("/logout")
        after = client.get("/account")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login")
    assert refused.status_code == 200 and "Wrong username or password." in refused.text
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/account")
    cookie = accepted.headers["set-cookie"]
    assert cookie.startswith(f"{notes.COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert account.status_code == 200 and "Signed in as <strong>alice</strong>" in account.text
    assert after.status_code == 303


def test_notes_api_login_and_note_creation(notes_url: str) -> None:
    note = {"title": "From the API", "body": "hello"}
    with _client(notes_url) as client:
        denied = client.post("/api/notes", json=note)
        wrong = client.post("/api/login", json={"username": "alice", "password": "x"})
        token = client.post("/api/login", json={"username": "alice", "password": DEFAULT_PASSWORD}).json()
    with _client(notes_url) as bearer:
        created = bearer.post("/api/notes", json=note, headers={"Authorization": f"Bearer {token['token']}"})
        invalid = bearer.post("/api/notes", json={"title": ""}, headers={"Authorization": f"Bearer {token['token']}"})
        fetched = bearer.get(created.headers["location"])
    assert (denied.status_code, wrong.status_code) == (401, 401)
    assert created.status_code == 201 and fetched.json() == created.json()
    assert invalid.status_code == 400


def test_notes_password_comes_from_the_environment(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, env={notes.PASSWORD_ENV: "another-pw"}) as app, _client(app.url) as client:
        default = client.post("/api/login", json={"username": "alice", "password": DEFAULT_PASSWORD})
        custom = client.post("/api/login", json={"username": "alice", "password": "another-pw"})
    assert (default.status_code, custom.status_code) == (401, 200)


def test_notes_api_reads_notes(notes_url: str) -> None:
    with _client(notes_url) as client:
        listing, one, missing = client.get("/api/notes"), client.get("/api/notes/2"), client.get("/api/notes/x")
    assert len(listing.json()["items"]) >= 8
    assert one.json()["id"] == 2 and missing.status_code == 404
    assert json.loads(missing.text) == {"error": "no such note"}


# Notes faults.


def test_notes_missing_alt_drops_the_logo_alt(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, faults=["missing-alt"]) as app, _client(app.url) as client:
        home = client.get("/").text
    assert '<img src="/static/logo.svg" width="48"' in home and "alt=" not in home


def test_notes_missing_header_strips_every_response(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, faults=["missing-header"]) as app, _client(app.url) as client:
        responses = [client.get("/"), client.get("/api/notes")]
    for response in responses:
        assert "content-security-policy" not in response.headers and "x-content-type-options" not in response.headers
        assert response.headers["x-frame-options"] == "DENY"


def test_notes_server_error_fails_every_fifth_api_list(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, faults=["server-error"]) as app, _client(app.url) as client:
        statuses = [client.get("/api/notes").status_code for _ in range(5)]
        page = client.get("/notes")
    assert statuses == [200, 200, 200, 200, 500] and page.status_code == 200
    assert app.requests()[-2] == ("GET", "/api/notes", 500)


@pytest.mark.slow
def test_notes_slow_page_delays_the_notes_list_only(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, faults=["slow-page"]) as app, _client(app.url) as client:
        list_s = _elapsed(client, "/notes")
        home_s = _elapsed(client, "/")
    assert list_s >= notes.SLOW_PAGE_S
    assert home_s < 1.0
