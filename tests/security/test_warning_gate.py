"""Fault ``server-banner`` → the security stage's Low findings → the gate breaches ``security_warnings`` only."""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_budgets.verdict import BudgetStatus
from security import stage
from stagekit.target import AppProcess, bundled_app
from tests.fixtures.gate import judge, not_passing
from tests.security.helpers import security_context
from vocabulary.records import StageResult

pytestmark = pytest.mark.slow


def _scan(url: str, run_dir: Path) -> StageResult:
    return stage.run(security_context(url, run_dir))


@pytest.fixture(scope="module")
def banner_run(target_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> StageResult:
    """One stage run against the app with the ``server-banner`` fault."""
    folder = tmp_path_factory.mktemp("security-banner")
    with bundled_app(folder / "target.log", faults=("server-banner",), data_dir=target_data_dir) as app:
        return _scan(app.url, folder)


def test_banner_findings_are_low_risk_version_leaks(banner_run: StageResult) -> None:
    assert {(f.rule, f.severity.value) for f in banner_run.findings} == {("10036", "low"), ("10037", "low")}
    home = {f.rule: f for f in banner_run.findings if f.location == "GET /"}
    assert home["10036"].evidence.startswith("uvicorn/") and home["10037"].evidence.startswith("X-Powered-By: FastAPI/")
    assert banner_run.metrics["security.grade_score"] >= 100  # the grade does not look at banners


def test_gate_breaches_exactly_the_warnings_budget_naming_the_rule(banner_run: StageResult) -> None:
    judged = judge({"security": banner_run})
    # security_warnings is warn-level in the shipped file: breached, reported, the run does not fail.
    assert not_passing(judged) == {"security_warnings": BudgetStatus.WARN}
    message = judged["security_warnings"].message
    assert "is above its maximum" in message and "(10036) at GET /" in message


def test_gate_passes_the_same_budgets_without_the_fault(bundled_target: AppProcess, tmp_path: Path) -> None:
    judged = judge({"security": _scan(bundled_target.url, tmp_path)})
    assert not_passing(judged) == {}
    assert judged["security_warnings"].observed == 0
