"""A foreign HTML app (tests/foreign_apps notes: plain ASGI, form login, no OpenAPI) described by its URL.

The crawl from ``/`` finds its pages, the signed-in page is audited with the description's auth
recipe, and its ``missing-alt`` fault is found as exactly one image-alt violation on the home page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perf_budgets.verdict import BudgetStatus
from stagekit.description import AuthRecipe, TargetDescription
from stagekit.stages import TargetInfo
from tests.accessibility.conftest import RunStage
from tests.fixtures.gate import judge, not_passing
from tests.foreign_apps.fixtures import start_app
from tests.foreign_apps.notes_store import DEFAULT_PASSWORD, USERNAME
from vocabulary.records import Status

pytestmark = pytest.mark.slow
LOGIN = AuthRecipe(kind="login", path="/api/login", body={"username": USERNAME, "password": DEFAULT_PASSWORD})
NOTES = TargetDescription(crawl_depth=1, max_pages=10, auth=LOGIN, auth_pages=("/account",))
OWN_PATHS = re.compile(r"/|/notes(/\d+)?|/about|/login|/account|/static/notes\.css|/static/logo\.svg|/api/login")
"""Every path the notes app serves that a crawl, a page load or the login can reach."""


def test_the_crawl_and_the_signed_in_page_find_the_missing_alt_fault(tmp_path: Path, run_stage: RunStage) -> None:
    with start_app("notes", tmp_path, faults=("missing-alt",)) as app:
        result = run_stage(TargetInfo(app.url, NOTES), options={})
        requested = app.paths()
    assert result.status is Status.PASSED, result.error
    assert [check for check in result.validity if not check.ok] == []
    audited = {item["name"]: item["url"] for item in result.details["audited"]}
    assert {"/", "/notes", "/about", "/login", "/account"} <= audited.keys()
    assert any(re.fullmatch(r"/notes/\d+", name) for name in audited)
    assert audited["/account"] == f"{app.url}/account"  # signed in: not sent to the login form
    assert {"name": "/account", "reason": f"redirected to {app.url}/login"} in result.details["skipped"]
    image_alt = [(f.extra["page"], f.extra["selector"]) for f in result.findings if f.rule == "image-alt"]
    assert image_alt == [("/", "img")]
    assert result.metrics["a11y.violations.critical"] == 1
    # The gate fails the release on it, and on nothing else.
    assert not_passing(judge({"accessibility": result})) == {"a11y_blocking": BudgetStatus.FAIL}
    assert [path for path in requested if not OWN_PATHS.fullmatch(path)] == []
    assert {"GET /", "GET /account", "GET /static/logo.svg"} <= set(result.details["operations"])


def test_without_the_fault_the_home_page_has_no_image_alt_violation(tmp_path: Path, run_stage: RunStage) -> None:
    with start_app("notes", tmp_path) as app:
        result = run_stage(TargetInfo(app.url, TargetDescription(crawl_depth=0)), options={})
    assert result.status is Status.PASSED, result.error
    assert [item["name"] for item in result.details["audited"]] == ["/"]
    assert [f.rule for f in result.findings if f.rule == "image-alt"] == []
    assert result.metrics["a11y.violations.critical"] == 0
