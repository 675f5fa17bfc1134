"""The load stage on apps that are not the marketplace: the user's own Locust files run unchanged,
and with no Locust file the generic user sends valid requests to the documented operations
(Swagger 2.0 here) or walks the crawled pages. Nothing marketplace-shaped is measured or assumed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from scenarios import stage
from stagekit.description import AuthRecipe, TargetDescription
from stagekit.discovery import OPENAPI_PATHS, openapi_location
from stagekit.stages import StageContext, TargetInfo
from tests.foreign_apps.fixtures import RunningApp, start_app
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

pytestmark = pytest.mark.slow

USER_FILES = Path(__file__).with_name("user_files")
SHORT = {"users": 5, "duration_s": 12}


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The Swagger 2.0 bookshelf (no auth, no /health, no metrics), shared by this module's runs."""
    with start_app("shelf", tmp_path_factory.mktemp("shelf")) as app:
        yield app


def run_on(app: RunningApp, run_dir: Path, description: TargetDescription, **options: Any) -> StageResult:
    """The load stage against ``app`` as the pipeline would call it: described, OpenAPI discovered."""
    run_dir.mkdir(parents=True)
    ctx = StageContext(
        stage="load",
        profile="smoke",
        target=TargetInfo(url=app.url, description=description),
        openapi=openapi_location(description, app.url, allow_remote=False),
        run_dir=run_dir,
        artifacts=RunDir(run_dir).artifacts("load"),
        options={**SHORT, **options},
    )
    result = stage.run(ctx)
    RunDir(run_dir).write_result(result)
    return result


def endpoints(result: StageResult) -> set[str]:
    """The endpoint names of the ``load.endpoint[...]`` metrics."""
    return {m.split('"')[1] for m in result.metrics if m.startswith("load.endpoint[")}


def test_a_plain_locustfile_counts_under_its_own_request_names(shelf: RunningApp, tmp_path: Path) -> None:
    described = TargetDescription(url=shelf.url, locustfiles=(USER_FILES / "plain_locustfile.py",))
    result = run_on(shelf, tmp_path / "run", described)
    assert result.status is Status.PASSED, result.error
    assert endpoints(result) == {"GET list books", "GET one book", "GET /stats"}, "no doubled method prefix"
    assert result.metrics["load.http.error_ratio"] == 0.0
    assert result.metrics["load.availability.ratio"] == 1.0, "probed on ready_path /, not /health"
    assert set(result.details["operations"]) == {"GET /books", "GET /books/2", "GET /stats"}
    assert result.details["scenario"]["locustfiles"] == [str(USER_FILES / "plain_locustfile.py")]
    assert {p for p in shelf.paths() if p.startswith("/api") or p in ("/health", "/metrics")} == set()


def test_a_locustfiles_own_shape_drives_the_users(shelf: RunningApp, tmp_path: Path) -> None:
    described = TargetDescription(url=shelf.url, locustfiles=(USER_FILES / "shaped_locustfile.py",))
    result = run_on(shelf, tmp_path / "run", described)
    assert result.status is Status.PASSED, result.error
    assert result.details["shape"] == {"name": "ThreeThenFour", "profile": False}
    assert result.metrics["load.users.peak"] == 4, "the file's shape, not the profile's 5 users"
    held = next(c for c in result.validity if c.name == "users-held")
    assert held.ok and "ThreeThenFour" in held.detail
    assert endpoints(result) == {"GET counts"}


def test_the_generic_user_sends_valid_requests_to_a_swagger_2_api(shelf: RunningApp, tmp_path: Path) -> None:
    before = len(shelf.requests())
    result = run_on(shelf, tmp_path / "run", TargetDescription(url=shelf.url))
    assert result.status is Status.PASSED, result.error
    assert endpoints(result) == {
        "GET /books",
        "GET /books/{bookId}",
        "GET /authors",
        "GET /authors/{authorId}",
        "GET /stats",
    }
    assert result.metrics["load.http.error_ratio"] == 0.0
    # The pipeline's OpenAPI discovery tries the usual paths first; everything after it is the stage's.
    sent = [r for r in shelf.requests()[before:] if r[1] not in OPENAPI_PATHS]
    assert sent and all(status < 400 for _, _, status in sent), [r for r in sent if r[2] >= 400][:5]
    assert not any("example" in target for _, target, _ in sent)
    assert {method for method, _, _ in sent} == {"GET"}, "unsafe methods are off by default"
    skipped = result.details["scenario"]["plan"]["skipped"]
    assert set(skipped) == {"POST /books", "DELETE /books/{bookId}"}
    assert "GET /books/3" in result.details["operations"]

    # Without metrics, websocket or upload traffic those budgets do not apply, and say why.
    verdict = evaluate(load_budgets(), "smoke", {"load": result}, stages=["load"])
    status = {b.metric: b for b in verdict.budgets}
    for metric in ("load.db.query_p95_ms", "load.cache.hit_ratio", "load.ws.p95_ms", 'load.upload["*"].p95_s'):
        assert status[metric].status is BudgetStatus.NOT_APPLICABLE, (metric, status[metric].status)
    assert "names no Prometheus metrics" in status["load.db.query_p95_ms"].message
    assert "no websocket traffic" in status["load.ws.p95_ms"].message


def test_include_exclude_and_unsafe_methods(shelf: RunningApp, tmp_path: Path) -> None:
    result = run_on(
        shelf, tmp_path / "run", TargetDescription(url=shelf.url),
        include=["/books"], exclude="DELETE", unsafe_methods=True, duration_s=8,
    )  # fmt: skip
    assert result.status is Status.PASSED, result.error
    assert endpoints(result) == {"GET /books", "GET /books/{bookId}", "POST /books"}
    assert result.metrics['load.endpoint["POST /books"].error_ratio'] == 0.0, "a valid generated body"


def test_the_generic_user_walks_the_pages_of_an_app_without_openapi(tmp_path: Path) -> None:
    password = "load-test-pw-3f9"
    recipe = AuthRecipe(
        kind="login",
        path="/api/login",
        body={"username": "alice", "password": password},
        token_pointer="/token",
        session_cookie="notes_session",
    )
    with start_app("notes", tmp_path, env={"NOTES_PASSWORD": password}) as notes:
        result = run_on(notes, tmp_path / "run", TargetDescription(url=notes.url, auth=recipe))
        sent = notes.requests()
    assert result.status is Status.PASSED, result.error
    assert result.details["scenario"]["plan"]["user"] == "pages"
    assert {"GET /", "GET /notes", "GET /about", "GET /account"} <= endpoints(result)
    assert result.metrics["load.http.error_ratio"] == 0.0
    assert ("GET", "/account", 200) in sent, "the crawl and the load carry the recipe's session"
    assert not any(path == "/logout" for _, path, _ in sent), "the logout pattern is never requested"
