"""Content-Security-Policy rules: header not set (10038) and weak policies (10055)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from security import csp
from security.rules import Confidence, Hit, Risk, rule
from security.rules.http import has_body, is_html, is_redirect


@rule("10038", "Content Security Policy (CSP) Header Not Set", Risk.MEDIUM, Confidence.HIGH, 693)
def csp_missing(response: httpx.Response) -> Iterator[Hit]:
    """HTML pages need an enforced Content-Security-Policy header."""
    page = is_html(response) and not is_redirect(response) and has_body(response)
    if page and csp.of_response(response) is None:
        yield Hit(evidence="")


@rule("10055", "CSP: weak directive", Risk.MEDIUM, Confidence.HIGH, 693)
def csp_weak(response: httpx.Response) -> Iterator[Hit]:
    """The policy leaves script execution, plugins or framing unrestricted (one hit per weakness)."""
    policy = csp.of_response(response)
    if policy is None:
        return
    evidence = response.headers.get("content-security-policy", "")
    if not policy.valid:
        yield Hit(evidence, "content-security-policy", "CSP: the policy could not be parsed")
    if csp.allows_inline_script(policy):
        yield Hit(evidence, "script-src", "CSP: script-src unsafe-inline (or no script restriction)")
    if "'unsafe-eval'" in (policy.sources("script-src") or ()):
        yield Hit(evidence, "script-src", "CSP: script-src unsafe-eval")
    if csp.is_wide_open(policy.sources("script-src")):
        yield Hit(evidence, "script-src", "CSP: Wildcard Directive (script-src)")
    if csp.is_wide_open(policy.sources("object-src")):
        yield Hit(evidence, "object-src", "CSP: Wildcard Directive (object-src)")
    if not policy.has("frame-ancestors"):
        yield Hit(evidence, "frame-ancestors", "CSP: Failure to Define Directive with No Fallback")
