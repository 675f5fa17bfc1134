"""Page journeys: open pages of the target cold and measure Web Vitals and load, with no test code.

Each page is loaded ``runs`` times in its own browser context with the HTTP cache disabled, so
every load is cold (like Lighthouse) without paying for a new renderer process each time; after
the load a scripted interaction (click the main heading, press Tab) gives INP. The vitals are
measured by Google's web-vitals library (`e2e.contexts.probe_script`); the median of the loads is
reported. The pages are the ones named (``--pages``; ``--auth-pages`` signed in with the
credentials the stage hands over in ``HARNESS_AUTH``), or, with none named, the same-origin links
found by a crawl from ``/`` (``--crawl-depth``, ``--max-pages``). A crawled link that is no HTML
page of the target (a file, JSON, a redirect) is skipped; a named page that cannot be measured is
an error. The browser reaches the target's origin only. Run as
``python -m e2e.vitals --base-url URL --out FILE``: Playwright gets a process of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from e2e.contexts import METRICS, READ_JS, probe_script, sample, sign_in
from stagekit.auth import Credentials
from stagekit.browser import confined_to, find_browser
from stagekit.crawl import Frontier
from stagekit.traffic import Traffic
from vocabulary import atomic

_TIMEOUT_MS = 30_000
_LINKS_JS = "els => els.map(e => e.href)"
# Paint, LCP and Event Timing entries are queued after the next paint and delivered to observers
# in a task: two frames plus a short timer later they have all arrived; web-vitals then files the
# interactions for INP in an idle callback. The load event's handlers must have finished first
# (loadEventEnd, the load time): checked in the page, not by a polling round trip per load.
_SETTLE_JS = """() => new Promise(resolve => {
  const settle = () => requestAnimationFrame(() => requestAnimationFrame(() =>
    setTimeout(() => requestIdleCallback(resolve, {timeout: 1000}), 50)));
  const loaded = () => performance.getEntriesByType('navigation')[0].loadEventEnd > 0;
  const wait = () => loaded() ? settle() : setTimeout(wait, 10);
  wait();
})"""
# Where to click the main heading: its centre, scrolled into view, if a click there lands on it (no
# overlay) and it neither is nor holds a link or button (which would navigate or act); else null.
# One round trip: a locator's click would check actionability in several, waiting two frames for
# stability, a tenth of each load's time.
_HEADING_POINT_JS = """() => {
  const h = document.querySelector('h1');
  if (!h || h.closest('a,button') || h.querySelector('a,button')) return null;
  h.scrollIntoView({block: 'nearest', inline: 'nearest'});
  const box = h.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  return box.width && box.height && h.contains(document.elementFromPoint(x, y)) ? {x, y} : null;
}"""
_REDIRECTED = "redirected to "
_DOWNLOAD = "Download is starting"
"""Playwright's error when a navigation answers with a file instead of a page."""


class NotAPage(Exception):
    """A crawled link that leads to no HTML page of the target."""


@dataclasses.dataclass
class PageVitals:
    """The median vitals of one page over its loads, or why it was not measured."""

    name: str
    signed_in: bool = False
    median: dict[str, float] = dataclasses.field(default_factory=dict)
    samples: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    error: str | None = None
    skipped: str | None = None
    """Why a crawled link was not measured (it is no page of the target)."""


class Journeys:
    """One browser measuring pages, each in fresh cold contexts."""

    def __init__(self, browser: Browser, base_url: str, runs: int, credentials: Credentials) -> None:
        self.browser = browser
        self.base_url = base_url
        self.runs = runs
        self.credentials = credentials
        self.traffic = Traffic(base_url)

    def measure(self, name: str, *, signed_in: bool = False, crawled: bool = False) -> tuple[PageVitals, list[str]]:
        """Load one page ``runs`` times; the page's vitals and the links on it."""
        vitals = PageVitals(name=name, signed_in=signed_in)
        links: list[str] = []
        try:
            with self._cold_page(signed_in) as page:
                for _ in range(self.runs):
                    vitals.samples.append(self._load_once(page, name, signed_in=signed_in, crawled=crawled))
                links = page.eval_on_selector_all("a[href]", _LINKS_JS)
        except NotAPage as reason:
            vitals.skipped = str(reason)
        except Exception as exc:  # noqa: BLE001 - recorded per page as its error; the stage reports it
            left = self.traffic.left_origin()
            if crawled and (left or _DOWNLOAD in str(exc)):
                vitals.skipped = f"went to {left}, off the target's origin" if left else "a file download"
            else:
                vitals.error = _why(exc, left)
        else:
            vitals.median = median(vitals.samples)
        return vitals, links

    @contextlib.contextmanager
    def _cold_page(self, signed_in: bool) -> Iterator[Page]:
        """A page whose every navigation is a cold load (HTTP cache off) with the vitals probe installed."""
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 800})
        try:
            self.traffic.watch(context)
            if signed_in:
                sign_in(context, self.credentials, self.base_url)
            context.add_init_script(probe_script())
            page = context.new_page()
            page.set_default_timeout(_TIMEOUT_MS)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            yield page
        finally:
            context.close()

    def _load_once(self, page: Page, name: str, *, signed_in: bool, crawled: bool) -> dict[str, Any]:
        """One load of ``name`` plus the scripted interaction; the raw metrics."""
        self.traffic.left_origin()  # forget an earlier load's attempt
        response = page.goto(name, wait_until="load", timeout=_TIMEOUT_MS)
        _check(response, name, page.url, signed_in=signed_in, crawled=crawled)
        page.evaluate(_SETTLE_JS)
        interact(page)
        page.evaluate(_SETTLE_JS)
        reading = sample(page.evaluate(READ_JS))
        return {metric: reading[metric] for metric in METRICS}


