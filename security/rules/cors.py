"""Permissive CORS: wildcard origin (10098) and reflected or null origins, worst with credentials (40040).

ZAP's 40040 is an active rule: it resends requests with a foreign ``Origin``. The baseline sends
such probe requests too (see `security.collect`), so this pure rule sees the probe's response.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from security.rules import Confidence, Hit, Risk, rule

FOREIGN_ORIGIN = "https://harness-cors-probe.example"
"""The origin the baseline's CORS probes send; a server that echoes it trusts anyone."""


def _cors(response: httpx.Response) -> tuple[str, bool]:
    origin = response.headers.get("access-control-allow-origin", "").strip()
    credentials = response.headers.get("access-control-allow-credentials", "").strip().lower() == "true"
    return origin, credentials


@rule("10098", "Cross-Domain Misconfiguration", Risk.MEDIUM, Confidence.MEDIUM, 264)
def wildcard_origin(response: httpx.Response) -> Iterator[Hit]:
    """Access-Control-Allow-Origin: * lets any site read the response."""
    origin, _ = _cors(response)
    if origin == "*":
        yield Hit(evidence="Access-Control-Allow-Origin: *", param="access-control-allow-origin")


@rule("40040", "CORS Misconfiguration", Risk.MEDIUM, Confidence.MEDIUM, 942)
def permissive_origin(response: httpx.Response) -> Iterator[Hit]:
    """A reflected or null origin is Medium, High when credentials are allowed too."""
    origin, credentials = _cors(response)
    sent = response.request.headers.get("origin")
    reflected = bool(sent) and origin == sent
    if reflected or origin == "null":
        risk = Risk.HIGH if credentials else Risk.MEDIUM
        yield Hit(f"Access-Control-Allow-Origin: {origin}", "origin", risk=risk)
    elif origin == "*" and credentials:
        yield Hit("Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true", "origin")
