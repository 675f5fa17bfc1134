"""The Budgets tab: Locust's real web UI, a swarm on the bundled app, live rows vs the budgets."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scenarios.scenario import ROOT
from stagekit.target import AppProcess, free_port
from tests.scenarios.webui_command import locust_web_ui

pytestmark = pytest.mark.slow


@pytest.fixture
def locust_ui(bundled_target: AppProcess, tmp_path: Path) -> Iterator[str]:
    """Locust with its web UI on a free loopback port, swarming by itself for a few seconds."""
    port = free_port()
    cmd = locust_web_ui(bundled_target.url, port, "--autostart", "--autoquit", "5")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with (tmp_path / "locust.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def poll(url: str, until: Any, timeout_s: float = 60) -> Any:
    """GET ``url`` (JSON) until ``until(body)`` holds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            body = httpx.get(url, timeout=5).json()
            if until(body):
                return body
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never satisfied the condition")


def test_budgets_tab_shows_live_rows(locust_ui: str) -> None:
    # The first judged rows may come before any catalogue request finished inside the window.
    wanted = {"load.http.p95_ms", 'load.endpoint["GET /api/models"].p95_ms'}
    rows = poll(f"{locust_ui}/budgets", lambda b: wanted <= {r["metric"] for r in b})
    by_metric = {r["metric"]: r for r in rows}
    assert by_metric["load.http.p95_ms"]["limit"] == "≤ 100 ms"
    assert by_metric["load.http.p95_ms"]["status"] in ("met", "warning", "breached")
    stats = httpx.get(f"{locust_ui}/stats/requests", timeout=5).json()
    assert stats["extended_stats"][0]["key"] == "budgets" and stats["extended_stats"][0]["data"]
    page = httpx.get(locust_ui, timeout=5).text
    assert '"title": "Budgets"' in page and 'td[data-harness-status="breached"]' in page
