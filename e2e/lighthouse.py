"""Lighthouse's performance score of the pages the e2e stage measured: the real tool, run by Node.

Lighthouse (npm ``lighthouse``, pinned in the repository's ``package.json``, installed by ``npm ci``)
audits each page once, performance category only, with its desktop preset or its own default settings
(mobile: simulated Slow 4G and a 4x slower CPU). A run whose trace Lighthouse itself failed to record
(it asks to be run again) is run once more. Its own command line runs for every page in one Node
process on one Chrome (``lighthouse_pages.js``: Node, Lighthouse and Chrome start once; each page gets
a new tab with the origin's storage and the HTTP cache reset, as Lighthouse does for every run). It
drives the harness's Chromium, kept on the target by the same refusing proxy as every other browser
of the harness (`confined_to`), and runs under the harness's supervisor with the stage's deadline. Each
page leaves Lighthouse's JSON and HTML reports in ``e2e/lighthouse/``.

Without Node or the package, `find` raises `Unavailable` saying what is missing and how to install
it: the score is then unmeasured, never estimated by other means.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from e2e import process
from stagekit.auth import Credentials
from stagekit.browser import LAUNCH_ARGS, confined_to, find_browser

VERSION = "12.2.3"
"""The version ``package.json`` pins: the newest that runs on Debian's Node 20."""
_CLI = Path("node_modules", "lighthouse", "cli", "index.js")
_BATCH = Path(__file__).with_name("lighthouse_pages.js")
"""Runs Lighthouse's command line for several pages in one Node process."""
_LAB_METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "speed-index": "speed_index_ms",
}
"""The audits behind Lighthouse's performance score, as the harness names them."""
_RUN_AGAIN = frozenset({"NO_NAVSTART", "NO_TRACING_STARTED", "TRACING_ALREADY_STARTED", "PROTOCOL_TIMEOUT"})
"""Lighthouse's runtime errors about its own trace recording, not the page ("Please run Lighthouse again")."""


class Unavailable(Exception):
    """Lighthouse cannot run here; the message says what is missing and how to install it."""


@dataclasses.dataclass(frozen=True)
class Tool:
    """Node and Lighthouse's command-line entry point."""

    node: Path
    cli: Path

    @property
    def version(self) -> str:
        """The installed package's version."""
        manifest = json.loads((self.cli.parents[1] / "package.json").read_text(encoding="utf-8"))
        return str(manifest["version"])


def find(root: Path) -> Tool:
    """Node on ``PATH`` and Lighthouse from ``root``'s ``node_modules`` (else a ``lighthouse`` on ``PATH``)."""
    node = shutil.which("node")
    if node is None:
        raise Unavailable(
            "Node.js is not installed (no `node` on PATH), so Lighthouse cannot run: install Node.js 18.16 or "
            f"newer (Debian: `apt-get install nodejs npm`), then `npm ci` in {root}"
        )
    cli = root / _CLI
    if not cli.is_file():
        installed = shutil.which("lighthouse")
        if installed is None:
            raise Unavailable(
                f"the lighthouse npm package is not installed: run `npm ci` in {root} "
                f"(or `npm install -g lighthouse@{VERSION}`)"
            )
        cli = Path(installed).resolve()
    return Tool(Path(node), cli)


@dataclasses.dataclass(frozen=True)
class Page:
    """A page to audit: its name in the results, the path to load, whether it is loaded signed in."""

    name: str
    path: str
    signed_in: bool = False


@dataclasses.dataclass
class Audit:
    """Lighthouse's verdict on one page, or why there is none."""

    name: str
    score: float | None = None
    """The performance score, 0-100 (Lighthouse's 0-1 times 100)."""
    report: str | None = None
    """Lighthouse's HTML report."""
    lab: dict[str, float] = dataclasses.field(default_factory=dict)
    """The lab metrics the score is made of (`_LAB_METRICS`)."""
    error: str | None = None
    code: str = ""
    """Lighthouse's runtime error code, when it reported one."""


@dataclasses.dataclass(frozen=True)
class Run:
    """How to audit: where, with which preset, credentials and deadline."""

    tool: Tool
    base_url: str
    out: Path
    preset: str
    credentials: Credentials
    timeout_s: float
    cancel: threading.Event


@dataclasses.dataclass(frozen=True)
class _Job:
    """One page of a batch and where its reports go (``<stem>.report.json`` and ``.html``)."""

    page: Page
    prefix: Path

    @property
    def json(self) -> Path:
        return self.prefix.with_name(f"{self.prefix.name}.report.json")

    @property
    def html(self) -> Path:
        return self.prefix.with_name(f"{self.prefix.name}.report.html")


def audit_pages(run: Run, pages: Sequence[Page], on_page: Callable[[Audit], None]) -> list[Audit]:
    """Audit ``pages`` one after the other (``on_page`` as each is done); stops early when cancelled.

    One Node process runs Lighthouse's command line for every page (`_BATCH`) on one Chrome; a page
    whose trace Lighthouse failed to record is audited once more (by a new process and Chrome).
    """
    if not pages:
        return []
    chrome = _chrome()
    run.out.mkdir(parents=True, exist_ok=True)
    jobs = [_Job(page, run.out / f"{index:02d}-{_slug(page.path)}") for index, page in enumerate(pages, 1)]
    with confined_to(run.base_url) as confinement, _headers_file(run.credentials) as headers:
        browser = {"path": chrome, "flags": ["--headless=new", *LAUNCH_ARGS, *confinement]}
        arguments = {job: _arguments(run, job, headers) for job in jobs}
        audits = _batch(run, jobs, browser, arguments, on_page)
        again = [job for job in jobs if audits[job].code in _RUN_AGAIN]
        if again and not run.cancel.is_set():
            audits.update(_batch(run, again, browser, arguments, on_page=None))
    # Pages a cancelled run never reached are left out, as if the loop had stopped before them.
    return [audits[job] for job in jobs if not run.cancel.is_set() or job.json.is_file()]


