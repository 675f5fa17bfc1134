"""Weighted GET operations derived from any target's OpenAPI document (pure; no Locust here).

Every GET operation without a security requirement becomes a weighted request (weight from an
``x-load-weight`` extension, else 1) named by its path template, with path parameters from the
document's examples (or generated from the schema).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.parse
import urllib.request
from typing import Any

SKIP_PATHS = ("/metrics",)
"""Not API traffic: scraping it under load would only measure the exporter."""


@dataclasses.dataclass(frozen=True)
class Operation:
    """One GET operation with concrete parameter values."""

    template: str
    path_params: dict[str, str]
    weight: float
    json_body: bool

    def url(self) -> str:
        """The template with its path parameters filled in."""
        path = self.template
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        return path


def example(param: dict[str, Any]) -> str:
    """A value for a parameter: its example, the schema's example, enum, default, or a made-up one."""
    schema = param.get("schema") or {}
    named: dict[str, Any] = param.get("examples") or {}
    for candidate in (
        param.get("example"),
        next((e.get("value") for e in named.values() if isinstance(e, dict)), None),
        (schema.get("examples") or [None])[0],
        schema.get("example"),
        (schema.get("enum") or [None])[0],
        schema.get("default"),
    ):
        if candidate is not None:
            return str(candidate)
    return str(schema.get("minimum", 1)) if schema.get("type") in ("integer", "number") else "example"


def operations(doc: dict[str, Any]) -> list[Operation]:
    """The GET operations a load test can send without credentials."""
    global_security = doc.get("security") or []
    ops = []
    for template, item in doc.get("paths", {}).items():
        op = item.get("get")
        if op is None or template in SKIP_PATHS or op.get("security", global_security):
            continue
        params = [*item.get("parameters", []), *op.get("parameters", [])]
        path_params = {p["name"]: example(p) for p in params if p.get("in") == "path"}
        if any(p.get("required") and p.get("in") not in ("path", "query") for p in params):
            continue  # required headers/cookies we cannot invent honestly
        content = (op.get("responses", {}).get("200") or {}).get("content") or {}
        ops.append(Operation(template, path_params, float(op.get("x-load-weight", 1)), "application/json" in content))
    return ops


def load_document(source: str) -> dict[str, Any]:
    """The OpenAPI document from a URL or a file path."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as resp:
            data: dict[str, Any] = json.load(resp)
            return data
    with open(source, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
        return loaded
