"""The security stage on apps unlike the bundled one: an HTML site without OpenAPI, and a header fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perf_budgets.verdict import BudgetStatus
from security import stage
from stagekit.description import AuthRecipe, TargetDescription
from tests.fixtures.gate import judge, not_passing
from tests.foreign_apps.fixtures import RunningApp, start_app
from tests.foreign_apps.notes_store import DEFAULT_PASSWORD, USERNAME
from tests.security.helpers import security_context
from vocabulary.records import StageResult, Status

pytestmark = pytest.mark.slow

NOTES_LOGIN = AuthRecipe(
    kind="login", path="/login", body={"username": USERNAME, "password": DEFAULT_PASSWORD}, body_format="form"
)


def _notes_scan(app: RunningApp, run_dir: Path, **described: object) -> StageResult:
    description = TargetDescription(url=app.url, **described)  # type: ignore[arg-type]
    return stage.run(security_context(app.url, run_dir, description=description, openapi=None))


def _checked(result: StageResult, run_dir: Path) -> list[dict[str, object]]:
    """One row per URL the stage fetched (its alerts artifact)."""
    alerts = json.loads((run_dir / result.artifacts["alerts"]).read_text(encoding="utf-8"))
    return list(alerts["checked"])


def test_html_app_without_openapi_is_judged_on_its_pages(tmp_path: Path) -> None:
    with start_app("notes", tmp_path) as app:
        result = _notes_scan(app, tmp_path / "run", auth=NOTES_LOGIN, auth_pages=("/account",))
        requested = app.requests()
    assert result.status is Status.PASSED, result.validity
    assert all(check.ok for check in result.validity), result.validity
    assert "api_operations_checked" not in {check.name for check in result.validity}
    assert set(result.not_applicable) == {"security.api.*"}
    assert "no OpenAPI document" in result.not_applicable["security.api.*"]
    checked = _checked(result, tmp_path / "run")
    pages = {str(row["url"]).removeprefix(app.url) for row in checked if row["kind"] == "page"}
    assert {"/", "/notes", "/about", "/login", "/account"} <= pages, "the crawl found the linked pages"
    assert any(str(row["url"]).endswith("/account") and row["status"] == 200 for row in checked), "auth page"
    assert result.details["authenticated"] is True
    assert not any(target.startswith("/logout") for _, target, _ in requested), "the session was ended"
    assert not any(row["kind"] == "api" for row in checked)
    judged = judge({"security": result})
    assert not_passing(judged) == {}, {k: v.message for k, v in judged.items()}


def test_missing_header_fault_of_a_foreign_app_breaches_the_security_budgets(tmp_path: Path) -> None:
    with start_app("notes", tmp_path, faults=("missing-header",)) as app:
        result = _notes_scan(app, tmp_path / "run")
    assert {"10038", "10021"} <= {f.rule for f in result.findings}
    judged = judge({"security": result})
    assert not_passing(judged) == {
        "security_blocking": BudgetStatus.FAIL,
        "security_warnings": BudgetStatus.WARN,
        "security_grade": BudgetStatus.FAIL,
    }
    assert "(10038) at GET /" in judged["security_blocking"].message
