"""The audit subprocess: ``python -m accessibility.audit --plan PLAN --out DIR``.

Playwright runs here, never in the harness process. Each audited page or state is written to
``DIR/<n>.json`` as soon as it is done and announced by one JSON line on stdout, so the stage can
show progress and keep a partial result when the run is cancelled. The browser can reach the
target's origin only (`stagekit.browser.confined_to`); signed-in pages and states use the
credentials of the target's auth recipe, handed over by the stage in the environment.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Error, Page, Response, sync_playwright

from accessibility.axe_frames import FrameAuditor, axe_options
from accessibility.plan import AuditPlan
from accessibility.states import State
from stagekit.auth import Credentials
from stagekit.browser import LAUNCH_ARGS, confined_to, find_browser
from stagekit.crawl import Frontier
from stagekit.traffic import Traffic

_LINKS = "els => els.map(e => e.href)"
_DOWNLOAD = "Download is starting"
"""Playwright's error when a navigation answers with a file download instead of a page."""


class Recorder:
    """Writes each audit record and announces it (or why there is none) on stdout."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def record(self, name: str, kind: str, page: Page, status: int | None, axe: dict[str, Any]) -> None:
        """Save one page's or state's axe results."""
        self.count += 1
        file = self.out / f"{self.count:03d}.json"
        body = {"name": name, "kind": kind, "url": page.url, "status": status, "axe": axe}
        file.write_text(json.dumps(body), encoding="utf-8")
        _emit({"event": "audited", "name": name, "file": file.name})

    def failure(self, name: str, error: str) -> None:
        """Announce a page or state that could not be audited."""
        _emit({"event": "failed", "name": name, "error": error})

    def unanswered(self, name: str, url: str, status: int) -> None:
        """Announce a page that answered an HTTP error: axe would only see the error page."""
        _emit({"event": "unanswered", "name": name, "url": url, "status": status})

    def skipped(self, name: str, reason: str) -> None:
        """Announce a crawled link that is not a page of the target (a file, JSON, another origin)."""
        _emit({"event": "skipped", "name": name, "reason": reason})


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class Session:
    """One browser context (anonymous or signed in) auditing pages and states of the plan."""

    def __init__(self, context: BrowserContext, plan: AuditPlan, recorder: Recorder, traffic: Traffic) -> None:
        self.plan = plan
        self.recorder = recorder
        self.traffic = traffic
        traffic.watch(context)
        self.context = context
        self.page = self._new_page()
        self.auditor = FrameAuditor(context, axe_options(plan.tags))

    def _new_page(self) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(self.plan.page_timeout_s * 1000)
        return page

    def audit_page(self, path: str, *, planned: bool = True, auth: bool = False) -> list[str]:
        """Audit one page; returns the links on it (empty if it was not audited).

        ``planned`` pages were asked for: anything that stops their audit is a failure. A crawled
        link that turns out not to be a page (a download, JSON, a redirect off the origin) is skipped.
        """
        self.traffic.left_origin()  # forget an earlier page's attempt
        try:
            response = self.page.goto(self.plan.base_url + path, wait_until="load")
            left = self.traffic.left_origin()
            if left is not None:
                # The harness's proxy refused the other origin: a headless shell shows its 403 page (the
                # full browser an error, see _not_loaded). Not the target's page either way.
                self._off_origin(path, left, planned)
                return []
            instead = self._not_a_page(path, response, planned=planned, auth=auth)
            if instead is not None:
                return instead
            axe = self.auditor.audit(self.page)
            links: list[str] = self.page.eval_on_selector_all("a[href]", _LINKS)
        except Error as exc:
            self._not_loaded(path, exc, planned)
            return []
        self.recorder.record(path, "page", self.page, response.status if response is not None else None, axe)
        return links

    def _not_a_page(self, path: str, response: Response | None, *, planned: bool, auth: bool) -> list[str] | None:
        """None when the response is a page to audit; else say why not and return the links to follow instead."""
        if response is not None and response.status >= 400:
            self.recorder.unanswered(path, self.page.url, response.status)
            return []
        content_type = response.headers.get("content-type", "") if response is not None else "text/html"
        if "html" not in content_type:
            self._not_audited(path, f"answered {content_type or 'no content type'}, not an HTML page", planned)
            return []
        landed = _redirected(self.plan.base_url + path, self.page.url)
        if landed is not None and (auth or not planned):
            return self._elsewhere(path, landed, auth)
        return None

    def _elsewhere(self, path: str, landed: str, auth: bool) -> list[str]:
        """A page that redirected: audited under its own name, if at all (the crawl queues the final page)."""
        if auth:
            # Most often the login page: the signed-in page was never seen.
            self.recorder.failure(path, f"redirected to {landed}: does the app accept the auth recipe's credentials?")
            return []
        self.recorder.skipped(path, f"redirected to {landed}")
        return [landed]

    def audit_state(self, state: State, scratch: Path) -> None:
        """Drive the page into ``state`` and audit it."""
        name = f"state:{state.name}"
        try:
            state.steps(self.page, self.plan.base_url, scratch)
            axe = self.auditor.audit(self.page)
        except Error as exc:
            self.recorder.failure(name, _first_line(exc))
            return
        self.recorder.record(name, "state", self.page, None, axe)

    def _not_loaded(self, path: str, exc: Error, planned: bool) -> None:
        """Why the navigation failed: a link leading off the origin or to a file is no page of the target."""
        # A failed navigation leaves Chromium loading its error page, which would interrupt the next one.
        self.page.close()
        self.page = self._new_page()
        left = self.traffic.left_origin()
        if left is not None:
            self._off_origin(path, left, planned)
        elif _DOWNLOAD in (exc.message or ""):
            self._not_audited(path, "starts a download, not a page", planned)
        else:
            self.recorder.failure(path, _first_line(exc))

    def _off_origin(self, path: str, left: str, planned: bool) -> None:
        self._not_audited(path, f"went to {left}, off the target's origin (not followed)", planned)

    def _not_audited(self, path: str, problem: str, failure: bool) -> None:
        if failure:
            self.recorder.failure(path, problem)
        else:
            self.recorder.skipped(path, problem)


def _redirected(asked: str, landed: str) -> str | None:
    """The URL the browser was sent on to, when it is another page than the one asked for."""
    return None if urlsplit(asked).path.rstrip("/") == urlsplit(landed).path.rstrip("/") else landed


def _first_line(exc: Error) -> str:
    return (exc.message or str(exc)).strip().splitlines()[0]


def crawl(session: Session, plan: AuditPlan) -> None:
    """Audit the plan's pages, then same-origin links up to the crawl depth and page count."""
    frontier = Frontier(plan.base_url, plan.crawl_depth, plan.max_pages)
    for path in plan.pages:
        frontier.add(path, 0)
    while (item := frontier.pop()) is not None:
        path, depth = item
        frontier.add_links(session.audit_page(path, planned=depth == 0), depth)


