"""What a running app offers, found by asking it: the OpenAPI document at the usual paths.

Used when the description names no OpenAPI document, and by ``harness init``. Every probe is a
plain GET to the target itself, with redirects not followed (a redirect could lead off loopback).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import httpx

from stagekit import bounded
from stagekit.description import TargetDescription
from stagekit.netguard import RemoteHosts, allowed_hosts, check_allowed_url

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


def openapi_location(description: TargetDescription, url: str, *, allow_remote: RemoteHosts) -> str | None:
    """The OpenAPI document to use: the description's (a path on the app, a URL or a file), else the
    first usual path that serves one; None when the app has none. A URL must be on a host the run may
    reach (`stagekit.netguard.allowed_hosts`)."""
    chosen = description.openapi
    file = openapi_file(description)
    if file is not None:
        return str(file)
    if chosen.startswith("/"):
        return url + chosen
    if chosen.startswith(("http://", "https://")):
        return check_allowed_url(chosen, allowed_hosts(url, allow_remote), "the OpenAPI document")
    return find_openapi(url)


def openapi_file(description: TargetDescription) -> Path | None:
    """The description's OpenAPI document when it names a local file: a relative path, or an absolute one
    that exists and is no folder (a device such as ``/dev/zero`` too: the size limit refuses it)."""
    chosen = description.openapi
    if not chosen or chosen.startswith(("http://", "https://")):
        return None
    path = Path(chosen).expanduser()
    on_disk = path.exists() and not path.is_dir()
    return path if on_disk or not chosen.startswith("/") else None


def find_openapi(url: str) -> str | None:
    """The URL of the first usual path answering with an OpenAPI 3.x or Swagger 2.0 document."""
    with httpx.Client(timeout=_TIMEOUT_S, follow_redirects=False) as client:
        for path in OPENAPI_PATHS:
            with contextlib.suppress(httpx.HTTPError):
                if _serves_openapi(client, url + path):
                    return url + path
    return None


def _serves_openapi(client: httpx.Client, url: str) -> bool:
    """One usual path, read up to the document size limit. A larger answer that starts like a document
    still counts: the stages then fail on its size, which says more than "the app has no OpenAPI"."""
    with client.stream("GET", url) as response:
        if not response.is_success:
            return False
        body, complete = bounded.read_capped(response, bounded.OPENAPI_MAX_BYTES)
    text = body.decode("utf-8", errors="replace")
    return looks_like_openapi(text) if complete else _starts_like_openapi(text)


def looks_like_openapi(text: str) -> bool:
    """True for a JSON or YAML document with a top-level ``openapi`` or ``swagger`` version key."""
    if text.lstrip().startswith("{"):
        with contextlib.suppress(ValueError):
            data = json.loads(text)
            return isinstance(data, dict) and ("openapi" in data or "swagger" in data) and "paths" in data
        return False
    return _starts_like_openapi(text)


def _starts_like_openapi(text: str) -> bool:
    """The first 2000 characters hold a top-level ``openapi``/``swagger`` version key (JSON or YAML)."""
    head = text.lstrip()[:2000]
    if head.startswith("{"):
        return any(f'"{key}"' in head for key in ("openapi", "swagger"))
    return any(line.startswith(("openapi:", "swagger:")) for line in head.splitlines())
