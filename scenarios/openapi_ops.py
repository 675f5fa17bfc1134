"""Requests for the generic API user, derived from any OpenAPI 3.x or Swagger 2.0 document (pure).

Each operation becomes a few candidate requests with concrete values, best first: a parameter's
own example (``example``, ``x-example``, ``examples``), its default, its enum, then values generated
from its schema (integers count up from their minimum or 1, so an id parameter tries ``1``, ``2``,
``3``). Only required query parameters are filled in. GET is sent by default; POST, PUT, PATCH and
DELETE only when asked (``unsafe``), with a JSON body built the same way. An operation that cannot
be sent honestly (it needs auth nobody described, a header only the app's clients know, a form
body) is left out with the reason, never sent broken.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any

SAFE_METHODS = ("GET",)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_ATTEMPTS = 4
"""Candidate requests per operation (the stage tries GETs in order until one is answered < 400)."""
_DEPTH = 8
"""Nesting depth of generated bodies (a recursive schema stops there)."""
_STRING_FORMATS = {
    "date": "2024-01-31",
    "date-time": "2024-01-31T12:00:00Z",
    "email": "load-test@example.com",
    "uuid": "00000000-0000-4000-8000-000000000001",
    "uri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
}


@dataclasses.dataclass(frozen=True)
class Operation:
    """One documented operation with concrete candidate requests."""

    method: str
    template: str
    """The path as requested, base path included: ``/v1/books/{bookId}``."""
    attempts: tuple[str, ...]
    """Concrete paths (with the required query), best candidate first."""
    body: Any = None
    json_response: bool = False
    weight: float = 1.0

    @property
    def label(self) -> str:
        """``"GET /v1/books/{bookId}"`` (what include/exclude patterns match)."""
        return f"{self.method} {self.template}"


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which operations the generic user may send (stage options and the target description)."""

    include: tuple[str, ...] = ()
    """Regexes on ``"METHOD /path"``; none: every operation."""
    exclude: tuple[str, ...] = ()
    unsafe: bool = False
    authenticated: bool = False
    """The description's auth recipe yields credentials (operations that require auth may be sent)."""
    avoid: tuple[str, ...] = ()
    """Regexes on the path never requested (the auth recipe's logout pattern, the metrics path)."""


class _Unsendable(Exception):
    """Why an operation is left out."""


def operations(doc: dict[str, Any], selection: Selection) -> tuple[list[Operation], dict[str, str]]:
    """The sendable operations of ``doc`` and, for every other one, why it is left out."""
    base = base_path(doc)
    chosen: list[Operation] = []
    skipped: dict[str, str] = {}
    for path, raw_item in (doc.get("paths") or {}).items():
        item = _resolve(doc, raw_item)
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            if not isinstance(item.get(method), dict):
                continue
            label = f"{method.upper()} {base}{path}"
            reason = _selection_reason(label, selection)
            if reason is None:
                try:
                    chosen.append(_operation(doc, base + path, method.upper(), item, selection))
                    continue
                except _Unsendable as exc:
                    reason = str(exc)
            skipped[label] = reason
    return chosen, skipped


