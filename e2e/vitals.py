"""Page performance measured in the browser: TTFB, FCP, LCP, CLS, load time and INP per page.

Each page is loaded ``runs`` times in its own browser context with the HTTP cache disabled, so
every load is cold (like Lighthouse) without paying for a new renderer process each time; after
the load a scripted interaction (click the main heading, press Tab) gives INP. The median of the
loads is reported. Run as ``python -m e2e.vitals --base-url URL --out FILE``: Playwright gets a process
of its own, separate from the stage runner.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from e2e import grade
from harness import atomic
from harness.browser import find_browser

DEFAULT_PAGES = ("/", "/models", "/models/[id]", "/wiki", "/feedback", "/beta", "/dashboard", "/login")
"""Page names; ``[id]`` is a seeded model, found through the API, so names stay stable."""

METRICS = ("ttfb_ms", "fcp_ms", "lcp_ms", "cls", "load_ms", "inp_ms")
_TIMEOUT_MS = 30_000

_READ_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const v = window.__harnessVitals;
  return {ttfb_ms: nav.responseStart, load_ms: nav.loadEventEnd, fcp_ms: v.fcp, lcp_ms: v.lcp,
          cls: v.cls, inp_ms: v.inp};
}"""
# Paint, LCP and Event Timing entries are queued after the next paint and delivered to observers
# in a task: two frames plus a short timer later they have all arrived.
_SETTLE_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))"


@dataclasses.dataclass
class PageVitals:
    """The median vitals of one page over its loads, or why it could not be measured."""

    name: str
    path: str
    median: dict[str, float] = dataclasses.field(default_factory=dict)
    samples: list[dict[str, float | None]] = dataclasses.field(default_factory=list)
    score: float | None = None
    grade: str | None = None
    error: str | None = None


def resolve(name: str, base_url: str) -> str:
    """The concrete path of a page name (``/models/[id]`` becomes a seeded model's page)."""
    if "[id]" not in name:
        return name
    response = httpx.get(f"{base_url}/api/models", params={"per_page": 1, "sort": "rating"}, timeout=10)
    response.raise_for_status()
    return name.replace("[id]", str(response.json()["items"][0]["id"]))


@contextlib.contextmanager
def cold_page(browser: Browser, base_url: str, probe: str) -> Iterator[Page]:
    """A page whose every navigation is a cold load (HTTP cache off) with the vitals probe installed."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    try:
        context.add_init_script(probe)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        yield page
    finally:
        context.close()


def load_once(page: Page, path: str) -> dict[str, float | None]:
    """One load of ``path`` plus the scripted interaction; the raw metrics."""
    response = page.goto(path, wait_until="load", timeout=_TIMEOUT_MS)
    if response is None or response.status >= 400:
        raise RuntimeError(f"GET {path} answered {response.status if response else 'nothing'}")
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    page.evaluate(_SETTLE_JS)
    interact(page)
    page.evaluate(_SETTLE_JS)
    raw: dict[str, float | None] = page.evaluate(_READ_JS)
    return {metric: _rounded(raw[metric]) for metric in METRICS}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def interact(page: Page) -> None:
    """The scripted interaction INP is measured over: click the main heading, then press Tab."""
    heading = page.locator("h1").first
    if heading.count():
        heading.click()
    else:
        page.mouse.click(5, 5)
    page.keyboard.press("Tab")


def median(samples: list[dict[str, float | None]]) -> dict[str, float]:
    """Per metric, the median of the loads that reported it."""
    result: dict[str, float] = {}
    for metric in METRICS:
        values = [float(v) for s in samples if (v := s.get(metric)) is not None]
        if values:
            result[metric] = round(statistics.median(values), 3)
    return result


def measure_page(browser: Browser, base_url: str, name: str, runs: int, probe: str) -> PageVitals:
    """Load one page ``runs`` times; a page that fails to load is reported, not skipped silently."""
    vitals = PageVitals(name=name, path=name)
    try:
        vitals.path = resolve(name, base_url)
        with cold_page(browser, base_url, probe) as page:
            vitals.samples = [load_once(page, vitals.path) for _ in range(runs)]
    except Exception as exc:  # noqa: BLE001 - recorded per page as its error; the stage reports it
        vitals.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        return vitals
    vitals.median = median(vitals.samples)
    vitals.score = round(grade.page_score(vitals.median), 1)
    vitals.grade = grade.grade(vitals.score)
    return vitals


def measure(base_url: str, pages: list[str], runs: int) -> list[PageVitals]:
    """Measure every page with one browser."""
    probe = resources.files("e2e").joinpath("vitals_probe.js").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**find_browser().launch_kwargs())  # type: ignore[arg-type]
        try:
            return [measure_page(browser, base_url, name, runs, probe) for name in pages]
        finally:
            browser.close()


def report(pages: list[PageVitals], runs: int) -> dict[str, Any]:
    """The JSON document the stage reads."""
    scores = [p.score for p in pages if p.score is not None]
    score = round(grade.run_score(scores), 1) if scores else None
    return {
        "runs": runs,
        "pages": [dataclasses.asdict(p) for p in pages],
        "score": score,
        "grade": grade.grade(score) if score is not None else None,
        "method": (grade.__doc__ or "").strip(),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure the pages and write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m e2e.vitals", description=__doc__)
    parser.add_argument("--base-url", required=True, help="target, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", required=True, type=Path, help="JSON report to write")
    parser.add_argument("--runs", type=int, default=3, help="loads per page; the median is kept")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="comma-separated page names")
    args = parser.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    measured = measure(args.base_url.rstrip("/"), pages, max(1, args.runs))
    atomic.write_json(args.out, report(measured, max(1, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
