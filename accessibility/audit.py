"""The audit subprocess: ``python -m accessibility.audit --plan PLAN --out DIR``.

Playwright runs here, never in the harness process. Each audited page or state is written to
``DIR/<n>.json`` as soon as it is done and announced by one JSON line on stdout, so the stage can
show progress and keep a partial result when the run is cancelled.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright

from accessibility.axe_frames import FrameAuditor, axe_options
from accessibility.crawl import Frontier
from accessibility.plan import PASSWORD_ENV, USERNAME_ENV, AuditPlan
from accessibility.states import BY_NAME, State
from harness.browser import LAUNCH_ARGS, find_browser

_LINKS = "els => els.map(e => e.href)"


class Recorder:
    """Writes each audit record and announces it (or a failure) on stdout."""

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


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class Session:
    """One browser context (anonymous or logged in) auditing pages and states of the plan."""

    def __init__(self, context: BrowserContext, plan: AuditPlan, recorder: Recorder) -> None:
        self.plan = plan
        self.recorder = recorder
        self.page = context.new_page()
        self.page.set_default_timeout(plan.page_timeout_s * 1000)
        self.auditor = FrameAuditor(context, axe_options(plan.tags))

    def audit_page(self, path: str, *, auth: bool = False) -> list[str]:
        """Audit one page; returns the links on it (empty if it failed)."""
        try:
            response = self.page.goto(self.plan.base_url + path, wait_until="load")
            if auth and urlsplit(self.page.url).path == "/login":
                # Auditing the login form in place of the page asked for would look like a pass.
                self.recorder.failure(path, f"sent to the login page ({self.page.url}): the session was lost")
                return []
            axe = self.auditor.audit(self.page)
            links: list[str] = self.page.eval_on_selector_all("a[href]", _LINKS)
        except Error as exc:
            self.recorder.failure(path, _first_line(exc))
            return []
        self.recorder.record(path, "page", self.page, response.status if response else None, axe)
        return links

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


def _first_line(exc: Error) -> str:
    return (exc.message or str(exc)).strip().splitlines()[0]


def crawl(session: Session, plan: AuditPlan) -> None:
    """Audit the plan's pages, then same-origin links up to the crawl depth and page count."""
    frontier = Frontier(plan.base_url, plan.crawl_depth, plan.max_pages)
    for path in plan.pages:
        frontier.add(path, 0)
    while (item := frontier.pop()) is not None:
        path, depth = item
        frontier.add_links(session.audit_page(path), depth)


def log_in(page: Page, base_url: str, username: str, password: str) -> bool:
    """Log in through the login form; True if the app let us in."""
    page.goto(f"{base_url}/login")
    username_field = page.locator("input[name=username]")
    password_field = page.locator("input[name=password]")
    if not (username_field.count() and password_field.count()):
        return False  # no login form: fail now rather than wait out the page timeout
    username_field.fill(username)
    password_field.fill(password)
    with page.expect_navigation():
        password_field.press("Enter")
    return "/login" not in page.url


def audit_logged_in(browser: Browser, plan: AuditPlan, recorder: Recorder, scratch: Path) -> None:
    """The pages and states behind the login, in a context of their own."""
    states = [BY_NAME[name] for name in plan.states if BY_NAME[name].auth]
    targets = [*plan.auth_pages, *(f"state:{s.name}" for s in states)]
    if not targets:
        return
    context = browser.new_context()
    session = Session(context, plan, recorder)
    if not _logged_in(session.page, plan):
        for name in targets:
            recorder.failure(name, "could not log in (set username/password in [tool.harness.accessibility])")
        return
    for path in plan.auth_pages:
        session.audit_page(path, auth=True)
    for state in states:
        session.audit_state(state, scratch)


def _logged_in(page: Page, plan: AuditPlan) -> bool:
    username, password = os.environ.get(USERNAME_ENV), os.environ.get(PASSWORD_ENV)
    if not username or not password:
        return False
    try:
        return log_in(page, plan.base_url, username, password)
    except Error:
        return False


def run(plan: AuditPlan, out: Path) -> int:
    """Audit everything in ``plan``; per-target failures are reported, not raised."""
    recorder = Recorder(out)
    with tempfile.TemporaryDirectory(prefix="a11y-") as scratch_dir, sync_playwright() as playwright:
        scratch = Path(scratch_dir)
        found = find_browser()
        browser = playwright.chromium.launch(executable_path=found.executable, args=list(LAUNCH_ARGS))
        try:
            session = Session(browser.new_context(), plan, recorder)
            crawl(session, plan)
            for name in plan.states:
                if not BY_NAME[name].auth:
                    session.audit_state(BY_NAME[name], scratch)
            audit_logged_in(browser, plan, recorder, scratch)
        finally:
            browser.close()
    _emit({"event": "done", "audited": recorder.count})
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
