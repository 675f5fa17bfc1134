"""The built-in passive baseline: fetch every known page and API GET operation, run the passive rules.

Pages come from the target description: its listed pages (and the home page), then a crawl of
same-origin links (depth and count bounded); API operations come from the OpenAPI document, when
the target has one, with path parameters filled from examples (ids are 1); error pages from a
missing route and a malformed parameter; CORS from probe requests carrying a foreign Origin. With
the description's credentials, its auth pages and the API are examined authenticated.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import httpx

from security import collect, cookies, grade, tls
from security.findings import Located
from security.openapi import Operation, get_operations
from security.rules import registered


@dataclasses.dataclass
class Baseline:
    """What the baseline fetched and found."""

    collection: collect.Collection
    operations: list[Operation]
    alerts: list[Located]
    authenticated: bool

    @property
    def urls_checked(self) -> int:
        """Responses the rules examined."""
        return len(self.collection.observations)

    def checked(self) -> list[dict[str, Any]]:
        """One line per fetched URL, for the alerts artifact."""
        return [
            {
                "kind": o.kind,
                "method": o.response.request.method,
                "url": str(o.response.request.url),
                "status": o.response.status_code,
                "operation": o.operation,
            }
            for o in self.collection.observations
        ]


def fetch(
    base_url: str,
    document: dict[str, Any] | None,
    options: collect.Options,
    cancel: threading.Event,
    progress: Callable[[str], None],
) -> Baseline:
    """Fetch pages, API operations, error pages and CORS probes; no rules run yet."""
    operations = get_operations(document) if document else []
    collector = collect.Collector(base_url, options, cancel)
    try:
        collector.crawl_pages(progress)
        authenticated = collector.authenticate(progress)
        collector.fetch_assets()
        collector.operations(operations)
        collector.error_pages(operations)
        collector.cors_probes(operations)
    finally:
        collector.close()
    return Baseline(collector.found, operations, [], authenticated)


def run_rules(baseline: Baseline, base_url: str, timeout_s: float) -> list[Located]:
    """Every registered passive rule over every response, plus the TLS checks for https targets."""
    rules = registered()
    located = [
        Located(alert, "baseline", obs.kind, obs.operation)
        for obs in baseline.collection.observations
        for item in rules
        for alert in item.apply(obs.response)
    ]
    located += [Located(alert, "baseline", "tls") for alert in tls.check(base_url, timeout_s)]
    baseline.alerts = located
    return located


def grade_inputs(baseline: Baseline, redirection: str) -> grade.Inputs | None:
    """The grade's inputs: the home page (after same-origin redirects), every cookie, its CORS probe."""
    home = baseline.collection.first("page")
    if home is None:
        return None
    home = baseline.collection.landing(home)
    probe = next(
        (o.response for o in baseline.collection.observations if o.kind == "probe" and o.operation is None), None
    )
    seen = [c for o in baseline.collection.observations for c in cookies.of_response(o.response)]
    return grade.Inputs(home.response, seen, probe, redirection)


def redirection(base_url: str, timeout_s: float) -> str:
    """Observatory's redirection outcome: does the plain-http origin send visitors to https?"""
    url = httpx.URL(base_url)
    if url.scheme == "http":
        return "redirection-missing"
    try:
        # Only the status and Location matter: the body is never read.
        with httpx.stream("GET", url.copy_with(scheme="http", port=None), timeout=timeout_s) as response:
            pass
    except httpx.HTTPError:
        return "redirection-not-needed-no-http"
    location = httpx.URL(response.headers.get("location", "")) if response.is_redirect else None
    if location is None:
        return "redirection-missing"
    if location.scheme != "https":
        return "redirection-not-to-https"
    return "redirection-to-https" if location.host in {"", url.host} else "redirection-off-host-from-http"
