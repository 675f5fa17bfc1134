"""The coverage session on any target: what applies, what does not and why (no app, no browser needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coverage_stage.stage import CoverageSession, stage_metric
from perf_budgets.verdict import BudgetStatus
from stagekit.description import AppCommand, TargetDescription
from stagekit.stages import TargetInfo
from tests.fixtures.gate import judge
from vocabulary.errors import HarnessError
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

URL = "http://127.0.0.1:9"
SWAGGER = {"swagger": "2.0", "paths": {"/books": {"get": {}}, "/books/{bookId}": {"get": {}, "delete": {}}}}


def _session(tmp_path: Path) -> CoverageSession:
    return CoverageSession(RunDir.create(tmp_path / "runs", "smoke"), "smoke", {})


def _result(stage: str, **fields: object) -> StageResult:
    return StageResult(stage, Status.PASSED, target_url=URL, profile="smoke", **fields)  # type: ignore[arg-type]


def _published(stage: str, *operations: str) -> StageResult:
    return _result(stage, details={"operations": list(operations)})


def test_without_openapi_and_without_coverage_data_nothing_applies_and_nothing_is_invalid(tmp_path: Path) -> None:
    session = _session(tmp_path)
    session.attach(TargetInfo(URL), openapi=None)
    session.after("load", _published("load", "GET /notes"))
    result = session.result(complete=True)
    assert result.status is Status.PASSED
    assert result.validity == [] and result.findings == [] and result.metrics == {}
    assert "no OpenAPI document" in result.not_applicable["coverage.api_operations*"]
    reason = result.not_applicable["coverage.line_ratio"]
    assert reason == result.not_applicable["coverage.branch_ratio"]
    assert "did not start the app" in reason and "coverage_data" in reason
    statuses = {budget: judged.status for budget, judged in judge({"coverage": result}).items()}
    assert statuses == {
        "coverage_lines": BudgetStatus.NOT_APPLICABLE,
        "coverage_branches": BudgetStatus.NOT_APPLICABLE,
        "coverage_api_operations": BudgetStatus.NOT_APPLICABLE,
        # Derived by the gate from the stage's findings, but nothing could be missed: not a pass.
        "coverage_operations_not_exercised": BudgetStatus.NOT_APPLICABLE,
    }


def test_operations_come_from_what_the_stages_published_matched_to_the_templates(tmp_path: Path) -> None:
    document = tmp_path / "swagger.json"
    document.write_text(json.dumps(SWAGGER), encoding="utf-8")
    session = _session(tmp_path)
    session.attach(TargetInfo(URL), openapi=str(document))
    session.after("load", _published("load", "GET /books/3", "GET /books/4?x=1", "GET /"))
    session.after("contracts", _published("contracts", "GET /books", "DELETE /books/{bookId}"))
    session.after("accessibility", _result("accessibility"))
    result = session.result(complete=True)
    assert result.metrics[stage_metric("load")] == pytest.approx(1 / 3)
    assert result.metrics["coverage.api_operations_ratio"] == 1.0
    assert stage_metric("accessibility") not in result.metrics
    assert result.details["stages_without_operations"] == ["accessibility"]
    assert result.details["unmatched_requests"] == {"load": 1, "contracts": 0}
    attributed = next(check for check in result.validity if check.name == "api-operations-attributed")
    assert attributed.ok and "accessibility" in attributed.detail


def test_no_stage_publishing_its_requests_makes_operation_coverage_unmeasured(tmp_path: Path) -> None:
    document = tmp_path / "swagger.json"
    document.write_text(json.dumps(SWAGGER), encoding="utf-8")
    session = _session(tmp_path)
    session.attach(TargetInfo(URL), openapi=str(document))
    session.after("e2e", _result("e2e"))
    result = session.result(complete=True)
    attributed = next(check for check in result.validity if check.name == "api-operations-attributed")
    assert not attributed.ok and "no stage published" in attributed.detail
    assert "coverage.api_operations_ratio" not in result.metrics


def test_a_started_app_that_is_not_python_is_not_wrapped_and_says_why(tmp_path: Path) -> None:
    session = _session(tmp_path)
    described = TargetDescription(command=AppCommand(argv=("node", "server.js")))
    assert session.rcfile_for_started(described) is None
    assert session.rcfile_for_started(TargetDescription(command=AppCommand(argv=("{python}", "-m", "app")))) is not None
    with_data = TargetDescription(command=AppCommand(argv=("{python}", "-m", "app")), coverage_data=tmp_path / "d")
    assert _session(tmp_path).rcfile_for_started(with_data) is None  # the app writes its own data


def test_a_node_app_is_not_applicable_naming_the_command(tmp_path: Path) -> None:
    session = _session(tmp_path)
    session.rcfile_for_started(TargetDescription(command=AppCommand(argv=("node", "server.js"))))
    session.attach(TargetInfo(URL), openapi=None)
    assert "does not start Python" in session.result(complete=True).not_applicable["coverage.line_ratio"]


def test_described_coverage_data_older_than_the_run_is_not_measured(tmp_path: Path) -> None:
    data = tmp_path / ".coverage"
    data.write_bytes(b"")
    os.utime(data, (1_000_000, 1_000_000))
    session = _session(tmp_path)
    session.attach(TargetInfo(URL, TargetDescription(coverage_data=data)), openapi=None)
    result = session.result(complete=True)
    check = next(check for check in result.validity if check.name == "code-coverage-measured")
    assert not check.ok and "before this run started" in check.detail
    assert "coverage.line_ratio" not in result.not_applicable


def test_an_unknown_coverage_option_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="Did you mean 'report'"):
        CoverageSession(RunDir.create(tmp_path, "smoke"), "smoke", {"reprot": "coverage.xml"})
