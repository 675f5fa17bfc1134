"""The target's OpenAPI document (3.x or Swagger 2.0), fetched or read and checked: one reader for
every stage and the coverage session.

A URL is fetched without following redirects (one could lead off the target). A document is read up
to `stagekit.bounded.OPENAPI_MAX_BYTES`: a larger file is a usage error, a larger answer a fetch error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from stagekit import bounded
from vocabulary.errors import ErrorKind, HarnessError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FETCH_TIMEOUT_S = 10.0


def load_document(source: str) -> dict[str, Any]:
    """Fetch (URL) or read (file) ``source`` and check it is an OpenAPI 3 (or Swagger 2) document."""
    text = _fetch(source) if source.startswith(("http://", "https://")) else _read(source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = _yaml(text, source)
    return _check(document, source)


def operation_labels(document: dict[str, Any]) -> tuple[str, ...]:
    """``METHOD /path`` of every operation of the document."""
    return tuple(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )


def _fetch(url: str) -> str:
    try:
        # Not following redirects: one could lead off the target.
        with httpx.Client(timeout=_FETCH_TIMEOUT_S, follow_redirects=False) as client:
            response = bounded.request(client, "GET", url, bounded.OPENAPI_MAX_BYTES)
    except httpx.HTTPError as exc:
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"cannot fetch the OpenAPI document {url}: {exc or type(exc).__name__}",
            tip="check the target is running and --openapi points at its schema (e.g. <target>/openapi.json)",
        ) from exc
    if response.status_code != 200:
        moved = f" (redirects to {response.headers.get('location')})" if response.is_redirect else ""
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"cannot fetch the OpenAPI document {url}: HTTP {response.status_code}{moved}",
            tip="check --openapi points at the target's schema itself (e.g. <target>/openapi.json)",
        )
    return response.text


def _read(path: str) -> str:
    tip = "pass a URL or an existing JSON/YAML file with --openapi"
    return bounded.read_file(Path(path), bounded.OPENAPI_MAX_BYTES, "OpenAPI file", tip)


def _yaml(text: str, source: str) -> Any:
    import yaml  # installed with Schemathesis; imported late since most schemas are JSON

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _not_openapi(source, "it is neither JSON nor YAML") from exc


def _check(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise _not_openapi(source, "the top level is not an object")
    version = str(document.get("openapi") or document.get("swagger") or "")
    if not version.startswith(("3.", "2.0")):
        found = f"version {version!r}" if version else "no 'openapi' version field"
        raise _not_openapi(source, f"expected 'openapi: 3.x' (or 'swagger: 2.0'), found {found}")
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise _not_openapi(source, "it has no 'paths'")
    return document


def _not_openapi(source: str, why: str) -> HarnessError:
    return HarnessError(
        ErrorKind.USAGE,
        f"{source} is not a valid OpenAPI document: {why}",
        tip="point --openapi at the target's OpenAPI JSON/YAML (e.g. <target>/openapi.json)",
    )
