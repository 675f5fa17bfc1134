"""Fault ``stale-schema-ref`` → operations Schemathesis cannot contract-test → the gate fails ``contracts_tested``.

Also the harness's definition of "tested": Schemathesis counts an operation once any check ran on
any response; the stage drops those its warnings say were left untested (auth wall, unreadable schema).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import stage, summary
from contracts.events import Observations
from perf_budgets.verdict import BudgetStatus
from stagekit.target import bundled_app
from tests.contracts.conftest import stage_context
from tests.fixtures.gate import judge, not_passing
from vocabulary.records import StageResult, Status

STALE = {"POST /api/models/{model_id}/ratings", "POST /api/models/{model_id}/comments"}


@pytest.fixture(scope="module")
def stale_run(target_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> StageResult:
    """One short run (fuzzing phase only: ~15 s) against the app with the ``stale-schema-ref`` fault."""
    folder = tmp_path_factory.mktemp("contracts-stale-ref")
    with bundled_app(folder / "target.log", faults=("stale-schema-ref",), data_dir=target_data_dir) as app:
        return stage.run(stage_context(folder, app.url, phases=["fuzzing"]))


@pytest.mark.slow
def test_stale_refs_leave_two_operations_untested_without_contract_failures(stale_run: StageResult) -> None:
    assert stale_run.status is Status.PASSED, stale_run.error
    assert all(check.ok for check in stale_run.validity), stale_run.validity
    assert stale_run.findings == []
    metrics = stale_run.metrics
    assert (metrics["contracts.operations.tested"], metrics["contracts.operations.total"]) == (24, 26)


@pytest.mark.slow
def test_gate_fails_exactly_the_tested_ratio_budget(stale_run: StageResult) -> None:
    judged = judge({"contracts": stale_run})
    assert not_passing(judged) == {"contracts_tested": BudgetStatus.FAIL}
    assert "Actual: 92.31% / Limit: 95.00%" in judged["contracts_tested"].message


def _report(tmp_path: Path, tested: int, warnings: dict[str, list[str]]) -> summary.RunSummary:
    data = {
        "operations": {"total": 26, "selected": 26, "tested": tested},
        "warnings": {"missing_auth": [], "unsupported_regex": ["GET /api/wiki"], **warnings},
        "complete": True,
        "exit_code": 0,
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return summary.read(path, "")


def test_operations_warned_as_left_untested_do_not_count_as_tested(tmp_path: Path) -> None:
    # What the default phases report for the fault: the coverage phase still ran checks on both.
    report = _report(tmp_path, 26, {"unresolvable_reference": sorted(STALE), "missing_auth": ["GET /api/me"]})
    seen = Observations(checked={(op, "not_a_server_error") for op in (*STALE, "GET /api/wiki")})
    assert stage.left_untested(report, seen) == {op: ("unresolvable_reference",) for op in STALE}
    metrics = stage._metrics(report, seen, failures=0)
    assert metrics["contracts.operations.tested"] == 24 and metrics["contracts.operations.left_untested"] == 2
    assert metrics["contracts.operations.tested_ratio"] == pytest.approx(24 / 26, abs=1e-4)


def test_a_warned_operation_no_check_ran_on_is_not_subtracted_twice(tmp_path: Path) -> None:
    report = _report(tmp_path, 24, {"unresolvable_reference": sorted(STALE)})
    metrics = stage._metrics(report, Observations(), failures=0)
    assert metrics["contracts.operations.tested"] == 24
