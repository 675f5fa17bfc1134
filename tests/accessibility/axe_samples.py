"""Small axe-core result documents in axe's native shape, for tests that need no browser."""

from __future__ import annotations

from typing import Any


def node(target: list[Any], html: str = "<img>", impact: str | None = None) -> dict[str, Any]:
    """One axe result node."""
    return {"target": target, "html": html, "impact": impact, "failureSummary": "Fix this"}


def rule(rule_id: str, impact: str, tags: list[str], nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """One axe rule result."""
    return {
        "id": rule_id,
        "impact": impact,
        "tags": tags,
        "help": f"{rule_id} help",
        "helpUrl": f"https://dequeuniversity.com/rules/axe/4.12/{rule_id}",
        "nodes": nodes,
    }


IMAGE_ALT = ["cat.text-alternatives", "wcag2a", "wcag111"]
CONTRAST = ["cat.color", "wcag2aa", "wcag143"]
REGION = ["cat.keyboard", "best-practice"]


def axe_result(
    violations: list[dict[str, Any]] | None = None,
    incomplete: list[dict[str, Any]] | None = None,
    passes: int = 3,
) -> dict[str, Any]:
    """A whole axe result with ``passes`` passing rules."""
    return {
        "violations": violations or [],
        "incomplete": incomplete or [],
        "passes": [rule(f"pass-{i}", "minor", ["wcag2a"], []) for i in range(passes)],
        "inapplicable": [],
    }
