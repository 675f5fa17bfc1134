"""`harness run --coverage` on the real bundled app under real coverage.py.

Two small stand-in stages (registered under real stage names) send known requests and publish
them as ``details["operations"]`` (concrete paths, as a real stage does), so the attribution of
operations to stages can be asserted exactly; the gate then judges the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import coverage
import httpx
import pytest

from harness import pipeline
from harness.config import Settings
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from stagekit import stages
from stagekit.stages import StageContext
from tests.fixtures.runs import REPO
from vocabulary.records import StageResult
from vocabulary.rundir import RunDir


def _requests(*calls: tuple[str, str]) -> Callable[[StageContext], StageResult]:
    """A stage that sends these (method, path) requests to the target, says so, and passes."""

    def run(ctx: StageContext) -> StageResult:
        with httpx.Client(base_url=ctx.target.url, timeout=10) as client:
            for method, path in calls:
                client.request(method, path).raise_for_status()
        return ctx.result(details={"operations": [f"{method} {path}" for method, path in calls]})

    return run


@pytest.fixture(scope="module")
def covered_run(tmp_path_factory: pytest.TempPathFactory, target_data_dir: Path) -> pipeline.Finished:
    """One run: 'e2e' browses the catalogue, 'contracts' reads a model and the wiki."""
    out = tmp_path_factory.mktemp("covered")
    fakes = {
        "e2e": _requests(("GET", "/api/models"), ("GET", "/api/categories"), ("GET", "/models")),
        "contracts": _requests(("GET", "/api/models/1"), ("GET", "/api/wiki"), ("GET", "/api/models")),
    }
    saved = {name: stages._registry[name] for name in fakes}
    stages._registry.update(fakes)
    try:
        settings = Settings(stages=("e2e", "contracts"), coverage=True, out=out, target_data_dir=target_data_dir)
        _, state = pipeline.run(settings)
    finally:
        stages._registry.update(saved)
    return state


def _coverage_json(state: pipeline.Finished) -> dict[str, Any]:
    assert state.run is not None
    data: dict[str, Any] = json.loads((state.run.path / "coverage.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
def test_line_and_branch_coverage_with_a_module_table(covered_run: pipeline.Finished) -> None:
    data = _coverage_json(covered_run)
    assert data["status"] == "passed"
    assert 0.3 < data["metrics"]["coverage.line_ratio"] < 1
    assert 0 < data["metrics"]["coverage.branch_ratio"] < 1
    modules = {row["path"]: row for row in data["details"]["modules"]}
    # Request handling ran in the target, so the app factory is covered; no stage uploaded a file.
    assert modules["target_app/app.py"]["line_ratio"] > 0.8
    assert modules["target_app/uploads.py"]["line_ratio"] < 0.6
    assert all(check["ok"] for check in data["validity"]), data["validity"]


@pytest.mark.slow
def test_each_operation_is_attributed_to_the_stage_that_sent_it(covered_run: pipeline.Finished) -> None:
    data = _coverage_json(covered_run)
    matrix = {row["operation"]: row["stages"] for row in data["details"]["operations_matrix"]}
    assert matrix["GET /api/categories"] == {"e2e": True, "contracts": False}
    assert matrix["GET /api/models/{model_id}"] == {"e2e": False, "contracts": True}
    assert matrix["GET /api/models"] == {"e2e": True, "contracts": True}
    assert matrix["GET /metrics"] == {"e2e": False, "contracts": False}  # no stage asked for it
    total = len(matrix)
    assert data["metrics"]['coverage.api_operations["e2e"].ratio'] == pytest.approx(2 / total)
    assert data["metrics"]["coverage.api_operations_ratio"] == pytest.approx(4 / total)
    assert "POST /api/auth/login" in data["details"]["uncovered_operations"]


@pytest.mark.slow
def test_operations_no_stage_exercised_fail_the_budget_and_are_named(covered_run: pipeline.Finished) -> None:
    assert covered_run.verdict is not None
    by_id = {b.budget: b for b in covered_run.verdict.budgets}
    assert by_id["coverage_api_operations"].status is BudgetStatus.FAIL
    assert by_id["coverage_lines"].status is BudgetStatus.FAIL  # two tiny stages are far from 85 %
    named = by_id["coverage_operations_not_exercised"]
    assert named.status is BudgetStatus.WARN
    uncovered = _coverage_json(covered_run)["details"]["uncovered_operations"]
    assert "POST /api/auth/register" in uncovered
    for name in uncovered[:5]:  # the gate names five, then "and N more"
        assert f"operation-not-exercised at {name}" in named.message
    assert f"and {len(uncovered) - 5} more" in named.message
    assert "GET /api/categories" not in named.message


@pytest.mark.slow
def test_ctrl_c_during_a_stage_keeps_complete_coverage_data(tmp_path: Path, target_data_dir: Path) -> None:
    env = {**os.environ, "HARNESS_TARGET_DATA_DIR": str(target_data_dir)}
    command = [sys.executable, "-m", "harness", "run", "--coverage", "--stages", "accessibility"]
    command += ["--out", str(tmp_path)]
    # Its own process group, signalled as a whole: what Ctrl-C in a terminal does.
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        # The first page audited: the stage is now browsing the target, with more pages to go.
        _wait_for(lambda: any((tmp_path / "latest" / "accessibility" / "raw").glob("*.json")), timeout_s=90)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 2
    run = tmp_path / "latest"
    data = json.loads((run / "coverage.json").read_text(encoding="utf-8"))
    assert data["status"] == "incomplete"
    assert data["metrics"]["coverage.line_ratio"] > 0.3
    data_file = run / "coverage" / ".coverage"
    measured = coverage.CoverageData(basename=str(data_file))
    measured.read()
    assert any(path.endswith("target_app/app.py") for path in measured.measured_files())


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not reached within {timeout_s} s"
        time.sleep(0.2)


_COVERAGE_BUDGETS = """schema_version = 1
[budgets.coverage_lines]
metric = "coverage.line_ratio"
min = {lines}
[budgets.coverage_branches]
metric = "coverage.branch_ratio"
min = {branches}
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lines_delta", "branches_delta", "failing"),
    [(0.01, -0.01, {"coverage_lines"}), (-0.01, 0.01, {"coverage_branches"}), (-0.01, -0.01, set())],
)
def test_each_coverage_budget_fails_exactly_when_its_limit_is_above_what_the_run_measured(
    covered_run: pipeline.Finished, tmp_path: Path, lines_delta: float, branches_delta: float, failing: set[str]
) -> None:
    # No runtime fault can lower coverage honestly (see the fault table in target_app/README.md), so
    # the limits sit one point either side of what this very run measured: the gate must follow them.
    assert covered_run.run is not None
    results = RunDir(covered_run.run.path).results()
    measured = results["coverage"].metrics
    lines, branches = measured["coverage.line_ratio"] + lines_delta, measured["coverage.branch_ratio"] + branches_delta
    budget_file = tmp_path / "budgets.toml"
    budget_file.write_text(_COVERAGE_BUDGETS.format(lines=lines, branches=branches), encoding="utf-8")
    verdict = evaluate(load_budgets(budget_file), "smoke", {"coverage": results["coverage"]}, stages=("coverage",))
    statuses = {b.budget: b.status for b in verdict.budgets}
    assert statuses == {b: BudgetStatus.FAIL if b in failing else BudgetStatus.PASS for b in statuses}
    assert set(statuses) == {"coverage_lines", "coverage_branches"}
