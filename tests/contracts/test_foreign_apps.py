"""The contracts stage on apps unlike the bundled one: Swagger 2.0 without auth, and no OpenAPI at all."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from contracts import stage
from perf_budgets.verdict import BudgetStatus
from stagekit.description import TargetDescription
from stagekit.discovery import find_openapi
from tests.contracts.conftest import stage_context
from tests.fixtures.gate import judge, not_passing
from tests.foreign_apps.fixtures import RunningApp
from vocabulary.records import StageResult, Status

SHELF_OPERATIONS = {
    "GET /books",
    "POST /books",
    "GET /books/{bookId}",
    "DELETE /books/{bookId}",
    "GET /authors",
    "GET /authors/{authorId}",
    "GET /stats",
}
_DELETE_BOOK = re.compile(r"/books/[^/?]+")
USER_CONFIG = """\
hooks = "shelf_hooks.py"

[generation]
max-examples = 2

[phases.stateful]
enabled = false

[[operations]]
include-name = "DELETE /books/{bookId}"
enabled = false
"""
USER_HOOKS = """\
import schemathesis


@schemathesis.check
def shelf_hook_ran(ctx, response, case):
    return None
"""


def _shelf(run_dir: Path, app: RunningApp, config: Path | None = None) -> StageResult:
    described = TargetDescription(url=app.url, schemathesis_config=config)
    ctx = stage_context(run_dir, app.url, openapi=f"{app.url}/swagger.json", description=described, max_examples=3)
    return stage.run(ctx)


@pytest.mark.slow
def test_swagger_2_app_without_auth_runs_clean(shelf_app: RunningApp, tmp_path: Path) -> None:
    result = _shelf(tmp_path, shelf_app)
    failures = [f"{f.rule} on {f.location}: {f.message}" for f in result.findings]
    assert failures == [] and result.status is Status.PASSED, failures
    assert all(check.ok for check in result.validity), result.validity
    assert result.details["auth"] == "none"
    assert "auth.auto-signup = false (no auth unless the target description has it)" in result.details["notes"]
    assert set(result.details["operations"]) == SHELF_OPERATIONS
    assert result.metrics["contracts.operations.tested_ratio"] == 1.0
    assert not_passing(judge({"contracts": result})) == {}
    assert not any(path.startswith("/api/") for path in shelf_app.paths()), "no marketplace path"


@pytest.mark.slow
def test_user_schemathesis_toml_is_honoured(shelf_app: RunningApp, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "schemathesis.toml").write_text(USER_CONFIG, encoding="utf-8")
    (project / "shelf_hooks.py").write_text(USER_HOOKS, encoding="utf-8")
    result = _shelf(tmp_path / "run", shelf_app, project / "schemathesis.toml")
    assert result.status is Status.PASSED, result.error
    deleted = [
        target for method, target, _ in shelf_app.requests() if method == "DELETE" and _DELETE_BOOK.match(target)
    ]
    assert deleted == [], "the operation the user's config turns off was called"
    assert "DELETE /books/{bookId}" not in result.details["operations"]
    assert result.metrics["contracts.operations.deselected"] == 1
    assert result.metrics["contracts.operations.tested_ratio"] == 1.0
    assert result.metrics['contracts.check["shelf_hook_ran"].failures'] == 0, "the user's hooks file did not run"
    notes = result.details["notes"]
    assert f"your schemathesis.toml: {project / 'schemathesis.toml'}" in notes
    assert "seed = 20240101 (replayable)" in notes
    assert not any(note.startswith("generation.max-examples") for note in notes), "the user set it"
    # The harness writes nothing into the team's folder (Python's own bytecode cache of the hooks aside).
    written = sorted(p.name for p in project.iterdir() if p.name != "__pycache__")
    assert written == ["schemathesis.toml", "shelf_hooks.py"]


def test_app_without_openapi_is_not_applicable(notes_app: RunningApp, tmp_path: Path) -> None:
    assert find_openapi(notes_app.url) is None
    before = len(notes_app.requests())
    ctx = stage_context(tmp_path, notes_app.url, description=TargetDescription(url=notes_app.url))
    result = stage.run(dataclasses.replace(ctx, openapi=None))  # as the pipeline builds it for this app
    assert result.status is Status.NOT_APPLICABLE
    assert result.error is not None and "no OpenAPI document" in result.error
    assert len(notes_app.requests()) == before, "the stage sent requests to an app it cannot test"
    judged = not_passing(judge({"contracts": result}))
    assert set(judged.values()) == {BudgetStatus.NOT_APPLICABLE} and "contracts_blocking" in judged