def _check(response: Response | None, name: str, landed: str, *, signed_in: bool, crawled: bool) -> None:
    """Refuse a load that did not show the page: an error status, a crawled link that is no HTML page
    or redirects (its landing page is crawled instead), a signed-in page sending elsewhere (to log in)."""
    if response is None or response.status >= 400:
        raise RuntimeError(f"GET {name} answered {response.status if response else 'nothing'}")
    kind = response.headers.get("content-type", "")
    if crawled and "html" not in kind:
        raise NotAPage(f"not an HTML page ({kind or 'no content type'})")
    if urlsplit(name).path.rstrip("/") == urlsplit(landed).path.rstrip("/"):
        return
    if crawled:
        raise NotAPage(f"{_REDIRECTED}{landed}")
    if signed_in:
        raise RuntimeError(f"GET {name} ended on {landed}: were the auth recipe's credentials accepted?")


def _why(exc: Exception, left_for: str | None) -> str:
    """One line saying why a page could not be measured."""
    if left_for is not None:
        return f"went to {left_for}, off the target's origin (the browser reaches the target only)"
    text = exc.message if isinstance(exc, PlaywrightError) else str(exc)
    return f"{type(exc).__name__}: {text}".splitlines()[0][:500]


def interact(page: Page) -> None:
    """The scripted interaction INP is measured over: click the main heading, then press Tab."""
    point = page.evaluate(_HEADING_POINT_JS)
    if point is not None:
        # The same trusted mouse events as a locator's click (move, down, up) at the same point.
        page.mouse.click(point["x"], point["y"])
    page.keyboard.press("Tab")


def median(samples: list[dict[str, Any]]) -> dict[str, float]:
    """Per metric, the median of the samples that reported it."""
    result: dict[str, float] = {}
    for metric in METRICS:
        values = [float(v) for s in samples if (v := s.get(metric)) is not None]
        if values:
            result[metric] = round(statistics.median(values), 3)
    return result


def named_pages(journeys: Journeys, pages: list[str], auth_pages: list[str]) -> list[PageVitals]:
    """Measure the named pages (``auth_pages`` signed in)."""
    named = [(page, page in auth_pages) for page in dict.fromkeys([*pages, *auth_pages])]
    return [journeys.measure(page, signed_in=signed_in)[0] for page, signed_in in named]


def crawled_pages(journeys: Journeys, depth: int, max_pages: int) -> list[PageVitals]:
    """Measure ``/`` and the same-origin pages its links lead to, breadth first."""
    frontier = Frontier(journeys.base_url, depth, max_pages)
    frontier.add("/", 0)
    measured: list[PageVitals] = []
    while (entry := frontier.pop()) is not None:
        name, level = entry
        vitals, links = journeys.measure(name, crawled=name != "/")
        measured.append(vitals)
        frontier.add_links(links, level)
        if vitals.skipped and vitals.skipped.startswith(_REDIRECTED):
            frontier.add_links([vitals.skipped.removeprefix(_REDIRECTED)], level)
    return measured


def report(pages: list[PageVitals], runs: int, operations: set[str]) -> dict[str, Any]:
    """The JSON document the stage reads."""
    return {"runs": runs, "pages": [dataclasses.asdict(p) for p in pages], "operations": sorted(operations)}


def main(argv: list[str] | None = None) -> int:
    """Command line: measure the pages and write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m e2e.vitals", description=__doc__)
    parser.add_argument("--base-url", required=True, help="target, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", required=True, type=Path, help="JSON report to write")
    parser.add_argument("--runs", type=int, default=3, help="loads per page; the median is kept")
    parser.add_argument("--pages", default="", help="comma-separated page paths (none: crawl from /)")
    parser.add_argument("--auth-pages", default="", help="comma-separated page paths measured signed in")
    parser.add_argument("--crawl-depth", type=int, default=2, help="link depth of the crawl from /")
    parser.add_argument("--max-pages", type=int, default=20, help="most pages the crawl measures")
    args = parser.parse_args(argv)
    base_url, runs = args.base_url.rstrip("/"), max(1, args.runs)
    pages, auth_pages = _split(args.pages), _split(args.auth_pages)
    with sync_playwright() as playwright, confined_to(base_url) as flags:
        launch = find_browser().launch_kwargs()
        launch["args"] = [*launch["args"], *flags]  # type: ignore[misc]
        browser = playwright.chromium.launch(**launch)  # type: ignore[arg-type]
        journeys = Journeys(browser, base_url, runs, Credentials.from_env())
        try:
            if pages or auth_pages:
                measured = named_pages(journeys, pages, auth_pages)
            else:
                measured = crawled_pages(journeys, args.crawl_depth, args.max_pages)
        finally:
            browser.close()
    atomic.write_json(args.out, report(measured, runs, journeys.traffic.operations))
    return 0


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


if __name__ == "__main__":
    sys.exit(main())
