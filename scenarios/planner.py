"""Build the generic user's plan in the stage's process: documented operations, or crawled pages.

- `openapi_plan`: the operations `openapi_ops` derives from the document; each GET is tried once
  against the target with its candidates in order and keeps the first one answered below 400, so
  the load measures the app, not made-up ids (a GET that only ever answers 5xx stays in: that is the
  app's error to show; one that only answers 4xx is left out with the statuses it got).
- `pages_plan`: a breadth-first crawl of same-origin links from ``/`` and the description's pages,
  bounded by its ``crawl_depth`` and ``max_pages``.

Every request goes to the target only, with the description's credentials and redirects not
followed (a same-origin redirect is crawled as a link; one leaving the origin is ignored).
"""

from __future__ import annotations

import re
import urllib.parse
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from scenarios import openapi_ops
from scenarios.plan import OPENAPI, PAGES, Plan, PlannedRequest
from stagekit import bounded, html_links
from stagekit.auth import Credentials
from stagekit.description import TargetDescription
from stagekit.openapi import load_document

TIMEOUT_S = 10.0
MAX_PROBES = 400
"""Trial requests before a run at most (beyond it, GETs keep their first candidate unchecked)."""


@contextmanager
def target_client(url: str, credentials: Credentials) -> Iterator[httpx.Client]:
    """An HTTP client for the target: its credentials on every request, no redirects followed."""
    with httpx.Client(
        base_url=url, headers=credentials.headers, cookies=credentials.cookies, timeout=TIMEOUT_S,
        follow_redirects=False,
    ) as client:  # fmt: skip
        yield client


def avoided(description: TargetDescription) -> tuple[str, ...]:
    """Paths no generic user requests: the auth recipe's logout pattern and the metrics endpoint."""
    metrics = (f"^{re.escape(description.metrics.path)}$",) if description.metrics.path else ()
    return (description.auth.logout_pattern, *metrics)


def openapi_plan(source: str, client: httpx.Client, selection: openapi_ops.Selection) -> Plan:
    """The document's sendable operations, each GET checked against the target."""
    operations, skipped = openapi_ops.operations(load_document(source), selection)
    probes = _Probes(client)
    requests: list[PlannedRequest] = []
    for op in operations:
        path, why_not = probes.choose(op) if op.method == "GET" else (op.attempts[0], None)
        if path is None:
            skipped[op.label] = why_not or "no valid request"
            continue
        requests.append(PlannedRequest(op.method, path, op.template, op.weight, op.body, op.json_response))
    return Plan(OPENAPI, source, tuple(requests), skipped)


class _Probes:
    """Tries candidate GETs, at most `MAX_PROBES` in all."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.sent = 0

    def choose(self, op: openapi_ops.Operation) -> tuple[str | None, str | None]:
        """The first candidate answered below 400 (or the first 5xx one); else None and why."""
        answers: list[str] = []
        server_error: str | None = None
        for path in op.attempts:
            if self.sent >= MAX_PROBES:
                return path, None
            status = self._status(path)
            if status is None or status < 400:
                return path, None  # unreachable now: the run itself will show it
            server_error = server_error or (path if status >= 500 else None)
            answers.append(f"{path} -> {status}")
        if server_error is not None:
            return server_error, None
        return None, "every candidate request was refused: " + ", ".join(answers)

    def _status(self, path: str) -> int | None:
        self.sent += 1
        try:
            with self.client.stream("GET", path) as response:  # the status is all it needs: no body read
                return response.status_code
        except httpx.HTTPError:
            return None


def pages_plan(description: TargetDescription, client: httpx.Client) -> Plan:
    """The same-origin pages a crawl from ``/`` (and the description's pages) finds answering below 400."""
    avoid = avoided(description)
    seeds = list(dict.fromkeys(["/", *description.pages]))
    queue = deque((seed, 0) for seed in seeds)
    seen = set(seeds)
    requests: list[PlannedRequest] = []
    skipped: dict[str, str] = {}
    base = str(client.base_url).rstrip("/")
    visited = 0
    while queue and visited < description.max_pages:
        path, depth = queue.popleft()
        visited += 1
        links, why_not = _visit(client, base, path)
        if why_not is not None:
            skipped[path] = why_not
            continue
        requests.append(PlannedRequest("GET", path, urllib.parse.urlsplit(path).path))
        for link in links if depth < description.crawl_depth else []:
            if link not in seen and not _avoided(link, avoid):
                seen.add(link)
                queue.append((link, depth + 1))
    return Plan(PAGES, f"crawl of {base} (depth {description.crawl_depth})", tuple(requests), skipped)


def _visit(client: httpx.Client, base: str, path: str) -> tuple[list[str], str | None]:
    """One page's same-origin links (a redirect's target counts as one), or why it is not a page."""
    try:
        accept = {"Accept": "text/html,*/*;q=0.8"}
        response = bounded.request(client, "GET", path, bounded.PAGE_MAX_BYTES, headers=accept)
    except bounded.BodyTooLarge as exc:
        return [], str(exc)
    except httpx.HTTPError as exc:
        return [], f"no answer: {exc!r}"
    if response.status_code >= 400:
        return [], f"answered HTTP {response.status_code}"
    page = base + path
    if response.is_redirect:
        hrefs = [response.headers.get("location", "")]
    elif "html" in response.headers.get("content-type", ""):
        hrefs = html_links.parse(response.text).links
    else:
        hrefs = []
    return [p for href in hrefs if (p := _local(page, href)) is not None], None


def _local(page: str, href: str) -> str | None:
    """``href`` as a path (with its query) on the page's origin; None when it leaves it."""
    absolute = html_links.same_origin(page, href)
    if absolute is None:
        return None
    parts = urllib.parse.urlsplit(absolute)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _avoided(link: str, patterns: tuple[str, ...]) -> bool:
    path = urllib.parse.urlsplit(link).path
    return any(re.search(pattern, path) for pattern in patterns)
