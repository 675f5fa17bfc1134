"""The e2e stage on the notes app (not the marketplace): its team's own test folder, then zero config."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e import stage
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from stagekit.description import AuthRecipe, TargetDescription
from stagekit.stages import StageContext, TargetInfo
from tests.foreign_apps.fixtures import RunningApp, notes_app
from tests.foreign_apps.notes_store import DEFAULT_PASSWORD
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

__all__ = ["notes_app"]  # an imported fixture, used by name below

NOTES_TESTS = Path(__file__).resolve().parents[1] / "foreign_apps" / "notes_project" / "e2e"
"""Written the way the notes team writes them: no harness import, no pytest configuration."""
MARKETPLACE_PATHS = ("/health", "/metrics", "/api/models", "/models", "/wiki", "/dashboard")


def run_stage(tmp_path: Path, app: RunningApp, description: TargetDescription) -> StageResult:
    run = RunDir.create(tmp_path / "runs", "smoke")
    ctx = StageContext(
        stage="e2e",
        profile="smoke",
        target=TargetInfo(url=app.url, description=description),
        openapi=None,
        run_dir=run.path,
        artifacts=run.artifacts("e2e"),
        options={"vitals_runs": 1, "lighthouse_pages": 0},  # Lighthouse is proven in test_e2e_lighthouse
    )
    result = stage.run(ctx)
    run.write_result(result)  # the result must satisfy the stage-result schema
    return result


def budget_statuses(result: StageResult) -> dict[str, BudgetStatus]:
    verdict = evaluate(load_budgets(), "smoke", {"e2e": result}, stages=["e2e"])
    return {b.budget: b.status for b in verdict.budgets}


@pytest.mark.slow
def test_the_teams_own_tests_run_unchanged_and_each_is_a_workflow(notes_app: RunningApp, tmp_path: Path) -> None:
    result = run_stage(tmp_path, notes_app, TargetDescription(playwright_tests=NOTES_TESTS))
    assert result.status is Status.PASSED, result.error or result.findings
    assert [w["id"] for w in result.details["workflows"]] == [
        f"test_notes.py::{name}[chromium]"
        for name in ("test_open_a_note_from_the_list", "test_log_in_through_the_form", "test_wrong_password_is_refused")
    ]
    assert result.metrics["e2e.workflows.pass_ratio"] == 1.0 and result.metrics["e2e.workflows.total"] == 3
    # No page named: the vitals are those of the pages the tests opened.
    assert {"/notes", "/login", "/account"} <= {p["name"] for p in result.details["pages"]}
    assert result.metrics['e2e.page["/notes"].fcp_ms'] > 0
    assert {"GET /notes", "POST /login", "GET /account"} <= set(result.details["operations"])
    assert "no pytest configuration of their own" in result.details["notes"][0]
    assert budget_statuses(result)["e2e_workflows"] is BudgetStatus.PASS
    assert not set(notes_app.paths()) & set(MARKETPLACE_PATHS)


@pytest.mark.slow
def test_with_zero_config_pages_are_measured_and_workflows_do_not_apply(notes_app: RunningApp, tmp_path: Path) -> None:
    result = run_stage(tmp_path, notes_app, TargetDescription(crawl_depth=1, max_pages=3))
    assert result.status is Status.PASSED, result.error or result.findings
    assert result.not_applicable["e2e.workflows.*"] == stage.NO_TESTS
    assert result.not_applicable["e2e.performance.score"] == stage.LIGHTHOUSE_OFF
    assert "e2e.workflows.pass_ratio" not in result.metrics and "workflows" not in result.details
    assert result.metrics['e2e.page["/"].lcp_ms'] > 0 and len(result.details["pages"]) >= 2
    statuses = budget_statuses(result)
    assert statuses["e2e_workflows"] is BudgetStatus.NOT_APPLICABLE
    assert statuses["page_load[/]"] is BudgetStatus.PASS
    assert not set(notes_app.paths()) & set(MARKETPLACE_PATHS)


def _signing_in(password: str) -> TargetDescription:
    """The notes app's login API as the one auth recipe, its account page to be measured signed in."""
    recipe = AuthRecipe(kind="login", path="/api/login", body={"username": "alice", "password": password})
    return TargetDescription(pages=("/",), auth_pages=("/account",), auth=recipe)


@pytest.mark.slow
def test_auth_pages_are_measured_signed_in_and_a_refused_recipe_fails_them(
    notes_app: RunningApp, tmp_path: Path
) -> None:
    signed_in = run_stage(tmp_path / "ok", notes_app, _signing_in(DEFAULT_PASSWORD))
    assert signed_in.status is Status.PASSED, signed_in.error or signed_in.findings
    assert [(p["name"], p["signed_in"]) for p in signed_in.details["pages"]] == [("/", False), ("/account", True)]
    refused = run_stage(tmp_path / "refused", notes_app, _signing_in("not-the-password"))
    assert "signing in with the auth recipe failed" in refused.details["notes"][0]
    (finding,) = refused.findings
    assert finding.location == "/account" and "auth recipe's credentials" in finding.message
    assert refused.metrics['e2e.page["/"].lcp_ms'] > 0, "the public page is still measured"


FLAKY_TEST = """
from pathlib import Path

from playwright.sync_api import Page, expect

RAN_ONCE = Path(__file__).with_name("ran-once")


def test_open_the_notes(page: Page) -> None:
    page.goto("/notes")
    first = not RAN_ONCE.exists()
    RAN_ONCE.touch()
    expect(page.get_by_role("heading", level=1, name="All notes" if not first else "Not on the page")).to_be_visible(
        timeout=500
    )
"""


@pytest.mark.slow
def test_a_failed_test_runs_again_traced_and_its_first_outcome_stands(notes_app: RunningApp, tmp_path: Path) -> None:
    tests = tmp_path / "flaky_e2e"
    tests.mkdir()
    (tests / "test_flaky.py").write_text(FLAKY_TEST)
    result = run_stage(tmp_path, notes_app, TargetDescription(playwright_tests=tests, pages=()))
    (workflow,) = result.details["workflows"]
    assert (workflow["outcome"], workflow["retry"]) == ("failed", "passed")
    assert result.metrics["e2e.workflows.pass_ratio"] == 0.0, "a pass on the re-run does not count"
    (finding,) = result.findings
    assert finding.message.endswith("; it passed when run again, traced: flaky")
    trace = tmp_path / "runs" / "latest" / finding.extra["trace"]
    assert trace.name == "trace.zip" and trace.stat().st_size > 0 and "playwright-retry" in trace.parts
    assert "workflows_retry" in result.artifacts and "ran again, traced" in " ".join(result.details["notes"])
