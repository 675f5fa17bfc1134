"""The terminal table names every budget and says each status in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from reports.registry import RunView
from reports.terminal import print_verdict


def test_terminal_table_lists_budgets_with_status_words(report_run: Callable[[str], Path]) -> None:
    path = report_run("breach")
    run = RunView.load(path)
    console = Console(record=True, width=220, color_system=None)
    print_verdict(run.verdict, path, console)
    out = console.export_text()
    for column in ("Budget", "Stage", "Limit", "Observed", "Baseline", "Change", "Status"):
        assert column in out
    assert out.count("endpoint_p95[") == 8 + 1  # every endpoint row, plus the breach message line
    assert "endpoint_p95[GET /api/models/[id]/comments]" in out  # brackets are not markup
    assert "breached: endpoint_p95[GET /api/models]: load.endpoint" in out
    assert "warning" in out and "met" in out
    assert out.rstrip().endswith(f"report: {path / 'report.html'}")
