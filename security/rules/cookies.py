"""Cookie flags: no HttpOnly (10010), no Secure over https (10011), no or bad SameSite (10054)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from security import cookies
from security.rules import Confidence, Hit, Risk, rule
from security.rules.http import is_https

_SAME_SITE = {"strict", "lax", "none"}


def _live(response: httpx.Response) -> Iterator[cookies.SetCookie]:
    return (c for c in cookies.of_response(response) if not c.is_deletion)


@rule("10010", "Cookie No HttpOnly Flag", Risk.LOW, Confidence.MEDIUM, 1004)
def no_http_only(response: httpx.Response) -> Iterator[Hit]:
    """A cookie readable by scripts can be stolen through XSS."""
    for cookie in _live(response):
        if not cookie.http_only:
            yield Hit(evidence=cookie.raw, param=cookie.name)


@rule("10011", "Cookie Without Secure Flag", Risk.LOW, Confidence.MEDIUM, 614)
def no_secure(response: httpx.Response) -> Iterator[Hit]:
    """Over https, a cookie without Secure may later leak over plain http (ZAP checks https only)."""
    if not is_https(response):
        return
    for cookie in _live(response):
        if not cookie.secure:
            yield Hit(evidence=cookie.raw, param=cookie.name)


@rule("10054", "Cookie without SameSite Attribute", Risk.LOW, Confidence.MEDIUM, 1275)
def no_same_site(response: httpx.Response) -> Iterator[Hit]:
    """A cookie without SameSite Lax/Strict rides along on cross-site requests (CSRF)."""
    for cookie in _live(response):
        same_site = cookie.same_site
        if same_site is None:
            yield Hit(evidence=cookie.raw, param=cookie.name)
        elif same_site not in _SAME_SITE:
            yield Hit(cookie.raw, cookie.name, "Cookie with Invalid SameSite Attribute")
        elif same_site == "none":
            yield Hit(cookie.raw, cookie.name, "Cookie with SameSite Attribute None")
