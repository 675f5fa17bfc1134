"""Each stage against a hostile target: what the harness's clients are led to off the target is blocked
before any DNS lookup (the guard refuses the name itself) and reported as an ``off-host-request``
finding naming the URL and the request or page that asked for it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import pipeline
from harness.config import load_settings
from stagekit import stages
from stagekit.egress import RULE
from stagekit.stages import StageContext
from tests.fixtures.runs import harness_cli
from tests.fixtures.servers import serve
from tests.safety.hostile import REDIRECT_HOST, THIRD_PARTY, Redirecting, ThirdPartyPage
from vocabulary.exit_codes import ExitCode

pytestmark = pytest.mark.slow

LOCUSTFILE = """
from locust import FastHttpUser, HttpUser, constant, task

class Fast(FastHttpUser):
    wait_time = constant(0.5)

    @task
    def fast(self):
        self.client.get("/fast")

class Plain(HttpUser):
    wait_time = constant(0.5)

    @task
    def plain(self):
        self.client.get("/plain")
"""
E2E_TESTS = """
from playwright.sync_api import Error

def test_goto(page, base_url):
    # The harness's proxy refuses the redirect's host with a 403: the full browser shows an error page
    # (an Error here), the headless shell the 403 itself. Neither reaches the host.
    try:
        response = page.goto(base_url + "/goto")
    except Error:
        return
    assert response.status == 403

def test_api_requests(page, playwright, base_url):
    assert page.request.get(base_url + "/api").status == 403  # the harness's proxy answered
    assert playwright.request.new_context().get(base_url + "/own").status == 403
"""


@pytest.fixture(scope="module")
def redirecting() -> Iterator[str]:
    with serve(Redirecting) as url:
        yield url


def _run(tmp_path: Path, url: str, stage: str, *options: str, **target: Any) -> list[dict[str, Any]]:
    """``harness run`` of one stage on a project describing ``url``; the stage's off-host findings."""
    lines = [f"{key} = {json.dumps(value)}" for key, value in {"url": url, **target}.items()]
    (tmp_path / "harness.toml").write_text("[target]\n" + "\n".join(lines) + "\n")
    done = harness_cli("run", "--stages", stage, "--out", "runs", *options, cwd=tmp_path, timeout=90)
    result = json.loads((tmp_path / "runs" / "latest" / f"{stage}.json").read_text())
    assert result["status"] != "error", done.stdout + done.stderr
    return [f for f in result["findings"] if f["rule"] == RULE]


def test_load_user_clients_are_stopped_at_the_redirect(tmp_path: Path, redirecting: str) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    found = _run(
        tmp_path, redirecting, "load", "-o", "load.duration_s=4", "-o", "load.users=2", locustfiles=["locustfile.py"]
    )
    by_request = {f["location"]: f for f in found}
    assert {"GET /fast", "GET /plain"} <= set(by_request)  # FastHttpUser (gevent) and HttpUser (requests)
    assert all(f["extra"]["host"] == REDIRECT_HOST for f in found)
    assert by_request["GET /plain"]["extra"]["url"] == f"http://{REDIRECT_HOST}/plain"


def test_e2e_navigation_and_api_requests_are_stopped(tmp_path: Path, redirecting: str) -> None:
    (tmp_path / "e2e_tests").mkdir()
    (tmp_path / "e2e_tests" / "test_offhost.py").write_text(E2E_TESTS)
    found = _run(
        tmp_path, redirecting, "e2e", "-o", "e2e.pages=[]", "-o", "e2e.lighthouse_pages=0", playwright_tests="e2e_tests"
    )  # Lighthouse's own confinement is proven in tests/e2e_stage/test_e2e_lighthouse.py
    assert {f["extra"]["url"] for f in found} >= {f"http://{REDIRECT_HOST}/goto"}
    # page.request and playwright.request tunnel through the proxy (CONNECT: host and port only).
    assert sum(f["extra"]["count"] for f in found if f["extra"]["host"] == REDIRECT_HOST) >= 3
    workflows = json.loads((tmp_path / "runs" / "latest" / "e2e.json").read_text())["metrics"]
    assert workflows["e2e.workflows.pass_ratio"] == 1.0


def test_accessibility_page_resources_are_stopped_and_named(tmp_path: Path) -> None:
    with serve(ThirdPartyPage) as url:
        found = _run(tmp_path, url, "accessibility", pages=["/"])
    hosts = {f["extra"]["host"] for f in found}
    assert hosts == set(THIRD_PARTY.values())  # script, stylesheet, image, iframe, websocket
    script = next(f for f in found if f["extra"]["host"] == THIRD_PARTY["script"])
    assert script["extra"]["url"] == f"http://{THIRD_PARTY['script']}/track.js"
    assert script["location"] == f"page {url}/"


def test_in_process_clients_of_a_stage_are_guarded(
    tmp_path: Path, redirecting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness process itself (the security stage's ZAP client and crawl, httpx): a redirect it
    follows is blocked and reported in that stage's result."""

    def following_stage(ctx: StageContext) -> Any:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{ctx.target.url}/login", follow_redirects=True, timeout=5)
        return ctx.result()

    monkeypatch.setitem(stages._registry, "security", following_stage)
    settings = load_settings({"target_url": redirecting, "stages": "security", "out": tmp_path}, cwd=tmp_path)
    _, state = pipeline.run(dataclasses.replace(settings, stage_options={}))
    found = [f for f in state.results["security"].findings if f.rule == RULE]
    assert [(f.extra["host"], f.extra["count"]) for f in found] == [(REDIRECT_HOST, 1)]


def test_an_off_host_openapi_url_is_refused_before_anything_starts(tmp_path: Path, redirecting: str) -> None:
    done = harness_cli(
        "run", "--target-url", redirecting, "--openapi", "http://specs.invalid/openapi.json", "--out", "runs",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == ExitCode.USAGE_ERROR, done.stderr
    assert "specs.invalid" in done.stderr and "--allow-remote specs.invalid" in done.stderr
    assert not list(tmp_path.glob("runs/*/run.json"))  # refused in preflight: no run started
