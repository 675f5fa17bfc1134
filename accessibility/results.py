"""Turn axe-core's native JSON (one per audited page, state or workflow step) into findings and metrics.

A finding is one (rule, page/state/step, element) triple, so the known-violations file can accept
one element's violation without hiding a new one on the same page (pa11y-ci's per-page count
cannot tell them apart). Selectors are normalised so data-dependent numbers (model ids, list
positions) do not change a fingerprint between runs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from accessibility.plan import GATED_TAGS
from vocabulary.records import Finding, Severity

SEVERITY_OF_IMPACT = {
    "critical": Severity.CRITICAL,
    "serious": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "minor": Severity.LOW,
}
_NUMBER = re.compile(r"(?<![A-Za-z])\d+")
_WCAG_CRITERION = re.compile(r"^wcag(\d)(\d)(\d+)$")
_HTML_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class AuditRecord:
    """One audited page, scripted state or e2e workflow step, as the audit wrote it."""

    name: str
    """The page path (``/products``), ``state:<name>`` or ``<workflow>/<step>``."""
    kind: str
    """``page``, ``state`` or ``step``."""
    url: str
    status: int | None
    axe: dict[str, Any]


def selector_text(target: list[Any]) -> str:
    """axe's target chain as one string: iframes joined by ``>>``, shadow roots by ``>>>``."""
    parts = [" >>> ".join(part) if isinstance(part, list) else str(part) for part in target]
    return " >> ".join(parts)


def normalise_selector(selector: str) -> str:
    """``selector`` with free-standing numbers as ``N`` (``#model-42`` -> ``#model-N``; ``h2`` kept)."""
    return _NUMBER.sub("N", " ".join(selector.split()))


def fingerprint(rule: str, where: str, selector: str) -> str:
    """The stable identity of a violation: ``a11y:<rule>:<page or state>:<normalised selector>``."""
    return f"a11y:{rule}:{where}:{normalise_selector(selector)}"


def wcag_criteria(tags: Iterable[str]) -> list[str]:
    """WCAG success criteria named by axe tags (``wcag1410`` -> ``1.4.10``)."""
    found = (_WCAG_CRITERION.match(tag) for tag in tags)
    return [f"{m.group(1)}.{m.group(2)}.{m.group(3)}" for m in found if m]


def is_gated(tags: Iterable[str]) -> bool:
    """True for rules of the WCAG 2.1 A/AA set; the rest (best practice) are only reported."""
    return any(tag in GATED_TAGS for tag in tags)


def rule_findings(record: AuditRecord, rule: dict[str, Any]) -> list[Finding]:
    """One finding per distinct normalised element of one violated axe rule on one page or state."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for node in rule["nodes"]:
        selector = normalise_selector(selector_text(node["target"]))
        grouped.setdefault(selector, []).append(node)
    return [_finding(record, rule, selector, nodes) for selector, nodes in grouped.items()]


def _finding(record: AuditRecord, rule: dict[str, Any], selector: str, nodes: list[dict[str, Any]]) -> Finding:
    node = nodes[0]
    impact = _impact(node, rule)
    html = str(node.get("html", ""))[:_HTML_LIMIT]
    return Finding(
        rule=rule["id"],
        severity=SEVERITY_OF_IMPACT[impact],
        message=f"{rule['help']} ({impact}) on {record.name}: {selector}",
        location=f"{record.name} {selector}",
        fingerprint=fingerprint(rule["id"], record.name, selector),
        evidence=html,
        extra={
            "impact": impact,
            "page": record.name,
            "kind": record.kind,
            "url": record.url,
            "selector": selector,
            "frame_url": node.get("frameUrl"),
            "html": html,
            "summary": str(node.get("failureSummary", "")),
            "help": rule["help"],
            "help_url": rule.get("helpUrl", ""),
            "tags": list(rule.get("tags", [])),
            "wcag": wcag_criteria(rule.get("tags", [])),
            "nodes": len(nodes),
        },
    )


def _impact(node: dict[str, Any], rule: dict[str, Any]) -> str:
    """The node's impact, else the rule's; axe always sets one for violations."""
    impact = node.get("impact") or rule.get("impact")
    if impact not in SEVERITY_OF_IMPACT:
        raise ValueError(f"axe rule {rule.get('id')!r} reported unknown impact {impact!r}")
    return str(impact)
