"""Whole runs on the two foreign apps: with only a URL, and configured with the team's own files.

Each run is a real `harness run` subprocess against a real app on loopback. The app's own request
log proves that no stage sent the marketplace's requests, and the console, `verdict.json` and the
exit code must tell the same story. The notes app configured with its own files and login is judged
on the whole run of tests/safety/test_secrets_in_artifacts.py, which also searches it for secrets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from perf_budgets.verdict import Verdict
from reports.format import outcome_words
from tests.fixtures.runs import harness_cli
from tests.foreign_apps.fixtures import RunningApp, start_app

ROOT = Path(__file__).resolve().parents[2]
NOTES_PROJECT = ROOT / "tests" / "foreign_apps" / "notes_project"
MARKETPLACE_PATHS = ("/api/models", "/api/auth", "/api/me", "/health", "/metrics", "/wiki", "/models", "/ws/")
# Functional runs on a shared machine: judge latency unless the host is badly overloaded.
# Lighthouse runs in the README example's whole run (tests/test_readme_example.py); here it would add
# about 40 s per run.
SHORT_LOAD = ("-o", "load.users=5", "-o", "load.duration_s=15", "-o", "e2e.lighthouse_pages=0")
STAGES = ["load", "e2e", "contracts", "security", "accessibility"]
NOTES_WITH_LOGIN = f"""
[target]
pages = ["/", "/notes", "/about"]
auth_pages = ["/account"]
locustfiles = ["{NOTES_PROJECT / "locustfile.py"}"]
playwright_tests = "{NOTES_PROJECT / "e2e"}"

[target.auth]
kind = "login"
path = "/api/login"
body = {{ username = "alice", password = "${{NOTES_PASSWORD}}" }}
# No token_pointer: the session cookie the login sets is the credential, for pages and API alike.
probe_path = "/account"
"""
"""The notes app configured with the team's own files and one login recipe ($NOTES_PASSWORD)."""

pytestmark = pytest.mark.slow


class Run:
    """One finished `harness run`: its exit code, console and run folder."""

    def __init__(self, completed: subprocess.CompletedProcess[str], out: Path) -> None:
        self.code = completed.returncode
        self.console = completed.stdout + completed.stderr
        self.folder = out / "latest"
        self.verdict: dict[str, Any] = json.loads((self.folder / "verdict.json").read_text(encoding="utf-8"))

    def stage(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
        return result

    def statuses(self) -> dict[str, str]:
        return {b["budget"]: b["status"] for b in self.verdict["budgets"]}


def harness_run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    out = cwd / "runs"
    completed = harness_cli(
        "run", "--out", str(out), *SHORT_LOAD, *args,
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=900,
    )  # fmt: skip
    return Run(completed, out)


def assert_consistent(run: Run) -> None:
    """The exit code is the verdict's, and the console prints the verdict's outcome."""
    verdict = Verdict.from_dict(run.verdict)
    assert run.code == run.verdict["exit_code"], run.console
    assert outcome_words(verdict) in run.console, run.console


def assert_only_own_paths(app: RunningApp) -> None:
    sent = app.paths()
    assert len(sent) > 50
    assert not [path for path in sent if path.startswith(MARKETPLACE_PATHS) and not path.startswith("/notes")]


@pytest.fixture(scope="module")
def shelf_zero(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, RunningApp]]:
    folder = tmp_path_factory.mktemp("shelf-zero")
    with start_app("shelf", folder) as app:
        # No terminal here (a CI log): every stage beats every 2 s.
        yield harness_run(folder, "--target-url", app.url, "--heartbeat-s", "2"), app


@pytest.fixture(scope="module")
def notes_zero(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, RunningApp]]:
    folder = tmp_path_factory.mktemp("notes-zero")
    with start_app("notes", folder) as app:
        yield harness_run(folder, "--target-url", app.url), app


def test_shelf_with_only_a_url(shelf_zero: tuple[Run, RunningApp]) -> None:
    run, app = shelf_zero
    assert_consistent(run)
    assert run.code == 0, run.console
    assert run.verdict["judged_stages"] == STAGES
    assert {name: run.stage(name)["status"] for name in STAGES} == dict.fromkeys(STAGES, "passed")
    # The generic API user sent valid requests to the Swagger 2.0 operations (no invented ids).
    assert run.stage("load")["metrics"]["load.http.error_ratio"] == 0
    statuses = run.statuses()
    assert statuses["db_query_p95"] == statuses["cache_hit_ratio"] == statuses["ws_p95"] == "not_applicable"
    assert statuses["e2e_workflows"] == "not_applicable"
    assert_only_own_paths(app)


def test_a_ci_log_shows_the_stages_alive_with_their_figures(shelf_zero: tuple[Run, RunningApp]) -> None:
    run, _ = shelf_zero
    stderr = run.console[run.console.index("▶ ") :]
    beats = {stage: [line for line in stderr.splitlines() if line.startswith(f"  {stage} ")] for stage in STAGES}
    assert any(re.search(r": \d+ users, \d+ req/s, p95 [\d.]+ ms, errors [\d.]+ %", line) for line in beats["load"])
    assert any(re.search(r": operations \d+ of \d+ called, \d+ failed checks", line) for line in beats["contracts"])
    assert "\n\n" not in stderr.strip(), "no blank line between the stage lines"


def test_notes_with_only_a_url(notes_zero: tuple[Run, RunningApp]) -> None:
    run, app = notes_zero
    assert_consistent(run)
    assert run.code == 0, run.console
    assert run.stage("contracts")["status"] == "not_applicable"
    assert "OpenAPI" in run.stage("contracts")["error"]
    assert set(run.verdict["judged_stages"]) == {"load", "e2e", "security", "accessibility"}
    assert "contracts" in run.verdict["not_applicable_stages"]
    # The browsing user walked the pages it found from /.
    endpoints = {b["metric"] for b in run.verdict["budgets"] if b["metric"].startswith("load.endpoint")}
    assert any("/notes" in name for name in endpoints), endpoints
    assert_only_own_paths(app)


@pytest.mark.parametrize(
    ("app_name", "fault", "stages", "breached"),
    [
        # One slow operation of five also lifts the overall p95: both latency budgets guard it.
        ("shelf", "slow-endpoint", "load", {"endpoint_p95[GET /books/{bookId}]", "api_p95"}),
        ("shelf", "server-error", "load", {"error_ratio"}),
        # The notes app's missing-alt and missing-header faults are judged by the shipped budgets on the
        # stages' own results (tests/accessibility/test_foreign_app.py, tests/security/test_foreign_apps.py).
    ],
)
def test_a_fault_in_a_foreign_app_breaches_its_budget(
    tmp_path: Path, app_name: str, fault: str, stages: str, breached: set[str]
) -> None:
    with start_app(app_name, tmp_path, faults=(fault,)) as app:
        run = harness_run(tmp_path, "--target-url", app.url, "--stages", stages)
    assert_consistent(run)
    assert {name for name, status in run.statuses().items() if status == "fail"} == breached, run.console
    assert run.code == 1
