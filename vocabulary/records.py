"""The shared stage-result vocabulary: every stage adapter writes these, the gate and reports read them.

The JSON form is described by ``vocabulary/schema/stage-result.v1.json``; bump
``SCHEMA_VERSION`` and add a new schema file when a field changes meaning.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1


class Status(enum.StrEnum):
    """How a stage ended."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    INCOMPLETE = "incomplete"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"
    """Nothing this stage measures applies to the target (e.g. contracts without an OpenAPI document)."""


class Severity(enum.StrEnum):
    """Risk of a finding, highest first (ZAP's High/Medium/Low/Informational plus critical)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


def now_iso() -> str:
    """The current UTC time as an ISO-8601 string with a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def endpoint_metric(stage_prefix: str, endpoint: str, name: str) -> str:
    """A per-endpoint metric key, e.g. ``load.endpoint["GET /api/models"].p95_ms``."""
    return f'{stage_prefix}.endpoint["{endpoint}"].{name}'


def stage_of_metric(metric: str, prefixes: Mapping[str, str]) -> str:
    """The stage that publishes ``metric``: the one whose prefix (``prefixes``: stage -> prefix, from the
    stage registry) is its first segment, else the stage named like that segment."""
    head = metric.split(".", 1)[0]
    return next((stage for stage, prefix in prefixes.items() if prefix == head), head)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem a stage found: a contract failure, a security alert, an a11y violation."""

    rule: str
    severity: Severity
    message: str
    location: str
    fingerprint: str
    evidence: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ValidityCheck:
    """Did the stage really measure what it claims? A failed check makes budgets inconclusive."""

    name: str
    ok: bool
    detail: str
    affects: tuple[str, ...] = ()
    """Metric patterns this check guards; empty means every metric of the stage."""


@dataclasses.dataclass
class StageResult:
    """Everything one stage measured in one run; serialised as ``<run>/<stage>.json``."""

    stage: str
    status: Status
    target_url: str
    profile: str
    started_at: str = dataclasses.field(default_factory=now_iso)
    finished_at: str | None = None
    tool_versions: dict[str, str] = dataclasses.field(default_factory=dict)
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    findings: list[Finding] = dataclasses.field(default_factory=list)
    validity: list[ValidityCheck] = dataclasses.field(default_factory=list)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: str | None = None
    not_applicable: dict[str, str] = dataclasses.field(default_factory=dict)
    """Metric patterns (``*`` matches anything) that cannot apply to this target, with the reason."""
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, as described by the stage-result schema."""
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["findings"] = [{**dataclasses.asdict(f), "severity": f.severity.value} for f in self.findings]
        data["validity"] = [{**dataclasses.asdict(v), "affects": list(v.affects)} for v in self.validity]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageResult:
        """Rebuild a result from its JSON form (validate it with `vocabulary.schema` first)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["status"] = Status(data["status"])
        values["findings"] = [Finding(**{**f, "severity": Severity(f["severity"])}) for f in data.get("findings", [])]
        values["validity"] = [
            ValidityCheck(**{**v, "affects": tuple(v.get("affects", ()))}) for v in data.get("validity", [])
        ]
        return cls(**values)

    def finish(self, status: Status | None = None) -> StageResult:
        """Stamp the end time (and optionally the final status); returns self for chaining."""
        if status is not None:
            self.status = status
        self.finished_at = now_iso()
        return self
