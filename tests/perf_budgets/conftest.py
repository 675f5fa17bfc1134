"""Helpers for the gate's tests: stage results built in memory, and the checked-in budget files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vocabulary.records import Finding, StageResult, Status, ValidityCheck

DATA = Path(__file__).resolve().parent.parent / "data"
BUDGETS = DATA / "budgets"


def stage_result(
    stage: str = "load",
    metrics: dict[str, float] | None = None,
    *,
    status: Status = Status.PASSED,
    findings: list[Finding] | None = None,
    validity: list[ValidityCheck] | None = None,
    **fields: Any,
) -> StageResult:
    """A finished stage result with the given metrics, findings and validity checks."""
    return StageResult(
        stage=stage,
        status=status,
        target_url="http://127.0.0.1:8000",
        profile="smoke",
        metrics=dict(metrics or {}),
        findings=list(findings or []),
        validity=list(validity or []),
        **fields,
    ).finish()


def write(tmp_path: Path, text: str, name: str = "budgets.toml") -> Path:
    """Write a budget (or known-failures) file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
