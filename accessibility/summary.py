"""Accumulate audit records into the stage's findings, metrics and details as they arrive."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from accessibility.plan import IMPACTS
from accessibility.results import AuditRecord, is_gated, normalise_selector, rule_findings, selector_text
from vocabulary.records import Finding


@dataclasses.dataclass
class AuditSummary:
    """Everything measured so far; `add` one record at a time so a cancelled run keeps its part."""

    findings: list[Finding] = dataclasses.field(default_factory=list)
    """WCAG 2.1 A/AA violations: the gated set."""
    best_practice: list[Finding] = dataclasses.field(default_factory=list)
    """Best-practice violations: reported as their own metrics, never as findings."""
    incomplete: list[dict[str, str]] = dataclasses.field(default_factory=list)
    audited: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    failed: list[dict[str, str]] = dataclasses.field(default_factory=list)
    repeats: list[dict[str, str]] = dataclasses.field(default_factory=list)
    """Workflow steps that left the page as an earlier audited step had (counted once, there)."""
    notes: list[str] = dataclasses.field(default_factory=list)
    unanswered: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """Pages that answered an HTTP error: not audited (axe would only have seen the error page)."""
    skipped: list[dict[str, str]] = dataclasses.field(default_factory=list)
    """Crawled links that were no page of the target (a download, JSON, a redirect off its origin)."""
    operations: list[str] = dataclasses.field(default_factory=list)
    """``"METHOD /path"`` of the requests the audit's browser sent (for API-operation coverage)."""
    rules_applied: set[str] = dataclasses.field(default_factory=set)
    passes: int = 0

    def add(self, record: AuditRecord, artifact: str = "") -> None:
        """Fold one page's, state's or workflow step's axe results in (``artifact``: its raw JSON, run-relative)."""
        axe = record.axe
        for rule in axe["violations"]:
            target = self.findings if is_gated(rule.get("tags", [])) else self.best_practice
            target.extend(rule_findings(record, rule))
        self.incomplete.extend(_incomplete(record, axe["incomplete"]))
        applied = (r["id"] for group in ("passes", "violations", "incomplete") for r in axe[group])
        self.rules_applied.update(applied)
        self.passes += len(axe["passes"])
        self.audited.append(
            {"name": record.name, "kind": record.kind, "url": record.url, "status": record.status, "artifact": artifact}
        )

    def add_unanswered(self, name: str, url: str, status: int) -> None:
        """A page that answered an HTTP error, so it was not audited (the pages budget names it)."""
        self.unanswered.append({"name": name, "url": url, "status": status})

    def add_skipped(self, name: str, reason: str) -> None:
        """A crawled link that led to no page of the target."""
        self.skipped.append({"name": name, "reason": reason})

    def add_failure(self, name: str, error: str) -> None:
        """A page, state or step that could not be audited (navigation timeout, a script step failed)."""
        self.failed.append({"name": name, "error": error})

    def add_repeat(self, name: str, same_as: str) -> None:
        """A workflow step whose page state an earlier step audit already covered."""
        self.repeats.append({"name": name, "same_as": same_as})

    def count(self, kind: str) -> int:
        """How many pages (``page``), states (``state``) or workflow steps (``step``) were audited."""
        return sum(1 for item in self.audited if item["kind"] == kind)

    def metrics(self) -> dict[str, float]:
        """The stage's flat metric map (every impact present, zero included, so budgets can match)."""
        gated = Counter(f.extra["impact"] for f in self.findings)
        advisory = Counter(f.extra["impact"] for f in self.best_practice)
        metrics: dict[str, float] = {}
        for impact in IMPACTS:
            metrics[f"a11y.violations.{impact}"] = gated[impact]
            metrics[f"a11y.best_practice.violations.{impact}"] = advisory[impact]
        metrics.update(
            {
                "a11y.incomplete": len(self.incomplete),
                "a11y.pages.audited": self.count("page"),
                "a11y.pages.unanswered": len(self.unanswered),
                "a11y.states.audited": self.count("state"),
                "a11y.steps.audited": self.count("step"),
                "a11y.steps.repeated": len(self.repeats),
                "a11y.rules.applied": len(self.rules_applied),
                "a11y.passes": self.passes,
            }
        )
        metrics.update(self._page_coverage())
        return metrics

    def _page_coverage(self) -> dict[str, float]:
        """Per page 1 (audited) or 0 (answered an error), and the audited share of the pages reached."""
        pages = {item["name"]: 1.0 for item in self.audited if item["kind"] == "page"}
        pages.update({item["name"]: 0.0 for item in self.unanswered})
        coverage = {f'a11y.page["{name}"].audited': value for name, value in pages.items()}
        if pages:
            coverage["a11y.pages.audited_ratio"] = sum(pages.values()) / len(pages)
        return coverage

    def details(self) -> dict[str, Any]:
        """What reports show beside the findings: audited targets, failures, needs-review items."""
        return {
            "audited": self.audited,
            "failed": self.failed,
            "unanswered": self.unanswered,
            "skipped": self.skipped,
            "step_repeats": self.repeats,
            "notes": self.notes,
            "incomplete": self.incomplete,
            "best_practice": [dataclasses.asdict(f) | {"severity": f.severity.value} for f in self.best_practice],
            "rules_applied": sorted(self.rules_applied),
            "operations": self.operations,
        }


def _incomplete(record: AuditRecord, rules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Needs-review items of the gated rules, one per distinct element."""
    items: dict[tuple[str, str], dict[str, str]] = {}
    for rule in rules:
        if not is_gated(rule.get("tags", [])):
            continue
        for node in rule["nodes"]:
            selector = normalise_selector(selector_text(node["target"]))
            items.setdefault(
                (rule["id"], selector),
                {
                    "rule": rule["id"],
                    "page": record.name,
                    "selector": selector,
                    "help_url": rule.get("helpUrl", ""),
                    "html": str(node.get("html", ""))[:200],
                },
            )
    return list(items.values())
