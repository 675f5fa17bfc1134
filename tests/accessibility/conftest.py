"""Run the accessibility stage for real (audit subprocess, Chromium) against a given target."""

from __future__ import annotations

import dataclasses
import functools
import http.server
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from accessibility.stage import run
from stagekit.stages import Progress, SilentProgress, StageContext, TargetInfo
from tests.fixtures.servers import serve
from vocabulary.records import StageResult

RunStage = Callable[..., StageResult]


def stage_context(
    run_dir: Path,
    target: TargetInfo,
    *,
    options: Mapping[str, Any],
    progress: Progress | None = None,
) -> StageContext:
    """A context like `harness run` builds for the accessibility stage."""
    artifacts = run_dir / "accessibility"
    artifacts.mkdir(parents=True, exist_ok=True)
    return StageContext(
        stage="accessibility",
        profile="smoke",
        target=target,
        openapi=None,
        run_dir=run_dir,
        artifacts=artifacts,
        options=dict(options),
        progress=progress or SilentProgress(),
    )


@pytest.fixture
def run_stage(tmp_path: Path) -> RunStage:
    """Run the stage on ``target`` with ``options``; the run folder is ``tmp_path/run``."""

    def runner(target: TargetInfo, *, options: Mapping[str, Any], progress: Progress | None = None) -> StageResult:
        return run(stage_context(tmp_path / "run", target, options=options, progress=progress))

    return runner


@dataclasses.dataclass
class Site:
    """A static site on loopback: its folder, base URL, and paths it answers with a redirect."""

    folder: Path
    url: str = ""
    redirects: dict[str, str] = dataclasses.field(default_factory=dict)
    """Path -> ``Location`` of a 302 answer (fill it in the test)."""


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[Site]:
    """A tiny static site (``http.server`` in a thread), torn down after the test."""
    site = Site(tmp_path / "site")
    site.folder.mkdir()
    with serve(functools.partial(_SiteHandler, site, directory=str(site.folder))) as url:
        site.url = url
        yield site


@dataclasses.dataclass
class OtherOrigin:
    """A server on another port: any request reaching it came from somewhere it should not have."""

    url: str = ""
    hits: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
def other_origin() -> Iterator[OtherOrigin]:
    """A second loopback server that records every request it receives."""
    other = OtherOrigin()
    with serve(functools.partial(_RecordingHandler, other)) as url:
        other.url = url
        yield other


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, site: Site, *args: Any, **kwargs: Any) -> None:
        self.site = site
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Files, or a redirect where the test asked for one."""
        location = self.site.redirects.get(self.path)
        if location is None:
            super().do_GET()
            return
        self.send_response(302)
        self.send_header("Location", location)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    def __init__(self, other: OtherOrigin, *args: Any, **kwargs: Any) -> None:
        self.other = other
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Note the request; answer a page (which nobody should ever see)."""
        self.other.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>elsewhere</title>")

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""