def audit_signed_in(browser: Browser, session: Session, states: dict[str, State], scratch: Path) -> None:
    """The pages and states behind the login, in a context carrying the auth recipe's credentials."""
    plan, recorder = session.plan, session.recorder
    targets = [*plan.auth_pages, *(f"state:{name}" for name in plan.auth_states)]
    credentials = Credentials.from_env()
    if not targets:
        return
    if credentials.empty:
        for name in targets:
            recorder.failure(name, "needs the target's auth recipe ([tool.harness.target.auth]), and it has none")
        return
    signed_in = Session(_signed_in_context(browser, plan.base_url, credentials), plan, recorder, session.traffic)
    for path in plan.auth_pages:
        signed_in.audit_page(path, auth=True)
    for name in plan.auth_states:
        signed_in.audit_state(states[name], scratch)


def _signed_in_context(browser: Browser, base_url: str, credentials: Credentials) -> BrowserContext:
    """A context sending the credentials' headers and cookies (to the target only: the browser is confined)."""
    context = browser.new_context(extra_http_headers=credentials.headers)
    if credentials.cookies:
        context.add_cookies(
            [{"name": name, "value": value, "url": base_url} for name, value in credentials.cookies.items()]
        )
    return context


def run(plan: AuditPlan, out: Path) -> int:
    """Audit everything in ``plan``; per-target failures are reported, not raised."""
    recorder = Recorder(out)
    traffic = Traffic(plan.base_url)
    states = plan.load_states()
    with (
        tempfile.TemporaryDirectory(prefix="a11y-") as scratch_dir,
        confined_to(plan.base_url) as confinement,
        sync_playwright() as playwright,
    ):
        scratch = Path(scratch_dir)
        found = find_browser()
        browser = playwright.chromium.launch(executable_path=found.executable, args=[*LAUNCH_ARGS, *confinement])
        try:
            session = Session(browser.new_context(), plan, recorder, traffic)
            crawl(session, plan)
            for name in plan.states:
                session.audit_state(states[name], scratch)
            audit_signed_in(browser, session, states, scratch)
        finally:
            browser.close()
    _emit({"event": "done", "audited": recorder.count, "operations": sorted(traffic.operations)})
    return 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """Turn the stage's SIGTERM into an exception, so the ``finally`` blocks close the browser."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry of the audit subprocess."""
    # Playwright gives Chromium its own process group: only a clean close here ends it.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(prog="python -m accessibility.audit", description=__doc__)
    parser.add_argument("--plan", type=Path, required=True, help="plan JSON written by the stage")
    parser.add_argument("--out", type=Path, required=True, help="folder for raw axe results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return run(AuditPlan.read(args.plan), args.out)


if __name__ == "__main__":
    sys.exit(main())
