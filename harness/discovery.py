"""What a running app offers, found by asking it: the OpenAPI document at the usual paths.

Used when the description names no OpenAPI document, and by ``harness init``. Every probe is a
plain GET to the target itself, with redirects not followed (a redirect could lead off loopback).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import httpx

from harness.description import TargetDescription
from harness.netguard import check_target_url

OPENAPI_PATHS = (
    "/openapi.json",
    "/swagger.json",
    "/openapi.yaml",
    "/swagger.yaml",
    "/v3/api-docs",
    "/v2/api-docs",
    "/api/openapi.json",
    "/api/swagger.json",
    "/api-docs",
    "/docs/openapi.json",
)
_TIMEOUT_S = 5.0


def openapi_location(description: TargetDescription, url: str, *, allow_remote: bool) -> str | None:
    """The OpenAPI document to use: the description's (a path on the app, a URL or a file), else the
    first usual path that serves one; None when the app has none."""
    chosen = description.openapi
    if chosen.startswith("/") and not Path(chosen).is_file():
        return url + chosen
    if chosen.startswith(("http://", "https://")):
        return check_target_url(chosen, allow_remote=allow_remote)
    if chosen:
        return str(Path(chosen).expanduser())
    return find_openapi(url)


def find_openapi(url: str) -> str | None:
    """The URL of the first usual path answering with an OpenAPI 3.x or Swagger 2.0 document."""
    with httpx.Client(timeout=_TIMEOUT_S, follow_redirects=False) as client:
        for path in OPENAPI_PATHS:
            with contextlib.suppress(httpx.HTTPError):
                response = client.get(url + path)
                if response.is_success and looks_like_openapi(response.text):
                    return url + path
    return None


def looks_like_openapi(text: str) -> bool:
    """True for a JSON or YAML document with a top-level ``openapi`` or ``swagger`` version key."""
    head = text.lstrip()[:2000]
    if head.startswith("{"):
        with contextlib.suppress(ValueError):
            data = json.loads(text)
            return isinstance(data, dict) and ("openapi" in data or "swagger" in data) and "paths" in data
        return False
    return any(line.startswith(("openapi:", "swagger:")) for line in head.splitlines())
