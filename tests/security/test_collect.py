"""The baseline's fetcher stays on the target: off-target links and redirects are never followed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from security import collect
from tests.fixtures.servers import serve

OFF_TARGET = "http://192.0.2.1"  # TEST-NET-1 (RFC 5737): a request there would hang or fail, never answer
PAGES = {
    "/": (200, '<a href="/moved">in</a> <a href="/away">out</a> <a href="http://192.0.2.1/page">far</a>'),
    "/moved": (302, "/landing"),
    "/away": (302, f"{OFF_TARGET}/elsewhere"),
    "/landing": (200, "<p>landed</p>"),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, text = PAGES.get(self.path, (404, "missing"))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", text)
        self.send_header("Content-Type", "text/html")
        body = b"" if status == 302 else text.encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the collector's record instead."""


@pytest.fixture
def site() -> Iterator[str]:
    with serve(_Site) as url:
        yield url


def test_crawl_follows_same_origin_redirects_only(site: str) -> None:
    collector = collect.Collector(site, collect.Options(depth=2, timeout_s=2.0), threading.Event())
    try:
        collector.crawl_pages(lambda url: None)
    finally:
        collector.close()
    fetched = [
        (str(o.response.request.url).removeprefix(site), o.response.status_code) for o in collector.found.observations
    ]
    assert fetched == [("/", 200), ("/moved", 302), ("/landing", 200), ("/away", 302)]
    assert collector.found.unreachable == []
    home = collector.found.first("page")
    assert home is not None and collector.found.landing(home) is home
    moved = collector.found.observations[1]
    assert str(collector.found.landing(moved).response.request.url) == f"{site}/landing"
