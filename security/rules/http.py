"""Small response predicates shared by the passive rules (what ZAP's helper calls isHtml, isPage...)."""

from __future__ import annotations

import httpx


def is_html(response: httpx.Response) -> bool:
    """The response is an HTML document."""
    return "html" in response.headers.get("content-type", "").lower()


def is_redirect(response: httpx.Response) -> bool:
    """3xx: ZAP's header rules skip redirects because browsers never render them."""
    return 300 <= response.status_code < 400


def is_error(response: httpx.Response) -> bool:
    """4xx or 5xx."""
    return response.status_code >= 400


def is_https(response: httpx.Response) -> bool:
    """The request went over TLS."""
    return response.request.url.scheme == "https"


def has_body(response: httpx.Response) -> bool:
    """The response carries content (HEAD-like and 204 responses do not)."""
    return bool(response.content)


def is_static(response: httpx.Response) -> bool:
    """Public static content (styles, scripts, images, fonts) that carries no user data."""
    kind = response.headers.get("content-type", "").lower()
    return kind.startswith(("image/", "font/", "text/css")) or "javascript" in kind
