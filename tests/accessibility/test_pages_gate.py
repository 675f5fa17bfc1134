"""Fault ``broken-page``: a planned page answers a 500, cannot be audited → the gate fails ``a11y_pages`` naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_budgets.verdict import BudgetStatus
from stagekit.description import bundled_description
from stagekit.target import AppProcess, bundled_app
from tests.accessibility.conftest import stage_context
from tests.fixtures.gate import judge, not_passing
from tests.fixtures.target import bundled_info
from vocabulary.records import StageResult, Status

pytestmark = pytest.mark.slow
BROKEN = "/wiki/getting-started-10"
PAGES = ["/wiki", BROKEN]


def _audit(url: str, run_dir: Path) -> StageResult:
    from accessibility.stage import run

    options = {"pages": PAGES, "auth_pages": [], "states": []}
    return run(stage_context(run_dir, bundled_info(url), options=options))


@pytest.fixture(scope="module")
def broken_run(target_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> StageResult:
    """One audit of two wiki pages of the app with the ``broken-page`` fault."""
    folder = tmp_path_factory.mktemp("a11y-broken-page")
    with bundled_app(folder / "target.log", faults=("broken-page",), data_dir=target_data_dir) as app:
        return _audit(app.url, folder / "run")


def test_the_broken_page_is_reached_but_not_audited(broken_run: StageResult) -> None:
    assert BROKEN in bundled_description().pages  # the fault breaks a page the stage audits by default
    assert broken_run.status is Status.PASSED, broken_run.error
    assert all(check.ok for check in broken_run.validity), broken_run.validity
    assert broken_run.details["unanswered"] == [
        {"name": BROKEN, "url": broken_run.details["unanswered"][0]["url"], "status": 500}
    ]
    metrics = broken_run.metrics
    assert metrics["a11y.pages.audited"] == metrics["a11y.pages.unanswered"] == 1
    assert metrics["a11y.pages.audited_ratio"] == 0.5


def test_gate_fails_exactly_the_pages_budget_naming_the_page(broken_run: StageResult) -> None:
    judged = judge({"accessibility": broken_run})
    assert not_passing(judged) == {f"a11y_pages[{BROKEN}]": BudgetStatus.FAIL}
    assert f'a11y.page["{BROKEN}"].audited is below its minimum' in judged[f"a11y_pages[{BROKEN}]"].message


def test_gate_passes_the_same_pages_without_the_fault(bundled_target: AppProcess, tmp_path: Path) -> None:
    judged = judge({"accessibility": _audit(bundled_target.url, tmp_path)})
    assert not_passing(judged) == {}
    assert {budget for budget in judged if budget.startswith("a11y_pages")} == {f"a11y_pages[{page}]" for page in PAGES}
