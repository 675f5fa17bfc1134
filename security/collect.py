"""Fetch what the passive baseline examines: pages (crawled), API GET operations, error pages and CORS probes.

Every request is bounded (per-request timeout, body cap, page cap, crawl depth) and stays on the
target's origin: off-target links are not crawled and a redirect is followed only when it stays on
the origin. Nothing here changes server state. With the target description's credentials, the
pages that need them (and those that refused or redirected anonymously) are fetched again.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Literal
from urllib.parse import urlsplit

import httpx

from security.findings import normalise
from security.openapi import Operation
from security.rules.cors import FOREIGN_ORIGIN
from stagekit import bounded, html_links
from stagekit.auth import Credentials

Kind = Literal["page", "asset", "api", "error", "probe"]
_SKIP_LINK_WORDS = ("logout", "delete", "/static/", "/api/", "/download")
_UA = "release-harness-security-baseline/1"
_PER_ROUTE = 2
_GUARDED = {301, 302, 303, 307, 308, 401, 403}
_MISSING = "harness-security-404-check"


@dataclasses.dataclass(frozen=True, eq=False)
class Observation:
    """One response the rules examine, what it is, and the API operation it exercises (if any)."""

    kind: Kind
    response: httpx.Response
    operation: str | None = None


@dataclasses.dataclass(frozen=True)
class Options:
    """Bounds and inputs of one collection (pages and bounds from the target description)."""

    pages: tuple[str, ...] = ("/",)
    """Paths always fetched; the crawl starts from them."""
    auth_pages: tuple[str, ...] = ()
    """Paths that need the credentials (fetched anonymously when there are none)."""
    max_pages: int = 20
    """Most pages fetched: the crawl adds links only below it (listed pages are always fetched)."""
    max_assets: int = 10
    depth: int = 2
    timeout_s: float = 10.0
    max_body_bytes: int = 1_000_000
    credentials: Credentials = dataclasses.field(default_factory=Credentials)
    logout_pattern: str = r"/logout$"
    """Paths (regex) never followed: they would end the session (the auth recipe's ``logout_pattern``)."""


@dataclasses.dataclass
class Collection:
    """Everything fetched, plus the URLs that could not be fetched at all."""

    observations: list[Observation] = dataclasses.field(default_factory=list)
    unreachable: list[str] = dataclasses.field(default_factory=list)

    def first(self, kind: Kind) -> Observation | None:
        """The first observation of a kind (the home page is the first page)."""
        return next((o for o in self.observations if o.kind == kind), None)

    def landing(self, start: Observation) -> Observation:
        """The page a chain of same-origin redirects from ``start`` ended on (``start`` without one)."""
        chain = [start]
        while chain[-1].response.is_redirect:
            url = str(chain[-1].response.request.url)
            target = html_links.same_origin(url, chain[-1].response.headers.get("location", ""))
            hop = next((o for o in self.observations if o.kind == "page" and _url(o) == target), None)
            if hop is None or hop in chain:
                break
            chain.append(hop)
        return chain[-1]


class Collector:
    """Fetches with one client (carrying the credentials once authenticated) and records observations."""

    def __init__(self, base_url: str, options: Options, cancel: threading.Event) -> None:
        self.base = base_url.rstrip("/")
        self.options = options
        self.cancel = cancel
        self.found = Collection()
        self.client = httpx.Client(
            base_url=self.base, timeout=options.timeout_s, follow_redirects=False, headers={"user-agent": _UA}
        )
        self._seen: set[str] = set()
        self._routes: Counter[str] = Counter()
        self._queued = 0
        self._assets: set[str] = set()

    def close(self) -> None:
        """Release the connection pool."""
        self.client.close()

    def fetch(
        self, kind: Kind, method: str, url: str, operation: str | None = None, **kw: object
    ) -> httpx.Response | None:
        """One bounded request, recorded; None when cancelled or the target did not answer."""
        if self.cancel.is_set():
            return None
        request = self.client.build_request(method, url, **kw)  # type: ignore[arg-type]
        try:
            response = self.client.send(request, stream=True)
            try:
                # Past the cap the rules examine the first part: headers and the top of a page say enough.
                body, _complete = bounded.read_capped(response, self.options.max_body_bytes)
            finally:
                response.close()
        except httpx.HTTPError:
            self.found.unreachable.append(f"{method} {request.url}")
            return None
        settled = bounded.settled(response, body)
        self.found.observations.append(Observation(kind, settled, operation))
        return settled

    def crawl_pages(self, progress: Callable[[str], None]) -> None:
        """The listed pages (and the auth pages when there are no credentials), then what they link to."""
        anonymous = self.options.auth_pages if self.options.credentials.empty else ()
        self._crawl([self.base + path for path in ("/", *self.options.pages, *anonymous)], progress)

    def authenticate(self, progress: Callable[[str], None]) -> bool:
        """Carry the credentials from now on; fetch the auth pages and the pages that refused anonymously."""
        credentials = self.options.credentials
        if credentials.empty:
            return False
        self.client.headers.update(credentials.headers)
        for name, value in credentials.cookies.items():
            self.client.cookies.set(name, value)
        guarded = [_url(o) for o in self.found.observations if o.kind == "page" and o.response.status_code in _GUARDED]
        again = [*(self.base + path for path in self.options.auth_pages), *guarded]
        self._seen.difference_update(again)
        self._crawl(again, progress)
        return True

    def fetch_assets(self) -> None:
        """The same-origin scripts and stylesheets the pages use (up to the asset cap)."""
        for asset in sorted(self._assets):
            self.fetch("asset", "GET", asset)

    def _crawl(self, urls: Iterable[str], progress: Callable[[str], None]) -> None:
        """Breadth-first from ``urls`` (always fetched) over same-origin links, within depth and page cap."""
        queue: deque[tuple[str, int]] = deque()
        for url in urls:
            self._queue(queue, url, 0, listed=True)
        while queue:
            url, depth = queue.popleft()
            response = self.fetch("page", "GET", url, headers={"accept": "text/html"})
            progress(url)
            if response is None:
                continue
            if response.is_redirect:
                # Followed only on the origin, next in line: the page a visitor lands on.
                target = html_links.same_origin(url, response.headers.get("location", ""))
                if target is not None:
                    self._queue(queue, target, depth, listed=True, front=True)
            elif "html" in response.headers.get("content-type", ""):
                self._links(queue, url, html_links.parse(response.text), depth)

    def _queue(self, queue: deque[tuple[str, int]], url: str, depth: int, *, listed: bool, front: bool = False) -> None:
        if url in self._seen or (not listed and self._queued >= self.options.max_pages):
            return
        self._seen.add(url)
        self._queued += 1
        if front:
            queue.appendleft((url, depth))
        else:
            queue.append((url, depth))

    def _links(self, queue: deque[tuple[str, int]], url: str, found: html_links.PageLinks, depth: int) -> None:
        for href in found.assets:
            target = html_links.same_origin(url, href)
            if target and len(self._assets) < self.options.max_assets:
                self._assets.add(target)
        if depth >= self.options.depth:
            return
        for link in _followable(url, found.links, re.compile(self.options.logout_pattern)):
            route = _route_key(link)
            # Many links to one route (catalogue pages, ids) add nothing new to check.
            if link not in self._seen and self._routes[route] < _PER_ROUTE:
                self._routes[route] += 1
                self._queue(queue, link, depth + 1, listed=False)

    def operations(self, operations: Iterable[Operation]) -> None:
        """Fetch every API GET operation once."""
        for op in operations:
            self.fetch("api", "GET", op.path, op.template, params=op.query, headers={"accept": "application/json"})

    def error_pages(self, operations: list[Operation]) -> None:
        """A missing page, and with API operations a missing API route and a malformed parameter."""
        self.fetch("error", "GET", f"/{_MISSING}", headers={"accept": "text/html"})
        if not operations:
            return
        first = operations[0].path.strip("/").split("/")[0]
        self.fetch("error", "GET", f"/{first}/{_MISSING}", headers={"accept": "application/json"})
        with_int = next((op for op in operations if op.malformed_path), None)
        if with_int is not None and with_int.malformed_path:
            headers = {"accept": "application/json"}
            self.fetch("error", "GET", with_int.malformed_path, with_int.template, headers=headers)

    def cors_probes(self, operations: list[Operation], count: int = 3) -> None:
        """Resend the home page and a few API operations with a foreign Origin (ZAP 40040's probe)."""
        headers = {"origin": FOREIGN_ORIGIN}
        self.fetch("probe", "GET", "/", headers=headers)
        for op in operations[:count]:
            self.fetch("probe", "GET", op.path, op.template, params=op.query, headers=headers)


def _route_key(url: str) -> str:
    """Links that differ only in an id, slug or query count as one route (``/docs/*``)."""
    head, _, last = normalise("GET", url).rpartition("/")
    return f"{head}/*" if head.count("/") >= 1 and head != "GET " else f"{head}/{last}"


def _url(observation: Observation) -> str:
    return str(observation.response.request.url)


def _followable(page: str, hrefs: Iterable[str], logout: re.Pattern[str]) -> Iterable[str]:
    for href in hrefs:
        link = html_links.same_origin(page, href)
        if link and not any(word in link for word in _SKIP_LINK_WORDS) and not logout.search(urlsplit(link).path):
            yield link
