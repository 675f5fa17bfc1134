"""The Budgets tab in a real Chromium: Locust's own web UI, a swarm started by clicking Start."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from scenarios import process
from scenarios.scenario import ROOT
from stagekit.browser import find_browser
from stagekit.target import AppProcess, free_port
from tests.scenarios.webui_command import locust_web_ui

pytestmark = pytest.mark.slow


@pytest.fixture
def locust_web(bundled_target: AppProcess, tmp_path: Path) -> Iterator[str]:
    """Locust's web UI on a free loopback port, idle until someone presses Start."""
    port = free_port()
    cmd = locust_web_ui(bundled_target.url, port)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with process.start(cmd, env=env, cwd=ROOT, log_path=tmp_path / "locust.log"):
        url = f"http://127.0.0.1:{port}"
        wait_up(url)
        yield url


def wait_up(url: str, timeout_s: float = 30) -> None:
    """Poll the UI until it answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the Locust web UI at {url} never came up")


def test_budgets_tab_updates_while_the_swarm_runs(locust_web: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**find_browser().launch_kwargs())  # type: ignore[arg-type]
        try:
            page = browser.new_page()
            page.goto(locust_web)
            page.get_by_role("button", name="Start", exact=True).click()
            page.get_by_role("tab", name="Budgets").click()
            table = page.get_by_role("table")
            # Before the warm-up ends nothing is judged (an empty histogram is no pass) ...
            expect(table).to_contain_text("warming up", timeout=15_000)
            # ... then the live rows replace it: the overall p95 against its 100 ms budget.
            row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="load.http.p95_ms", exact=True))
            expect(row).to_have_count(1, timeout=45_000)
            expect(row.get_by_role("cell", name="≤ 100 ms", exact=True)).to_be_visible()
            status = row.get_by_role("cell").last
            expect(status).to_have_text(re.compile(r"^(met|warning|breached)$"))
            expect(status).to_have_attribute("data-harness-status", re.compile(r"^(met|warning|breached)$"))
            endpoint = 'load.endpoint["GET /api/models"].p95_ms'
            expect(table.get_by_role("cell", name=endpoint, exact=True)).to_be_visible(timeout=20_000)
            expect(table).not_to_contain_text("warming up")
        finally:
            browser.close()
