"""Not applicable in every report: its own word and reason, never shown as met, breached or inconclusive."""

from __future__ import annotations

import dataclasses
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from syrupy.assertion import SnapshotAssertion

from perf_budgets.significance import compare_runs, significance
from perf_budgets.verdict import BudgetStatus, Outcome, decide
from reports import format as fmt
from reports import history, html, junit, markdown, write_all
from reports.blocks import Facts, Note
from reports.registry import RunView
from reports.terminal import print_verdict
from reports.views import stage_blocks
from tests.reports import samples
from vocabulary.records import StageResult, Status

NO_SPEC = samples.NO_SPEC


def _terminal(run: RunView) -> str:
    console = Console(record=True, width=160, color_system=None)
    print_verdict(run.verdict, None, console)
    return console.export_text()


def _nothing_applies(run: RunView) -> RunView:
    """The same run with only its not-applicable budgets: the gate judged nothing."""
    budgets = tuple(b for b in run.verdict.budgets if b.status is BudgetStatus.NOT_APPLICABLE)
    verdict = dataclasses.replace(run.verdict, budgets=budgets, outcome=decide(budgets, run_complete=True))
    return dataclasses.replace(run, verdict=verdict)


def test_headline_says_only_applicable_budgets_were_met_and_why_the_rest_did_not_apply(
    report_run: Callable[[str], Path],
) -> None:
    verdict = RunView.load(report_run("not_applicable")).verdict
    assert fmt.headline(verdict) == (
        "Pass: every applicable budget met — 16 budgets: 11 met, 5 not applicable "
        f"(load: {samples.NO_WS}, {samples.NO_METRICS}; contracts: {NO_SPEC})"
    )
    assert fmt.stages_sentence(verdict) == "judged by: load, security; not applicable: contracts"


def test_a_run_where_nothing_applies_says_so(report_run: Callable[[str], Path]) -> None:
    run = _nothing_applies(RunView.load(report_run("not_applicable")))
    assert run.verdict.outcome is Outcome.INCONCLUSIVE
    assert (
        fmt.outcome_words(run.verdict)
        == "Inconclusive: no budget applies to this target, so nothing judged the release"
    )
    assert fmt.stages_sentence(run.verdict) == "judged by: no stage; not applicable: load, contracts"
    assert "Pass" not in _terminal(run) and fmt.counts_sentence(run.verdict).startswith("5 budgets: 5 not applicable (")
    unjudged = RunView.load(report_run("inconclusive")).verdict
    assert fmt.stages_sentence(unjudged) == "judged by: no stage; could not judge: load"


def test_terminal_lists_each_reason_once_and_the_stages(
    report_run: Callable[[str], Path], snapshot: SnapshotAssertion
) -> None:
    out = _terminal(RunView.load(report_run("not_applicable")))
    assert f"not applicable: contracts_blocking, contracts_tested (contracts): {NO_SPEC}" in out
    assert "inconclusive" not in out and "breached" not in out
    assert out == snapshot


def test_markdown_has_a_not_applicable_section_outside_needs_attention(
    report_run: Callable[[str], Path], snapshot: SnapshotAssertion
) -> None:
    text = markdown.render_text(RunView.load(report_run("not_applicable")))
    assert "### Needs attention" not in text
    assert f"- ⚪ `contracts_blocking`, `contracts_tested` (contracts): {NO_SPEC}" in text
    assert "| `ws_p95` | load | ≤ 50 ms | — | — | — | ⚪ not applicable |" in text
    assert text == snapshot


def test_junit_skips_a_not_applicable_budget_with_its_reason(
    report_run: Callable[[str], Path], snapshot: SnapshotAssertion
) -> None:
    text = junit.render_xml(RunView.load(report_run("not_applicable")))
    root = ET.fromstring(text)
    case = root.find("./testsuite[@name='contracts']/testcase[@name='contracts_blocking']")
    assert case is not None and case.find("failure") is None and case.find("error") is None
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == f"not applicable: {NO_SPEC}"
    suites = {s.get("name"): s.get("skipped") for s in root.iter("testsuite")}
    assert suites == {"load": "3", "contracts": "2", "security": "0"}
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert text == snapshot


def test_html_shows_the_stage_and_its_budgets_as_not_applicable(report_run: Callable[[str], Path]) -> None:
    page = html.render_html(RunView.load(report_run("not_applicable")))
    assert '<p class="outcome">Pass: every applicable budget met</p>' in page
    assert "<p>Stages: judged by: load, security; not applicable: contracts.</p>" in page
    assert f'API contracts <small class="st st-not-applicable">(not applicable: {NO_SPEC})</small>' in page
    assert page.count('<td class="st st-not-applicable">not applicable</td>') == 5
    assert "(stage not_applicable)" not in page and "<dt>Status</dt><dd>not_applicable" not in page  # raw enum


def test_a_stage_that_does_not_apply_shows_why_and_no_pass_in_disguise() -> None:
    result = StageResult("contracts", Status.NOT_APPLICABLE, samples.TARGET, "smoke", error=NO_SPEC)
    blocks = stage_blocks(result, None)
    assert not any(isinstance(b, Note) for b in blocks)  # never "No contract failures."
    (facts,) = blocks
    assert isinstance(facts, Facts) and ("Status", f"not applicable: {NO_SPEC}") in facts.items
    assert all(label != "Error" for label, _ in facts.items)


def test_history_records_no_metric_of_a_stage_that_does_not_apply(report_run: Callable[[str], Path]) -> None:
    path = report_run("not_applicable")
    run = RunView.load(path)
    # Even a stage that wrongly published a value: a trend must show a gap, never a fake 0.
    stray = dataclasses.replace(run.results["contracts"], metrics={"contracts.failures.total": 0.0})
    run = dataclasses.replace(run, results={**run.results, "contracts": stray})
    history.append(run.out, {"run_id": "before", "time": "2026-02-28T10:00:00Z", "contracts.failures.total": 2.0})
    row = history.row_of(run)
    assert not any(key.startswith("contracts.") for key in row)
    assert row["budgets.not_applicable"] == 5
    history.append(run.out, row)
    frame = history.trends(run.out, ["contracts.failures.total"])
    assert frame["contracts.failures.total"].iloc[0] == 2.0 and math.isnan(frame["contracts.failures.total"].iloc[1])


def test_write_all_leaves_a_stage_that_does_not_apply_out_of_sarif(report_run: Callable[[str], Path]) -> None:
    path = report_run("not_applicable")
    names = {p.name for p in write_all(path)}
    assert names == {"summary.md", "report.html", "junit.xml", "security.sarif", "history.jsonl", "metrics.prom"}
    sarif = json.loads((path / "security.sarif").read_text(encoding="utf-8"))
    assert [r["tool"]["driver"]["name"] for r in sarif["runs"]] == ["release-harness security"]


def test_baseline_comparison_ignores_a_load_stage_that_does_not_apply(report_run: Callable[[str], Path]) -> None:
    measured = RunView.load(report_run("pass")).results["load"]
    absent = StageResult("load", Status.NOT_APPLICABLE, samples.TARGET, "smoke", error="no load")
    assert compare_runs(measured, absent) == {} and compare_runs(absent, measured) == {}
    metric = 'load.endpoint["GET /api/models"].p95_ms'
    assert significance(metric, measured, absent) is None and significance(metric, absent, measured) is None
