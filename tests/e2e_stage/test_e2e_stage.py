"""The e2e stage against the real bundled app: its own test folder runs like any team's, every test
(workflow) passes, and each fault breaks its budget."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from e2e import stage
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from stagekit.stages import StageContext
from stagekit.target import AppProcess
from target_app.e2e.workflows import STEPS
from tests.fixtures.target import StartTarget, bundled_info
from vocabulary.errors import HarnessError
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

# One page, one load, no Lighthouse: the vitals are proven here, not benchmarked (keeps the suite in
# budget); the first test has Lighthouse score one page.
QUICK_VITALS = {"pages": ["/"], "vitals_runs": 1, "lighthouse_pages": 0}
UPLOAD = "test_upload.py::test_upload[chromium]"
"""The upload workflow: a test of the marketplace's folder, named by its pytest node id."""


def run_stage(tmp_path: Path, app: AppProcess, **options: Any) -> tuple[StageResult, RunDir]:
    run = RunDir.create(tmp_path / "runs", "smoke")
    ctx = StageContext(
        stage="e2e",
        profile="smoke",
        target=bundled_info(app.url, faults=app.faults),
        openapi=f"{app.url}/openapi.json",
        run_dir=run.path,
        artifacts=run.artifacts("e2e"),
        options=options,
    )
    result = stage.run(ctx)
    run.write_result(result)  # the result must satisfy the stage-result schema
    return result, run


# The budget proposed for budgets.toml: it names each failing workflow and step in the gate's message.
FINDINGS_BUDGET = """
schema_version = 1

[budgets.e2e_blocking]
metric = "e2e.findings.blocking"
max = 0
description = "no failing or untested workflow and no unloadable page"

[findings]
default = { critical = "FAIL", high = "FAIL", medium = "FAIL", low = "WARN", info = "IGNORE" }
"""


def budget_statuses(result: StageResult) -> dict[str, BudgetStatus]:
    verdict = evaluate(load_budgets(), "smoke", {"e2e": result}, stages=["e2e"])
    return {b.budget: b.status for b in verdict.budgets}


def findings_budget_message(result: StageResult, tmp_path: Path) -> str:
    budgets = tmp_path / "budgets.toml"
    budgets.write_text(FINDINGS_BUDGET, encoding="utf-8")
    verdict = evaluate(load_budgets(budgets), "smoke", {"e2e": result}, stages=["e2e"])
    (judged,) = verdict.budgets
    assert judged.status is BudgetStatus.FAIL
    return judged.message


def failures(result: StageResult) -> str:
    return "\n".join(f"{f.location}: {f.evidence[:300]}" for f in result.findings) or str(result.error)


@pytest.mark.slow
def test_every_workflow_passes_on_the_bundled_app(bundled_target: AppProcess, tmp_path: Path) -> None:
    # /wiki too: the page the slow-interaction fault slows (its INP passes here, without the fault).
    result, run = run_stage(
        tmp_path, bundled_target, **(QUICK_VITALS | {"pages": ["/", "/wiki"], "lighthouse_pages": 1})
    )
    assert result.status is Status.PASSED, failures(result)
    assert result.metrics["e2e.workflows.total"] == len(STEPS)
    assert result.metrics["e2e.workflows.pass_ratio"] == 1.0
    assert all(check.ok for check in result.validity), result.validity
    flows = {w["id"]: w for w in result.details["workflows"]}
    assert {flow["outcome"] for flow in flows.values()} == {"passed"}
    assert flows["test_upload.py::test_upload[chromium]"]["name"] == "Upload a model, see it listed and notified live."
    cases = ET.parse(run.path / result.artifacts["junit"]).getroot().iter("testcase")
    assert len(list(cases)) == len(STEPS)
    # Pages only the tests opened get vitals too; the journeys' cold loads stay the ones of "/".
    assert result.details["pages"][0] == {**result.details["pages"][0], "name": "/", "source": "journey"}
    assert 'e2e.page["/upload"].fcp_ms' in result.metrics
    assert {"POST /upload", "GET /models"} <= set(result.details["operations"])
    for metric in ("load_ms", "ttfb_ms", "fcp_ms", "lcp_ms", "cls", "inp_ms"):
        assert f'e2e.page["/"].{metric}' in result.metrics
    assert 0 < result.metrics['e2e.page["/"].load_ms'] < 3000
    # Lighthouse scored the first page: the run's score is its score, its report an artifact.
    assert result.metrics["e2e.performance.score"] == result.metrics['e2e.page["/"].score']
    assert 'e2e.page["/wiki"].score' not in result.metrics
    assert "<!doctype html>" in (run.path / result.artifacts["lighthouse:/"]).read_text(encoding="utf-8")
    assert result.tool_versions["lighthouse"] == "12.2.3"
    statuses = budget_statuses(result)
    assert statuses["e2e_workflows"] is BudgetStatus.PASS
    for budget in PAGE_FAULT_BUDGETS:
        assert statuses[budget] is BudgetStatus.PASS, budget


