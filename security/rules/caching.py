"""Caching of sensitive responses: re-examine Cache-Control (10015) and storable-and-cacheable content (10049).

A response is sensitive when it is not a static asset and its request carried credentials
(Authorization or Cookie) or it sets a cookie; those must not be stored by shared caches.
Both are Informational in ZAP and are kept to sensitive responses here, because ZAP raises
10049 on every response, which is only noise.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from security.rules import Confidence, Hit, Risk, rule
from security.rules.http import is_error, is_static


def _directives(response: httpx.Response) -> set[str]:
    value = ",".join(response.headers.get_list("cache-control")).lower()
    return {part.strip().split("=", 1)[0] for part in value.split(",") if part.strip()}


def is_sensitive(response: httpx.Response) -> bool:
    """Non-static content answering a credentialed request, or setting a cookie."""
    request = response.request
    if is_static(response):
        return False
    return "authorization" in request.headers or "cookie" in request.headers or "set-cookie" in response.headers


@rule("10015", "Re-examine Cache-control Directives", Risk.INFO, Confidence.LOW, 525)
def cache_control(response: httpx.Response) -> Iterator[Hit]:
    """A sensitive response should say no-store (or at least no-cache and must-revalidate)."""
    if not is_sensitive(response) or is_error(response):
        return
    directives = _directives(response)
    if "no-store" not in directives and not {"no-cache", "must-revalidate"} <= directives:
        yield Hit(evidence=response.headers.get("cache-control", ""), param="cache-control")


@rule("10049", "Storable and Cacheable Content", Risk.INFO, Confidence.MEDIUM, 524)
def shared_cacheable(response: httpx.Response) -> Iterator[Hit]:
    """A sensitive response that a shared cache may store and serve to someone else."""
    if not is_sensitive(response) or is_error(response):
        return
    directives = _directives(response)
    if directives & {"no-store", "private"}:
        return
    if directives & {"public", "max-age", "s-maxage"} or "expires" in response.headers:
        yield Hit(evidence=response.headers.get("cache-control", ""), param="cache-control")
