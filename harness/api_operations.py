"""API operation coverage: every OpenAPI operation x every stage that ran, and who exercised what.

The source of truth for a target with Prometheus metrics (the bundled app) is the request counter
``http_request_duration_seconds_count{method,route}`` scraped before and after each stage: an
operation whose count grew during a stage was exercised by that stage. A target without it may be
covered by stages that publish ``details["operations"]`` (a list of ``"METHOD /path"``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from harness.errors import ErrorKind, HarnessError

REQUEST_COUNT = "http_request_duration_seconds"
"""The histogram family; its ``_count`` samples count requests by method and route template."""
SCRAPE = ("GET", "/metrics")
SCRAPE_TIMEOUT_S = 10.0
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAM = re.compile(r"\{[^}/]*\}")

Counts = Counter[tuple[str, str]]
"""Requests seen so far by (METHOD, route template)."""


def operation(method: str, path: str) -> str:
    """The operation key ``"GET /api/models/{}"``: parameter names dropped, so frameworks agree."""
    return f"{method.upper()} {_PARAM.sub('{}', path)}"


def load_operations(openapi: str) -> dict[str, str]:
    """Every operation of the OpenAPI document (URL or JSON file): key -> ``"GET /api/models/{model_id}"``."""
    try:
        if openapi.startswith(("http://", "https://")):
            response = httpx.get(openapi, timeout=SCRAPE_TIMEOUT_S)
            response.raise_for_status()
            document = response.json()
        else:
            document = json.loads(Path(openapi).read_text(encoding="utf-8"))
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise HarnessError(ErrorKind.STAGE, f"cannot read the OpenAPI document {openapi}: {exc!r}") from exc
    found: dict[str, str] = {}
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if isinstance(item, dict) and method in item:
                found[operation(method, path)] = f"{method.upper()} {path}"
    return found


def scrape(base_url: str) -> Counts | None:
    """The target's request counts by (method, route); None when it exposes no such metric."""
    try:
        response = httpx.get(base_url.rstrip("/") + "/metrics", timeout=SCRAPE_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    counts: Counts = Counter()
    try:
        families = list(text_string_to_metric_families(response.text))
    except ValueError:
        return None
    for family in families:
        for sample in family.samples:
            if sample.name == f"{REQUEST_COUNT}_count" and {"method", "route"} <= sample.labels.keys():
                counts[(sample.labels["method"].upper(), sample.labels["route"])] += int(sample.value)
    return counts if families and any(f.name == REQUEST_COUNT for f in families) else None


def exercised(before: Counts, after: Counts) -> set[str]:
    """Operations whose request count grew between two scrapes (the harness's own scrape excluded)."""
    found = set()
    for key, count in after.items():
        # A count below the earlier one means the target restarted: all of `count` is new (like PromQL's rate()).
        grew = count - before.get(key, 0) if count >= before.get(key, 0) else count
        # A scrape's own request is counted after its response: `after` includes exactly one of ours.
        if grew - (key == SCRAPE) > 0:
            found.add(operation(*key))
    return found


def from_details(listed: Iterable[str]) -> set[str]:
    """Operations a stage published as ``details["operations"]`` (``"METHOD /path"`` strings)."""
    found = set()
    for entry in listed:
        method, _, path = entry.strip().partition(" ")
        if path:
            found.add(operation(method, path.strip()))
    return found


@dataclasses.dataclass(frozen=True)
class OperationMatrix:
    """Operations (display names) x stages: which stage exercised which operation."""

    operations: Mapping[str, str]
    """Operation key -> display name as the document spells it."""
    by_stage: Mapping[str, frozenset[str]]
    """Stage -> operation keys it exercised (only keys of the document)."""

    @classmethod
    def build(cls, operations: Mapping[str, str], seen: Mapping[str, set[str]]) -> OperationMatrix:
        """Keep only the document's operations (requests to pages and assets are not API operations)."""
        return cls(operations, {stage: frozenset(ops & operations.keys()) for stage, ops in seen.items()})

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
        """Display names of the operations no stage exercised, in document order."""
        hit = self.exercised()
        return [name for key, name in self.operations.items() if key not in hit]

    def table(self) -> list[dict[str, object]]:
        """One row per operation: its name and, per stage, whether that stage exercised it."""
        return [
            {"operation": name, "stages": {stage: key in ops for stage, ops in self.by_stage.items()}}
            for key, name in self.operations.items()
        ]
