"""Read the target's OpenAPI document and turn its GET operations into concrete, fetchable paths."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_PARAM = re.compile(r"\{([^}]+)\}")


@dataclasses.dataclass(frozen=True)
class Operation:
    """One GET operation: its template (``GET /items/{item_id}``) and a concrete path to fetch."""

    template: str
    path: str
    query: dict[str, str]
    malformed_path: str | None
    """The path with its first integer parameter set to a non-number (how the app renders a 4xx)."""
    secured: bool


def get_operations(document: dict[str, Any]) -> list[Operation]:
    """Every GET operation (OpenAPI 3.x or Swagger 2.0) with parameters filled from examples, defaults or types."""
    found: list[Operation] = []
    global_security = bool(document.get("security"))
    base = str(document.get("basePath", "")).rstrip("/")  # Swagger 2.0 only; OpenAPI 3 paths are absolute here
    for template, item in sorted(document.get("paths", {}).items()):
        operation = item.get("get") if isinstance(item, dict) else None
        if not isinstance(operation, dict):
            continue
        params = [*item.get("parameters", []), *operation.get("parameters", [])]
        concrete = _fill(template, base, params)
        if concrete is not None:
            secured = bool(operation.get("security", global_security or None))
            found.append(dataclasses.replace(concrete, secured=secured))
    return found


def _fill(template: str, base: str, params: list[dict[str, Any]]) -> Operation | None:
    path_values: dict[str, str] = {}
    query: dict[str, str] = {}
    ints: list[str] = []
    for param in params:
        value = _example(param)
        where, name = param.get("in"), param.get("name", "")
        if where == "path":
            if value is None:
                return None
            path_values[name] = value
            if _type(param) == "integer":
                ints.append(name)
        elif where == "query" and param.get("required"):
            if value is None:
                return None
            query[name] = value
    path = base + _PARAM.sub(lambda m: path_values.get(m.group(1), "1"), template)
    malformed = base + _PARAM.sub(lambda m: _malformed(m.group(1), ints[:1], path_values), template) if ints else None
    return Operation(f"GET {template}", path, query, malformed, secured=False)


def _malformed(name: str, broken: list[str], values: dict[str, str]) -> str:
    return "not-a-number" if name in broken else values.get(name, "1")


def _schema(param: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3 nests a parameter's type in ``schema``; Swagger 2.0 keeps it on the parameter."""
    schema = param.get("schema")
    return schema if isinstance(schema, dict) else param


def _type(param: dict[str, Any]) -> str:
    schema = _schema(param)
    kinds = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", []) if isinstance(s, dict)]
    return next((k for k in kinds if isinstance(k, str) and k != "null"), "string")


def _example(param: dict[str, Any]) -> str | None:
    """An example value: explicit example, then schema example/default/enum, then one by type (ids are 1)."""
    schema = _schema(param)
    examples = param.get("examples") or {}
    for value in (
        param.get("example"),
        param.get("x-example"),
        next((e.get("value") for e in examples.values() if isinstance(e, dict)), None),
        schema.get("example"),
        (schema.get("examples") or [None])[0],
        schema.get("default"),
        (schema.get("enum") or [None])[0],
    ):
        if value is not None:
            return str(value)
    return {"integer": "1", "number": "1", "boolean": "true", "string": "example"}.get(_type(param))
