"""A generic user for any target: weighted GET traffic derived from its OpenAPI document.

Every GET operation without a security requirement becomes a weighted request (weight from an
``x-load-weight`` extension, else 1) named by its path template, with path parameters from the
document's examples (or generated from the schema). A wrong status or an undecodable JSON body
is a failure, exactly as in the hand-written users.
"""

from __future__ import annotations

import dataclasses
import json
import random
import urllib.parse
import urllib.request
from typing import Any

from locust import FastHttpUser, task

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


class OpenApiUser(FastHttpUser):
    """Sends the document's GET operations in proportion to their weights."""

    operations: list[Operation] = []
    think_s = (0.5, 2.0)
    think_scale = 1.0

    def wait_time(self) -> float:
        """Random think time, scaled."""
        return random.uniform(*self.think_s) * self.think_scale

    @task
    def call(self) -> None:
        """One weighted-random operation with a status and body check."""
        op = random.choices(self.operations, weights=[o.weight for o in self.operations])[0]
        with self.client.get(op.url(), name=op.template, catch_response=True) as resp:
            if not 200 <= resp.status_code < 300:
                resp.failure(f"expected 2xx, got {resp.status_code}")
            elif op.json_body:
                try:
                    resp.json()
                except ValueError:
                    resp.failure("declared JSON, body is not JSON")
