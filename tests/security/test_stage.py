"""The security stage against the real bundled app over loopback, with and without its header fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports import sarif
from security import stage
from stagekit.target import AppProcess
from tests.fixtures.target import StartTarget
from tests.reports.test_sarif import validate
from tests.security.helpers import security_context
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean_run(bundled_target: AppProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[StageResult, Path]:
    """One stage run against the app without faults, shared by the assertions below."""
    run_dir = tmp_path_factory.mktemp("security-run")
    result = stage.run(security_context(bundled_target.url, run_dir))
    RunDir(run_dir).write_result(result)  # validates against the stage-result schema
    return result, run_dir


def test_bundled_app_grades_a_plus_without_high_or_medium_findings(clean_run: tuple[StageResult, Path]) -> None:
    result, _ = clean_run
    assert result.status is Status.PASSED, result.validity
    assert result.details["grade"]["letter"] == "A+"
    assert result.metrics["security.grade_score"] >= 100
    blocking = [f for f in result.findings if f.severity.value in {"critical", "high", "medium"}]
    assert blocking == []
    assert result.metrics["security.findings.high"] == result.metrics["security.findings.medium"] == 0


def test_stage_really_looked(clean_run: tuple[StageResult, Path]) -> None:
    result, run_dir = clean_run
    checked = json.loads((run_dir / result.artifacts["alerts"]).read_text(encoding="utf-8"))["checked"]
    kinds = {row["kind"] for row in checked}
    assert {"page", "api", "error", "probe", "asset"} <= kinds
    assert result.metrics["security.urls.checked"] >= 25
    assert result.details["authenticated"] is True
    assert any(row["operation"] == "GET /api/models/{model_id}" and row["status"] == 200 for row in checked)
    assert any(row["url"].endswith("/upload") and row["status"] == 200 for row in checked), "login-only page"
    assert all(check.ok for check in result.validity)


def test_stage_findings_make_valid_sarif(clean_run: tuple[StageResult, Path]) -> None:
    result, run_dir = clean_run
    log = sarif.build([result], openapi_uri=result.artifacts["openapi"])
    validate(log)
    assert [run["tool"]["driver"]["name"] for run in log["runs"]] == ["release-harness security"]
    assert (run_dir / result.artifacts["openapi"]).is_file()


def test_missing_security_headers_fault_drops_the_grade_and_names_the_rules(
    start_target: StartTarget, tmp_path: Path
) -> None:
    app = start_target(faults=("missing-security-headers",))
    result = stage.run(security_context(app.url, tmp_path))
    assert result.metrics["security.grade_score"] < 90
    assert result.details["grade"]["letter"] not in {"A+", "A", "A-"}
    rules = {f.rule for f in result.findings}
    assert {"10038", "10021", "10020"} <= rules
    home = {f.rule: f for f in result.findings if f.location == "GET /"}
    assert home["10038"].extra["policy"] == "FAIL" and home["10038"].severity.value == "medium"
    assert home["10038"].extra["artifact_uri"] == "security/alerts.json"
    api = next(f for f in result.findings if f.rule == "10021" and f.location == "GET /api/models/{model_id}")
    assert api.extra["artifact_uri"] == "security/openapi.json" and api.extra["artifact_line"] > 1
    sarif_log = sarif.build([result])
    validate(sarif_log)
    assert {"10038", "10021", "10020"} <= {r["ruleId"] for r in sarif_log["runs"][0]["results"]}
    rules = {r["id"]: r for r in sarif_log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["10038"]["helpUri"] == "https://www.zaproxy.org/docs/alerts/10038/"