def base_path(doc: dict[str, Any]) -> str:
    """Swagger 2.0's ``basePath`` or the path of OpenAPI 3's first server (``""`` when at the root)."""
    if "swagger" in doc:
        base = str(doc.get("basePath") or "")
    else:
        servers = doc.get("servers") or [{}]
        server = servers[0] if isinstance(servers[0], dict) else {}
        url = str(server.get("url") or "")
        for name, variable in (server.get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
        base = urllib.parse.urlsplit(url).path
    return base.rstrip("/")


def _selection_reason(label: str, selection: Selection) -> str | None:
    method, _, path = label.partition(" ")
    if method not in SAFE_METHODS + UNSAFE_METHODS:
        return f"{method} is not sent by the generic user"
    if method in UNSAFE_METHODS and not selection.unsafe:
        return "unsafe method (set the load option unsafe_methods = true to send it)"
    if selection.include and not any(re.search(p, label) for p in selection.include):
        return "matches no include pattern"
    if any(re.search(p, label) for p in selection.exclude):
        return "matches an exclude pattern"
    if any(re.search(p, path) for p in selection.avoid):
        return "a path the generic user never requests (logout or metrics)"
    return None


def _operation(
    doc: dict[str, Any], template: str, method: str, item: dict[str, Any], selection: Selection
) -> Operation:
    op: dict[str, Any] = item[method.lower()]
    if _needs_auth(doc, op) and not selection.authenticated:
        raise _Unsendable("requires auth, and the target description has no auth recipe")
    params = [_resolve(doc, p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
    # An operation's own parameter overrides the path item's one of the same name and place.
    by_key = {(str(p.get("in")), str(p.get("name"))): p for p in params}
    values: dict[tuple[str, str], list[str]] = {}
    for (place, name), param in by_key.items():
        if place in ("path", "query") and (place == "path" or param.get("required")):
            candidates = [_text(v) for v in _candidates(doc, param)]
            if not candidates:
                raise _Unsendable(
                    f"no value for the {place} parameter {name!r} (no example, default or enum, "
                    "and its schema gives nothing to generate)"
                )
            values[(place, name)] = candidates
        elif place in ("header", "cookie") and param.get("required") and not selection.authenticated:
            raise _Unsendable(f"needs the {place} parameter {name!r}")
    return Operation(
        method=method,
        template=template,
        attempts=_attempts(template, values),
        body=_body(doc, op, by_key.values()) if method in UNSAFE_METHODS else None,
        json_response=_json_response(doc, op),
        weight=float(op.get("x-load-weight", 1)),
    )


def _needs_auth(doc: dict[str, Any], op: dict[str, Any]) -> bool:
    """A security requirement that is not optional (``{}`` in the list means anonymous is fine)."""
    requirements = op.get("security", doc.get("security")) or []
    return bool(requirements) and all(bool(r) for r in requirements)


def _attempts(template: str, values: dict[tuple[str, str], list[str]]) -> tuple[str, ...]:
    """Candidate ``i`` takes each parameter's ``i``-th value (or its last one), deduplicated."""
    count = min(MAX_ATTEMPTS, max((len(v) for v in values.values()), default=1))
    attempts: list[str] = []
    for i in range(count):
        path = template
        query: list[tuple[str, str]] = []
        for (place, name), candidates in values.items():
            value = candidates[min(i, len(candidates) - 1)]
            if place == "path":
                path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
            else:
                query.append((name, value))
        concrete = path + ("?" + urllib.parse.urlencode(query) if query else "")
        if concrete not in attempts:
            attempts.append(concrete)
    return tuple(attempts)


def _candidates(doc: dict[str, Any], param: dict[str, Any]) -> list[Any]:
    """Declared values first (examples, default, enum), then generated ones; no duplicates."""
    # Swagger 2.0 keeps a non-body parameter's schema keywords on the parameter itself.
    schema = _resolve(doc, param.get("schema") or param)
    examples = param.get("examples")
    named = [e.get("value") for e in examples.values() if isinstance(e, dict)] if isinstance(examples, dict) else []
    listed: list[Any] = schema["examples"] if isinstance(schema.get("examples"), list) else []
    declared = [
        param.get("example"),
        param.get("x-example"),
        *named,
        schema.get("example"),
        schema.get("x-example"),
        *listed,
        schema.get("default"),
        *(schema.get("enum") or []),
    ]
    # An enum is the whole set of valid values: nothing is generated beside it.
    generated = [] if schema.get("enum") else _generated(doc, schema)
    out: list[Any] = []
    for value in [*declared, *generated]:
        if value is not None and value not in out:
            out.append(value)
    return out


def _generated(doc: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """Values a schema admits without any example: small numbers, a short string, a boolean."""
    kind = _type(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        start = 1 if low is None else int(low) + (1 if schema.get("exclusiveMinimum") is True else 0)
        high = schema.get("maximum")
        return [n for n in range(start, start + 3) if high is None or n <= high]
    if kind == "string":
        if schema.get("pattern") and not schema.get("format"):
            return []  # a value matching an arbitrary pattern is not made up here
        text = _STRING_FORMATS.get(str(schema.get("format")), "1")
        return [text.ljust(int(schema.get("minLength") or 0), "1")]
    if kind == "boolean":
        return [True, False]
    if kind == "array":
        item = sample(doc, schema.get("items") or {})
        return [] if item is None else [[item]]
    return []


def sample(doc: dict[str, Any], raw: dict[str, Any], depth: int = 0) -> Any:
    """One valid-looking value for a schema: its example or default, else one built from its type."""
    schema = _resolve(doc, raw)
    for key in ("example", "x-example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    if depth > _DEPTH:
        return None
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            parts = [sample(doc, s, depth + 1) for s in schema[combined]]
            if combined != "allOf" or not all(isinstance(p, dict) for p in parts):
                return parts[0]
            return {k: v for part in parts for k, v in part.items()}
    if _type(schema) == "object" or "properties" in schema:
        return _object(doc, schema, depth)
    generated = _generated(doc, schema)
    return generated[0] if generated else None


def _object(doc: dict[str, Any], schema: dict[str, Any], depth: int) -> dict[str, Any]:
    """The required properties (every property when none is required)."""
    props: dict[str, Any] = schema.get("properties") or {}
    names = schema.get("required") or list(props)
    out = {name: sample(doc, props.get(name, {}), depth + 1) for name in names}
    return {k: v for k, v in out.items() if v is not None}


def _body(doc: dict[str, Any], op: dict[str, Any], params: Any) -> Any:
    """The JSON body of an unsafe operation (OpenAPI 3 ``requestBody`` or a Swagger 2.0 body parameter)."""
    body_param = next((p for p in params if p.get("in") == "body"), None)
    if body_param is not None:
        return sample(doc, body_param.get("schema") or {})
    if any(p.get("in") == "formData" and p.get("required") for p in params):
        raise _Unsendable("needs a form body (only JSON bodies are generated)")
    request_body = _resolve(doc, op.get("requestBody") or {})
    content: dict[str, Any] = request_body.get("content") or {}
    media = next((m for m in content if _is_json(m)), None)
    if media is None:
        if request_body.get("required"):
            raise _Unsendable(f"needs a {next(iter(content), 'non-JSON')} body (only JSON bodies are generated)")
        return None
    described = content[media] or {}
    examples = [e.get("value") for e in (described.get("examples") or {}).values() if isinstance(e, dict)]
    return described.get("example") or next(iter(examples), None) or sample(doc, described.get("schema") or {})


def _json_response(doc: dict[str, Any], op: dict[str, Any]) -> bool:
    """The document promises a JSON body on success."""
    success = [_resolve(doc, r) for code, r in (op.get("responses") or {}).items() if str(code).startswith("2")]
    if "swagger" in doc:
        produces = op.get("produces", doc.get("produces")) or ["application/json"]
        return any(_is_json(m) for m in produces) and any("schema" in r for r in success)
    return any(_is_json(m) for r in success for m in (r.get("content") or {}))


def _is_json(media: str) -> bool:
    return media.split(";")[0].strip().endswith(("/json", "+json"))


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["integer", "null"]
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def _text(value: Any) -> str:
    """A parameter value as it travels in a path or query (booleans lower-case, arrays comma-joined)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(_text(v) for v in value)
    return str(value)


def _resolve(doc: dict[str, Any], node: Any) -> dict[str, Any]:
    """Follow local ``$ref`` pointers (``#/components/...``, ``#/definitions/...``); others give ``{}``."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#/") or ref in seen:
            return {}
        seen.add(ref)
        node = doc
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}
