"""A violation inside an iframe is found; crawling follows same-origin links; cancel leaves no orphans."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest

from accessibility.stage import run
from harness.records import Status
from harness.rundir import RunDir
from harness.stages import SilentProgress
from tests.accessibility.conftest import RunStage, stage_context

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""
INNER = """<!doctype html><html lang="en"><head><title>Inner</title></head>
<body><img src="missing.png"></body></html>"""


def _write_site(folder: Path) -> None:
    home = '<iframe src="inner.html" title="Embedded widget"></iframe><p><a href="form.html">Form</a></p>'
    (folder / "index.html").write_text(PAGE.format(title="Home", body=home), encoding="utf-8")
    (folder / "inner.html").write_text(INNER, encoding="utf-8")
    form = '<form><input type="text" name="q"></form>'
    (folder / "form.html").write_text(PAGE.format(title="Form", body=form), encoding="utf-8")


@pytest.mark.slow
def test_iframe_violations_are_found_links_are_crawled_and_a_failed_login_is_not_clean(
    static_site: tuple[str, Path], run_stage: RunStage
) -> None:
    url, folder = static_site
    _write_site(folder)
    # One browser run for three behaviours keeps the CI budget (a Chromium start each is costly).
    options = {"crawl_depth": 1, "best_practice": False, "auth_pages": ["/account.html"]}
    result = run_stage(url, bundled=False, options={**options, "username": "u", "password": "p"})
    assert result.status is Status.PASSED, result.error
    assert result.metrics["a11y.pages.audited"] == 2
    failed = next(check for check in result.validity if check.name == "all_targets_audited")
    assert not failed.ok and "/account.html: could not log in" in failed.detail
    found = {(f.rule, f.extra["page"], f.extra["selector"]): f for f in result.findings}
    assert set(found) == {("image-alt", "/", "iframe >> img"), ("label", "/form.html", "input")}
    in_frame = found[("image-alt", "/", "iframe >> img")]
    assert in_frame.extra["frame_url"] == f"{url}/inner.html"
    assert in_frame.location == "/ iframe >> img"


class _CancelAfterFirst(SilentProgress):
    """Cancels the stage once the first page is audited, remembering the processes alive then."""

    def __init__(self) -> None:
        self.cancel: threading.Event | None = None
        self.alive: list[psutil.Process] = []
        # Servers started by other fixtures (the bundled app) are not the stage's to stop.
        self._before = {p.pid for p in psutil.Process().children(recursive=True)}

    def advance(self, amount: float = 1.0) -> None:
        children = psutil.Process().children(recursive=True)
        self.alive = [p for p in children if p.pid not in self._before]
        assert self.cancel is not None
        self.cancel.set()


@pytest.mark.slow
def test_cancel_keeps_the_partial_result_and_leaves_no_browser_behind(
    static_site: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = static_site
    _write_site(folder)
    progress = _CancelAfterFirst()
    ctx = stage_context(tmp_path / "run", url, bundled=False, options={"crawl_depth": 1}, progress=progress)
    progress.cancel = ctx.cancel
    result = run(ctx)
    assert result.status is Status.INCOMPLETE
    assert "cancelled" in (result.error or "")
    assert result.metrics["a11y.pages.audited"] == 1
    assert progress.alive, "the audit subprocess and its browser were running when cancelled"
    assert not [p for p in progress.alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    # The partial result was written to the run folder while the audit went on.
    assert RunDir(ctx.run_dir).results()["accessibility"].metrics["a11y.pages.audited"] == 1
