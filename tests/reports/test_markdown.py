"""summary.md: verdict in words first, problems with their messages, and always under the size limit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from perf_budgets.verdict import BudgetStatus
from reports import markdown
from reports.registry import RunView

GITHUB_LIMIT = 65_536


def test_breach_summary_states_verdict_then_failed_budget_messages(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("breach"))
    text = markdown.render_text(run)
    lines = text.splitlines()
    assert lines[0] == "## Release budgets: breached"
    assert lines[2].startswith("**Breached: at least one budget failed — 11 budgets: 1 breached, 1 warning, 9 met")
    failed = next(b for b in run.verdict.budgets if b.status is BudgetStatus.FAIL)
    attention = text.index("### Needs attention")
    assert text.index(failed.message.replace("|", "\\|")) > attention
    assert "⚠️ warning `ws_p95`" in text
    assert text.index("### All budgets") > attention


def test_inconclusive_summary_shows_notes_and_reason(report_run: Callable[[str], Path]) -> None:
    text = markdown.render_text(RunView.load(report_run("inconclusive")))
    assert "**Inconclusive: the run did not measure what a budget needs" in text
    assert "> run interrupted: load incomplete" in text
    assert "❓ inconclusive `api_p95` (load): load.http.p95_ms was not measured" in text


def test_200_endpoints_collapse_into_and_n_more(many_endpoints: Callable[..., RunView]) -> None:
    run = many_endpoints(200, failing=2)
    text = markdown.render_text(run)
    assert len(text) < markdown.MAX_CHARS < GITHUB_LIMIT
    assert "… and 195 more `endpoint_p95` budgets, all met" in text
    assert text.count("❌ breached") == 4  # two in the attention list, two table rows


def test_summary_stays_under_limit_when_everything_breaches(many_endpoints: Callable[..., RunView]) -> None:
    run = many_endpoints(200, failing=200)
    long = tuple(dataclasses.replace(b, message=b.message + " tip: " + "x" * 400) for b in run.verdict.budgets)
    run = dataclasses.replace(run, verdict=dataclasses.replace(run.verdict, budgets=long))
    text = markdown.render_text(run)
    assert len(text) <= markdown.MAX_CHARS
    assert "… and 170 more (see `report.html`)" in text


def test_truncation_cuts_at_a_line_with_a_note() -> None:
    lines = [f"| row {i} |" for i in range(20_000)]
    text = markdown._bounded(lines)
    assert len(text) <= markdown.MAX_CHARS
    assert text.endswith("see `report.html`._\n")
    assert all(line.startswith("| row") or not line.startswith("|") for line in text.splitlines())


def test_cells_escape_pipes_and_newlines() -> None:
    assert markdown.cell("a|b\nc") == "a\\|b c"
    assert len(markdown.cell("y" * 1000)) == markdown.MAX_CELL


def test_handler_writes_summary_md(report_run: Callable[[str], Path]) -> None:
    path = markdown.render(RunView.load(report_run("pass")))
    assert path.name == "summary.md"
    assert path.read_text(encoding="utf-8").startswith("## Release budgets: pass")