@pytest.mark.slow
def test_broken_upload_fails_the_upload_workflow_at_its_submit_step(start_target: StartTarget, tmp_path: Path) -> None:
    app = start_target(faults=("broken-upload",))
    result, run = run_stage(tmp_path, app, select="test_upload", **QUICK_VITALS)
    assert result.status is Status.FAILED
    assert result.metrics["e2e.workflows.pass_ratio"] == 0.0
    (finding,) = [f for f in result.findings if f.rule == "workflow-failed"]
    assert finding.location == f"{UPLOAD} / submit upload"
    assert f"'{UPLOAD}'" in finding.message and "'submit upload'" in finding.message
    # The failed test ran once more, traced (trace = on-first-retry): the trace is the re-run's.
    assert finding.extra["retry"] == "failed" and finding.message.endswith("it failed again when run again, traced")
    trace = run.path / finding.extra["trace"]
    assert trace.name == "trace.zip" and trace.stat().st_size > 0
    assert (run.path / finding.extra["screenshot"]).is_file()
    assert budget_statuses(result)["e2e_workflows"] is BudgetStatus.FAIL
    assert f"workflow-failed at {UPLOAD} / submit upload" in findings_budget_message(result, tmp_path)


@pytest.mark.slow
def test_slow_page_breaks_the_page_load_budget(start_target: StartTarget, tmp_path: Path) -> None:
    app = start_target(faults=("slow-page",))
    result, _ = run_stage(tmp_path, app, select="test_dashboard", **QUICK_VITALS)
    assert result.metrics['e2e.page["/"].load_ms'] > 3000
    assert result.metrics['e2e.page["/"].ttfb_ms'] > 3000
    statuses = budget_statuses(result)
    assert statuses["page_load[/]"] is BudgetStatus.FAIL


PAGE_FAULT_BUDGETS = ("page_cls[/]", "page_inp[/wiki]")
"""What the layout-shift (home page) and slow-interaction (/wiki) faults break."""


@pytest.mark.slow
def test_layout_shift_and_slow_interaction_break_exactly_their_page_budgets(
    start_target: StartTarget, tmp_path: Path
) -> None:
    """One run with both faults: each breaks its own vital on its own page, nothing else per page."""
    app = start_target(faults=("layout-shift", "slow-interaction"))
    result, _ = run_stage(tmp_path, app, select="test_dashboard", **(QUICK_VITALS | {"pages": ["/", "/wiki"]}))
    m = result.metrics
    assert m['e2e.page["/"].cls'] > 0.1 >= m['e2e.page["/wiki"].cls']
    assert m['e2e.page["/wiki"].inp_ms'] >= 300 > 200 >= m['e2e.page["/"].inp_ms']
    failed = {budget for budget, status in budget_statuses(result).items() if status is BudgetStatus.FAIL}
    assert failed == set(PAGE_FAULT_BUDGETS)


def test_a_select_option_that_is_no_expression_is_a_config_error() -> None:
    with pytest.raises(HarnessError, match=r"e2e option 'select' expects str, got \['test_upload'\]"):
        stage.Options.from_mapping({"select": ["test_upload"]})


def test_an_unknown_option_names_the_nearest_and_the_old_workflows_option_says_what_replaced_it() -> None:
    with pytest.raises(HarnessError, match="Did you mean 'vitals_runs'"):
        stage.Options.from_mapping({"vital_runs": 1})
    with pytest.raises(HarnessError) as raised:
        stage.Options.from_mapping({"workflows": ["upload"]})
    assert raised.value.tip is not None and "pytest -k expression" in raised.value.tip
