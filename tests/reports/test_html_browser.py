"""report.html in a real Chromium: verdict and charts visible, every budget listed, sortable, axe-clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from reports import write_all
from reports.registry import RunView
from stagekit.browser import find_browser

pytestmark = pytest.mark.slow


def test_report_in_chromium(report_run: Callable[[str], Path]) -> None:
    report_run("breach")
    path = report_run("all_stages")
    write_all(path)
    budgets = RunView.load(path).verdict.budgets
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**find_browser().launch_kwargs())  # type: ignore[arg-type]
        try:
            page = browser.new_page()
            page.goto((path / "report.html").as_uri())
            expect(page.get_by_role("heading", level=1)).to_have_text("Release verdict: breached")
            expect(page.get_by_text("Breached: at least one budget failed")).to_be_visible()
            expect(page.get_by_role("img", name="Latency percentiles over time")).to_be_visible()
            section = page.locator("#budgets")
            for fold in section.locator("details > summary").all():
                fold.click()  # met budgets are folded per stage
            expect(section.locator("tbody tr")).to_have_count(len(budgets))  # open table plus the folds
            for budget in budgets:
                expect(section.get_by_role("rowheader", name=budget.budget, exact=True)).to_have_count(1)
            breached = next(b.budget for b in budgets if b.status.value == "fail")
            page.locator("#verdict").get_by_role("link", name=breached, exact=True).click()
            expect(page.get_by_role("rowheader", name=breached, exact=True)).to_be_in_viewport()
            endpoints = page.get_by_role("table", name="Endpoints (8), slowest p95 first; latencies in ms")
            endpoints.get_by_role("button", name="p95").click()  # ascending: fastest first
            first = endpoints.locator("tbody tr").first.locator("td").nth(3)
            expect(first).to_have_text("40.5 ms")
            violations = Axe().run(page).response["violations"]
            serious = [
                (v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
            ]
            assert serious == []
        finally:
            browser.close()
