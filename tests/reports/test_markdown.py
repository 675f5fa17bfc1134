"""summary.md: verdict in words first, problems with their messages, and always under the size limit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

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
    assert text.index(markdown.escape(failed.message)) > attention
    assert "⚠️ warning `ws_p95`" in text
    assert text.index("### All budgets") > attention


def test_inconclusive_summary_shows_notes_and_reason(report_run: Callable[[str], Path]) -> None:
    text = markdown.render_text(RunView.load(report_run("inconclusive")))
    assert "**Inconclusive: the run did not measure what a budget needs" in text
    assert "> run interrupted: load incomplete" in text
    assert "❓ inconclusive `api_p95` (load): load.http.p95_ms was not measured" in text


def test_200_endpoints_fit_in_the_folded_table(many_endpoints: Callable[..., RunView]) -> None:
    text = markdown.render_text(many_endpoints(200, failing=2))
    assert len(text) < markdown.MAX_CHARS < GITHUB_LIMIT
    folded = text[text.index("<details>") : text.index("</details>")]
    assert folded.count("`endpoint_p95[") == 200
    assert text.count("❌ breached") == 6  # two rows and two messages under "Needs attention", two folded rows


def test_a_table_too_big_to_fold_collapses_met_rows(
    many_endpoints: Callable[..., RunView], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "MAX_TABLE_CHARS", 5_000)
    text = markdown.render_text(many_endpoints(200, failing=2))
    assert "… and 195 more `endpoint_p95` budgets, all met" in text


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


def test_cells_escape_pipes_and_newlines_and_cut_at_a_word() -> None:
    assert markdown.cell("a|b\nc") == "a\\|b c"
    assert len(markdown.cell("y" * 1000)) == markdown.MAX_CELL
    assert markdown.cell("word " * 100).endswith("word…")


def test_handler_writes_summary_md(report_run: Callable[[str], Path]) -> None:
    path = markdown.render(RunView.load(report_run("pass")))
    assert path.name == "summary.md"
    assert path.read_text(encoding="utf-8").startswith("## Release budgets: pass")
