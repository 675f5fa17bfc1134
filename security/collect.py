"""Fetch what the passive baseline examines: pages (crawled), API GET operations, error pages and CORS probes.

Every request is bounded (per-request timeout, body cap, page cap, crawl depth) and stays on the
target's origin; nothing here changes server state except an optional form login.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Literal

import httpx

from security import crawl
from security.findings import normalise
from security.openapi import Operation
from security.rules.cors import FOREIGN_ORIGIN

Kind = Literal["page", "asset", "api", "error", "probe", "login"]
_SKIP_LINK_WORDS = ("logout", "delete", "/static/", "/api/", "/download")
_USER_FIELDS = ("username", "user", "login", "email")
_UA = "release-harness-security-baseline/1"
_PER_ROUTE = 2
_GUARDED = {301, 302, 303, 307, 308, 401, 403}


@dataclasses.dataclass(frozen=True)
class Observation:
    """One response the rules examine, what it is, and the API operation it exercises (if any)."""

    kind: Kind
    response: httpx.Response
    operation: str | None = None


@dataclasses.dataclass(frozen=True)
class Options:
    """Bounds and inputs of one collection."""

    seeds: tuple[str, ...] = ("/",)
    max_pages: int = 40
    max_assets: int = 10
    depth: int = 2
    timeout_s: float = 10.0
    max_body_bytes: int = 1_000_000
    username: str | None = None
    password: str | None = None


@dataclasses.dataclass
class Collection:
    """Everything fetched, plus the URLs that could not be fetched at all."""

    observations: list[Observation] = dataclasses.field(default_factory=list)
    unreachable: list[str] = dataclasses.field(default_factory=list)

    def first(self, kind: Kind) -> Observation | None:
        """The first observation of a kind (the home page is the first page)."""
        return next((o for o in self.observations if o.kind == kind), None)


class Collector:
    """Fetches with one client (keeping a session cookie after login) and records observations."""

    def __init__(self, base_url: str, options: Options, cancel: threading.Event) -> None:
        self.base = base_url.rstrip("/")
        self.options = options
        self.cancel = cancel
        self.found = Collection()
        self.client = httpx.Client(
            base_url=self.base, timeout=options.timeout_s, follow_redirects=False, headers={"user-agent": _UA}
        )

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
                body = _read_capped(response, self.options.max_body_bytes)
            finally:
                response.close()
        except httpx.HTTPError:
            self.found.unreachable.append(f"{method} {request.url}")
            return None
        # The body is already decoded, so the copy must not claim a content-encoding.
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
        settled = httpx.Response(response.status_code, headers=headers, content=body, request=request)
        self.found.observations.append(Observation(kind, settled, operation))
        return settled

    def crawl_pages(self, progress: Callable[[str], None]) -> None:
        """Breadth-first over same-origin links from the seeds, up to the page cap and depth."""
        queue = deque((self.base + seed, 0) for seed in self.options.seeds)
        seen: set[str] = {url for url, _ in queue}
        routes: Counter[str] = Counter(_route_key(url) for url in seen)
        assets: set[str] = set()
        pages = 0
        while queue and pages < self.options.max_pages:
            url, depth = queue.popleft()
            response = self.fetch("page", "GET", url, headers={"accept": "text/html"})
            pages += 1
            progress(url)
            if response is None or "html" not in response.headers.get("content-type", ""):
                continue
            found = crawl.parse(response.text)
            for href in found.assets:
                target = crawl.same_origin(url, href)
                if target and target not in assets and len(assets) < self.options.max_assets:
                    assets.add(target)
            if depth < self.options.depth:
                for link in _followable(url, found.links):
                    route = _route_key(link)
                    # Many links to one route (catalogue pages, model ids) add nothing new to check.
                    if link not in seen and routes[route] < _PER_ROUTE:
                        seen.add(link)
                        routes[route] += 1
                        queue.append((link, depth + 1))
        for asset in sorted(assets):
            self.fetch("asset", "GET", asset)

    def login(self) -> bool:
        """Submit the first form with a password field (CSRF fields kept), so session cookies are seen."""
        if not (self.options.username and self.options.password):
            return False
        for observation in list(self.found.observations):
            if observation.kind != "page" or "html" not in observation.response.headers.get("content-type", ""):
                continue
            for form in crawl.parse(observation.response.text).forms:
                if "password" in form.types.values():
                    return self._submit(str(observation.response.request.url), form)
        return False

    def _submit(self, page_url: str, form: crawl.Form) -> bool:
        data = dict(form.fields)
        for name, kind in form.types.items():
            if kind == "password":
                data[name] = self.options.password or ""
            elif name.lower() in _USER_FIELDS:
                data[name] = self.options.username or ""
        action = crawl.same_origin(page_url, form.action or page_url)
        if action is None:
            return False
        response = self.fetch("login", "POST", action, data=data)
        if response is None or response.status_code >= 400:
            return False
        self._refetch_guarded()
        return True

    def _refetch_guarded(self) -> None:
        """Pages that redirected or refused while anonymous are fetched again with the session."""
        guarded = [o for o in self.found.observations if o.kind == "page" and o.response.status_code in _GUARDED]
        for observation in [self.found.observations[0], *guarded]:
            self.fetch("page", "GET", str(observation.response.request.url), headers={"accept": "text/html"})

    def operations(self, operations: Iterable[Operation]) -> None:
        """Fetch every API GET operation once."""
        for op in operations:
            self.fetch("api", "GET", op.path, op.template, params=op.query, headers={"accept": "application/json"})

    def error_pages(self, operations: list[Operation]) -> None:
        """A missing page, a missing API route and a malformed parameter: how errors are rendered."""
        self.fetch("error", "GET", "/harness-security-404-check", headers={"accept": "text/html"})
        self.fetch("error", "GET", "/api/harness-security-404-check", headers={"accept": "application/json"})
        with_int = next((op for op in operations if op.int_params), None)
        if with_int is not None:
            malformed = with_int.path.replace("/1", "/not-a-number", 1)
            self.fetch("error", "GET", malformed, with_int.template, headers={"accept": "application/json"})

    def cors_probes(self, operations: list[Operation], count: int = 3) -> None:
        """Resend the home page and a few API operations with a foreign Origin (ZAP 40040's probe)."""
        headers = {"origin": FOREIGN_ORIGIN}
        self.fetch("probe", "GET", "/", headers=headers)
        for op in operations[:count]:
            self.fetch("probe", "GET", op.path, op.template, params=op.query, headers=headers)


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _route_key(url: str) -> str:
    """Links that differ only in an id, slug or query count as one route (``/wiki/*``)."""
    head, _, last = normalise("GET", url).rpartition("/")
    return f"{head}/*" if head.count("/") >= 1 and head != "GET " else f"{head}/{last}"


def _followable(page: str, hrefs: Iterable[str]) -> Iterable[str]:
    for href in hrefs:
        link = crawl.same_origin(page, href)
        if link and not any(word in link for word in _SKIP_LINK_WORDS):
            yield link
