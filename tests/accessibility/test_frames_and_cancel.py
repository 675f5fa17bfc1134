"""A violation inside an iframe is found; crawling stays on the target's origin; cancel leaves no orphans."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest

from accessibility.stage import run
from stagekit.stages import SilentProgress, TargetInfo
from tests.accessibility.conftest import OtherOrigin, RunStage, Site, stage_context
from vocabulary.records import Status
from vocabulary.rundir import RunDir

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""
INNER = """<!doctype html><html lang="en"><head><title>Inner</title></head>
<body><img src="missing.png"></body></html>"""


def _write_site(folder: Path, elsewhere: str = "http://127.0.0.1:9") -> None:
    links = ("form.html", "away", "data.json", "missing.html", f"{elsewhere}/page.html")
    home = '<iframe src="inner.html" title="Embedded widget"></iframe>'
    home += "".join(f'<p><a href="{link}">{link}</a></p>' for link in links)
    home += f'<img src="{elsewhere}/pixel.png" alt="A pixel from elsewhere">'
    (folder / "index.html").write_text(PAGE.format(title="Home", body=home), encoding="utf-8")
    (folder / "data.json").write_text("{}", encoding="utf-8")
    (folder / "inner.html").write_text(INNER, encoding="utf-8")
    form = '<form><input type="text" name="q"></form>'
    (folder / "form.html").write_text(PAGE.format(title="Form", body=form), encoding="utf-8")


@pytest.mark.slow
def test_iframe_violations_are_found_and_the_crawl_never_leaves_the_origin(
    static_site: Site, other_origin: OtherOrigin, run_stage: RunStage
) -> None:
    url = static_site.url
    _write_site(static_site.folder, other_origin.url)
    static_site.redirects["/away"] = f"{other_origin.url}/landing.html"
    # One browser run for several behaviours keeps the CI budget (a Chromium start each is costly).
    options = {"crawl_depth": 1, "best_practice": False, "auth_pages": ["/account.html"]}
    result = run_stage(TargetInfo(url), options=options)
    assert result.status is Status.PASSED, result.error
    assert other_origin.hits == [], "the browser sent requests off the target's origin"
    assert result.metrics["a11y.pages.audited"] == 2
    skipped = {item["name"]: item["reason"] for item in result.details["skipped"]}
    assert skipped == {
        "/away": f"went to {other_origin.url}/landing.html, off the target's origin (not followed)",
        "/data.json": "answered application/json, not an HTML page",
    }
    assert [(item["name"], item["status"]) for item in result.details["unanswered"]] == [("/missing.html", 404)]
    failed = next(check for check in result.validity if check.name == "all_targets_audited")
    assert not failed.ok and "/account.html: needs the target's auth recipe" in failed.detail
    assert {"GET /", "GET /inner.html", "GET /form.html"} <= set(result.details["operations"])
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
def test_cancel_keeps_the_partial_result_and_leaves_no_browser_behind(static_site: Site, tmp_path: Path) -> None:
    _write_site(static_site.folder)
    progress = _CancelAfterFirst()
    ctx = stage_context(tmp_path / "run", TargetInfo(static_site.url), options={"crawl_depth": 1}, progress=progress)
    progress.cancel = ctx.cancel
    result = run(ctx)
    assert result.status is Status.INCOMPLETE
    assert "cancelled" in (result.error or "")
    assert result.metrics["a11y.pages.audited"] == 1
    assert progress.alive, "the audit subprocess and its browser were running when cancelled"
    assert not [p for p in progress.alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    # The partial result was written to the run folder while the audit went on.
    assert RunDir(ctx.run_dir).results()["accessibility"].metrics["a11y.pages.audited"] == 1