def _arguments(run: Run, job: _Job, headers: Path | None) -> list[str]:
    """Lighthouse's command-line arguments for one page (the batch adds its Chrome's ``--port``)."""
    arguments = [
        run.base_url + job.page.path,
        "--output=json",
        "--output=html",
        f"--output-path={job.prefix}",
        "--only-categories=performance",
        # The screenshot of the whole page only illustrates the HTML report (no audit of the score reads
        # it) and is its slowest artifact after the page load itself.
        "--disable-full-page-screenshot",
    ]
    if run.preset == "desktop":
        arguments.append("--preset=desktop")
    if job.page.signed_in and headers is not None:
        arguments.append(f"--extra-headers={headers}")
    return arguments


def _batch(
    run: Run,
    jobs: list[_Job],
    browser: dict[str, Any],
    arguments: dict[_Job, list[str]],
    on_page: Callable[[Audit], None] | None,
) -> dict[_Job, Audit]:
    """Lighthouse on ``jobs`` in one Node process and Chrome (``browser``: its path and flags; deadline:
    ``timeout_s`` per page); each page's audit.

    ``on_page`` is told of each page as its reports appear (None: a run again over earlier reports).
    """
    plan = run.out / "lighthouse-pages.json"
    pages = [arguments[job] for job in jobs]
    plan.write_text(json.dumps({"chrome": browser, "pages": pages}, indent=1), encoding="utf-8")
    command = [str(run.tool.node), str(_BATCH), str(run.tool.cli), str(plan)]
    log = run.out / "lighthouse.log"
    pending = list(jobs) if on_page is not None else []
    tell = on_page or (lambda _: None)

    def announce() -> None:
        # The HTML report is written after the JSON one: once it exists, the JSON is complete.
        while pending and pending[0].html.is_file():
            job = pending.pop(0)
            tell(read_report(job.json, job.page))

    timeout_s = run.timeout_s * len(jobs)
    ended = process.run(
        command, cwd=run.out, env=os.environ, log=log, timeout_s=timeout_s, cancel=run.cancel, on_tick=announce
    )
    audits = {job: _audit(job, ended, log) for job in jobs}
    for job in pending:
        tell(audits[job])
    return audits


def _audit(job: _Job, ended: process.Finished, log: Path) -> Audit:
    """The page's audit, read from its JSON report, or why there is none."""
    # A page Lighthouse could not load still gets a report naming the runtime error.
    if job.json.is_file():
        return read_report(job.json, job.page)
    if ended.returncode is None:
        return Audit(job.page.name, error=ended.describe(f"Lighthouse on {job.page.path}", log))
    return Audit(job.page.name, error=f"Lighthouse on {job.page.path} wrote no report (log: {log})")


def read_report(path: Path, page: Page) -> Audit:
    """The score and lab metrics of Lighthouse's JSON report, or the error it recorded."""
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    html = path.with_name(path.name.replace(".report.json", ".report.html"))
    audit = Audit(page.name, report=str(html) if html.is_file() else None)
    landed = urlsplit(str(report.get("finalDisplayedUrl", ""))).path or "/"
    score = report["categories"]["performance"].get("score")
    if report.get("runtimeError"):
        audit.code = str(report["runtimeError"].get("code", ""))
        audit.error = f"Lighthouse: {report['runtimeError'].get('message', audit.code)}"
    elif landed.rstrip("/") != urlsplit(page.path).path.rstrip("/"):
        audit.error = f"Lighthouse was sent from {page.path} to {landed}: not the page to score"
    elif score is None:
        audit.error = "Lighthouse gave no performance score (see its report)"
    else:
        audit.score = round(100.0 * float(score), 1)
    audits = report.get("audits", {})
    for name, metric in _LAB_METRICS.items():
        value = audits.get(name, {}).get("numericValue")
        if value is not None:
            audit.lab[metric] = round(float(value), 3)
    return audit


def _chrome() -> str:
    """The harness's full Chromium (Lighthouse measures in its new headless mode, not in a headless shell):
    a binary path for Lighthouse (Playwright's own build asked for its path)."""
    browser = find_browser(headless_shell=False)
    if browser.executable is not None:
        return str(browser.executable)
    from playwright.sync_api import sync_playwright  # only needed when Playwright's own build is used

    with sync_playwright() as playwright:
        return str(playwright.chromium.executable_path)


@contextlib.contextmanager
def _headers_file(credentials: Credentials) -> Iterator[Path | None]:
    """The auth recipe's headers and cookies as Lighthouse's ``--extra-headers`` file (private, removed
    afterwards): on the command line they would show in the process list."""
    headers = dict(credentials.headers)
    if credentials.cookies:
        headers["Cookie"] = credentials.cookie_header()
    if not headers:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="harness-lighthouse-") as folder:
        path = Path(folder, "headers.json")
        path.write_text(json.dumps(headers), encoding="utf-8")  # the folder is the user's alone (0700)
        yield path


def _slug(path: str) -> str:
    """``/wiki/new`` -> ``wiki-new``; ``/`` -> ``home``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")[:60] or "home"
