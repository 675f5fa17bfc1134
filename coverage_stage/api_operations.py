"""API operation coverage: every OpenAPI operation x every stage, from the requests the stages sent.

Each stage publishes ``details["operations"]``: ``"METHOD /path"`` strings, concrete (``GET /books/3``,
a query string or a full URL is fine) or templates (``GET /books/{id}``, ``GET /books/[id]``). The
harness matches them against the document's path templates, so any app with an OpenAPI 3.x or
Swagger 2.0 document is covered the same way, whatever it measures itself. As OpenAPI prescribes, a
literal segment wins over a parameter (``/books/mine`` before ``/books/{bookId}``); requests that
carry the document's base path (Swagger ``basePath``, the path of an OpenAPI ``servers`` URL) match
with or without it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from stagekit.openapi import load_document

FETCH_TIMEOUT_S = 10.0
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAM = re.compile(r"\{[^}/]*\}")


@dataclasses.dataclass(frozen=True)
class Operation:
    """One documented operation and the concrete paths it answers."""

    method: str
    path: str
    """The path template as the document spells it (``/books/{bookId}``)."""

    @property
    def name(self) -> str:
        """``"GET /books/{bookId}"``: the operation in reports and findings."""
        return f"{self.method} {self.path}"

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Each parameter matches one path segment (or part of one: ``/files/{name}.{ext}``)."""
        literals = _PARAM.split(_trimmed(self.path))
        return re.compile("[^/]+".join(re.escape(part) for part in literals))

    @property
    def specificity(self) -> tuple[int, int]:
        """Sorts the most specific template first: fewer parameters, then more literal characters."""
        return len(_PARAM.findall(self.path)), -len(_PARAM.sub("", self.path))


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """The operations of one OpenAPI document, in document order, and the base paths it declares."""

    operations: tuple[Operation, ...]
    base_paths: tuple[str, ...] = ()

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Catalogue:
        """Read ``paths`` (and the base paths) of an OpenAPI 3.x or Swagger 2.0 document."""
        found = (
            Operation(method.upper(), path)
            for path, item in (document.get("paths") or {}).items()
            if isinstance(item, dict)
            for method in _METHODS
            if method in item
        )
        return cls(tuple(found), _base_paths(document))

    @functools.cached_property
    def _by_specificity(self) -> tuple[Operation, ...]:
        return tuple(sorted(self.operations, key=lambda op: op.specificity))

    def names(self) -> list[str]:
        """Every operation's name, in document order."""
        return [op.name for op in self.operations]

    def match(self, entry: str) -> str | None:
        """The operation a published ``"METHOD /path"`` entry exercised, or None (a page, an asset)."""
        request = _request(entry)
        if request is None:
            return None
        method, path = request
        for candidate in self._candidates(path):
            for op in self._by_specificity:
                if op.method == method and op.pattern.fullmatch(candidate):
                    return op.name
        return None

    def matched(self, entries: Iterable[str]) -> tuple[set[str], int]:
        """The operations ``entries`` exercised, and how many entries matched none."""
        names = [self.match(entry) for entry in entries]
        return {name for name in names if name is not None}, sum(1 for name in names if name is None)

    def _candidates(self, path: str) -> list[str]:
        """The path without each base path it starts with, then as sent."""
        stripped = [
            _trimmed(path[len(base) :]) for base in self.base_paths if path == base or path.startswith(base + "/")
        ]
        return [*stripped, path]


def _trimmed(path: str) -> str:
    """``/books/`` and ``/books`` are one path here; the root stays ``/``."""
    return path.rstrip("/") or "/"


def _request(entry: str) -> tuple[str, str] | None:
    """``("GET", "/books/3")`` from ``"get http://host/books/3?x=1"``; None when it names no path."""
    method, _, target = entry.strip().partition(" ")
    target = target.strip()
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not method or not path.startswith("/"):
        return None
    return method.upper(), _trimmed(path)


def _base_paths(document: Mapping[str, Any]) -> tuple[str, ...]:
    """Swagger 2.0 ``basePath`` and the paths of OpenAPI 3 ``servers`` (variables at their defaults)."""
    found = [str(document.get("basePath") or "")]
    for server in document.get("servers") or []:
        if isinstance(server, dict):
            url = str(server.get("url", ""))
            for name, variable in (server.get("variables") or {}).items():
                url = url.replace(f"{{{name}}}", str(variable.get("default", "")))
            found.append(urlsplit(url).path)
    return tuple(dict.fromkeys(base for base in map(_trimmed, found) if base != "/"))


def load_catalogue(openapi: str) -> Catalogue:
    """The operations of the OpenAPI document at ``openapi`` (a URL or a JSON/YAML file)."""
    return Catalogue.from_document(load_document(openapi))


@dataclasses.dataclass(frozen=True)
class OperationMatrix:
    """Operations x stages: which stage exercised which operation."""

    operations: Sequence[str]
    """Operation names in document order."""
    by_stage: Mapping[str, frozenset[str]]
    """Stage -> the operations it exercised."""

    @classmethod
    def build(cls, operations: Sequence[str], seen: Mapping[str, set[str]]) -> OperationMatrix:
        """The matrix of ``seen`` (stage -> operation names) over the document's operations."""
        return cls(tuple(operations), {stage: frozenset(names & set(operations)) for stage, names in seen.items()})

    def stage_ratio(self, stage: str) -> float:
        """Share of the document's operations this stage exercised."""
        return len(self.by_stage[stage]) / len(self.operations) if self.operations else 0.0

    def exercised(self) -> frozenset[str]:
        """Operations at least one stage exercised."""
        return frozenset().union(*self.by_stage.values())

    def ratio(self) -> float:
        """Share of the document's operations any stage exercised."""
        return len(self.exercised()) / len(self.operations) if self.operations else 0.0

    def uncovered(self) -> list[str]:
        """The operations no stage exercised, in document order."""
        hit = self.exercised()
        return [name for name in self.operations if name not in hit]

    def table(self) -> list[dict[str, object]]:
        """One row per operation: its name and, per stage, whether that stage exercised it."""
        return [
            {"operation": name, "stages": {stage: name in names for stage, names in self.by_stage.items()}}
            for name in self.operations
        ]
