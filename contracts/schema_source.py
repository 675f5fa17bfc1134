"""The target's OpenAPI document: fetched or read once, checked, saved as an artifact, indexed."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import httpx

from harness.errors import ErrorKind, HarnessError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FETCH_TIMEOUT_S = 10.0


@dataclasses.dataclass(frozen=True)
class ApiSchema:
    """A loaded OpenAPI document and the labels (``METHOD /path``) of its operations."""

    document: dict[str, Any]
    operations: tuple[str, ...]

    def bearer_scheme(self) -> str | None:
        """The name of the first security scheme that takes an ``Authorization: Bearer`` token."""
        # OpenAPI 3 keeps schemes under components; Swagger 2.0 under securityDefinitions.
        schemes = self.document.get("components", {}).get("securitySchemes") or self.document.get(
            "securityDefinitions", {}
        )
        for name, scheme in schemes.items():
            kind = scheme.get("type")
            if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in (
                "oauth2",
                "openIdConnect",
            ):
                return str(name)
        return None

    def select(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> tuple[str, ...]:
        """Operations matching any include regex (all when none) and no exclude regex."""
        chosen = [op for op in self.operations if not include or any(re.search(p, op) for p in include)]
        return tuple(op for op in chosen if not any(re.search(p, op) for p in exclude))


def load(source: str) -> ApiSchema:
    """Fetch (URL) or read (file) ``source`` and check it is an OpenAPI 3 (or Swagger 2) document."""
    text = _fetch(source) if source.startswith(("http://", "https://")) else _read(source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = _yaml(text, source)
    return ApiSchema(document=_check(document, source), operations=_operations(document))


def save(schema: ApiSchema, path: Path) -> Path:
    """Write the document as JSON so the run can be replayed against the exact schema tested."""
    path.write_text(json.dumps(schema.document, indent=2), encoding="utf-8")
    return path


def _fetch(url: str) -> str:
    try:
        # Not following redirects: one could lead off the target.
        response = httpx.get(url, timeout=_FETCH_TIMEOUT_S, follow_redirects=False)
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
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(
            ErrorKind.USAGE,
            f"cannot read the OpenAPI file {path}: {exc}",
            tip="pass a URL or an existing JSON/YAML file with --openapi",
        ) from exc


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


def _operations(document: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )
