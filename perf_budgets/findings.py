"""Findings -> derived ``<prefix>.findings.blocking`` / ``.warning`` metrics, via policy and known file."""

from __future__ import annotations

import dataclasses
import datetime

from perf_budgets.known import KnownEntry, KnownFailures, Triage, describe_entries
from perf_budgets.model import Action, FindingsPolicy
from vocabulary.records import Finding, StageResult, Status

MAX_LISTED = 5
"""How many blocking findings a message names before "and N more"."""

_COMPLETE = (Status.PASSED, Status.FAILED)


@dataclasses.dataclass(frozen=True)
class StageFindings:
    """One stage's findings after the policy and the known-failures file were applied."""

    stage: str
    blocking: tuple[Finding, ...]
    warning: tuple[Finding, ...]
    accepted: tuple[tuple[Finding, KnownEntry], ...]
    expired: tuple[tuple[Finding, KnownEntry], ...]
    fixed: tuple[KnownEntry, ...]
    prefix: str
    """The stage's metric prefix, e.g. ``a11y``."""

    def metrics(self) -> dict[str, float]:
        """The derived counts the budgets can judge."""
        return {
            f"{self.prefix}.findings.blocking": float(len(self.blocking)),
            f"{self.prefix}.findings.warning": float(len(self.warning)),
        }

    def explain(self, metric: str) -> str:
        """Which findings a derived metric counts, for the budget message."""
        listed = self.blocking if metric.endswith(".blocking") else self.warning
        parts = [f"Counted: {name_findings(listed)}."] if listed else []
        if self.expired:
            entries = describe_entries(e for _, e in self.expired)
            parts.append(f"Known failures past their expiry (blocking again): {entries}.")
        if self.accepted:
            parts.append(f"Accepted as known failures: {len(self.accepted)}.")
        if self.fixed:
            parts.append(f"Listed as known but no longer found (fixed): {describe_entries(self.fixed)}.")
        return " ".join(parts)

    def notes(self) -> list[str]:
        """Run-level notes: known failures that are fixed or expired."""
        notes = [
            f"{self.stage}: known failure {e.describe()} no longer occurs; remove it from the known-failures file"
            for e in self.fixed
        ]
        notes.extend(
            f"{self.stage}: known failure {e.describe()} expired on {e.expires.isoformat()} "
            f"({e.reason}); it blocks again"
            for _, e in self.expired
        )
        return notes


def name_findings(findings: tuple[Finding, ...]) -> str:
    """``CSP Header Not Set (10038) at /search, image-alt at /`` for at most `MAX_LISTED` findings, then
    "and N more": a rule's name where the stage gives one (ZAP's ids are numbers)."""
    named = ", ".join(f"{_rule_name(f)} at {f.location}" for f in findings[:MAX_LISTED])
    rest = len(findings) - MAX_LISTED
    return f"{named} and {rest} more" if rest > 0 else named


def _rule_name(finding: Finding) -> str:
    name = finding.extra.get("name")
    return f"{name} ({finding.rule})" if name and name != finding.rule else finding.rule


def judge_findings(
    result: StageResult,
    policy: FindingsPolicy,
    known: KnownFailures | None,
    today: datetime.date,
    prefix: str | None = None,
) -> StageFindings:
    """Sort a stage's findings into blocking, warning, accepted, expired, and fixed entries (``prefix``: the
    stage's metric prefix, default its name)."""
    if known is None:
        triage = Triage([], [], list(result.findings), [])
    else:
        triage = known.triage(result.stage, result.findings, today)
    judged = [*triage.new, *(f for f, _ in triage.expired)]
    # An interrupted stage may simply not have reached a listed finding: that is not a fix.
    fixed = tuple(triage.fixed) if result.status in _COMPLETE else ()
    return StageFindings(
        stage=result.stage,
        blocking=tuple(f for f in judged if policy.action_for(f) is Action.FAIL),
        warning=tuple(f for f in judged if policy.action_for(f) is Action.WARN),
        accepted=tuple(triage.accepted),
        expired=tuple(triage.expired),
        fixed=fixed,
        prefix=prefix or result.stage,
    )
