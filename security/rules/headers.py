"""Missing protective headers: anti-clickjacking (10020), nosniff (10021), HSTS (10035), Permissions-Policy (10063)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from security import csp
from security.rules import Confidence, Hit, Risk, rule
from security.rules.http import has_body, is_error, is_html, is_https, is_redirect


@rule("10020", "Missing Anti-clickjacking Header", Risk.MEDIUM, Confidence.MEDIUM, 1021)
def anti_clickjacking(response: httpx.Response) -> Iterator[Hit]:
    """HTML pages need X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors."""
    if not is_html(response) or is_redirect(response) or not has_body(response):
        return
    policy = csp.of_response(response)
    if policy is not None and policy.has("frame-ancestors"):
        return
    xfo = response.headers.get("x-frame-options")
    if xfo is None:
        yield Hit(evidence="", param="x-frame-options")
    elif xfo.strip().upper() not in {"DENY", "SAMEORIGIN"}:
        yield Hit(evidence=xfo, param="x-frame-options", other="X-Frame-Options has an invalid value")


@rule("10021", "X-Content-Type-Options Header Missing", Risk.LOW, Confidence.MEDIUM, 693)
def nosniff(response: httpx.Response) -> Iterator[Hit]:
    """Non-error responses with a body need X-Content-Type-Options: nosniff."""
    if not has_body(response) or is_error(response) or is_redirect(response):
        return
    value = response.headers.get("x-content-type-options", "")
    if value.strip().lower() != "nosniff":
        yield Hit(evidence=value, param="x-content-type-options")


@rule("10035", "Strict-Transport-Security Header Not Set", Risk.LOW, Confidence.HIGH, 319)
def hsts(response: httpx.Response) -> Iterator[Hit]:
    """HTTPS responses need Strict-Transport-Security (browsers ignore it over http)."""
    if is_https(response) and "strict-transport-security" not in response.headers:
        yield Hit(evidence="")


@rule("10063", "Permissions Policy Header Not Set", Risk.LOW, Confidence.MEDIUM, 693)
def permissions_policy(response: httpx.Response) -> Iterator[Hit]:
    """HTML pages should restrict powerful browser features with Permissions-Policy."""
    if not is_html(response) or is_redirect(response) or not has_body(response):
        return
    if "permissions-policy" not in response.headers and "feature-policy" not in response.headers:
        yield Hit(evidence="")
