"""Run the accessibility stage for real (audit subprocess, Chromium) against a given target."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from accessibility.stage import run
from harness.records import StageResult
from harness.stages import Progress, SilentProgress, StageContext, TargetInfo

RunStage = Callable[..., StageResult]


def stage_context(
    run_dir: Path,
    url: str,
    *,
    bundled: bool,
    options: Mapping[str, Any],
    progress: Progress | None = None,
) -> StageContext:
    """A context like `harness run` builds for the accessibility stage."""
    artifacts = run_dir / "accessibility"
    artifacts.mkdir(parents=True, exist_ok=True)
    return StageContext(
        stage="accessibility",
        profile="smoke",
        target=TargetInfo(url, bundled),
        openapi="",
        run_dir=run_dir,
        artifacts=artifacts,
        options=dict(options),
        progress=progress or SilentProgress(),
    )


@pytest.fixture
def run_stage(tmp_path: Path) -> RunStage:
    """Run the stage on ``url`` with ``options``; the run folder is ``tmp_path/run``."""

    def runner(url: str, *, bundled: bool, options: Mapping[str, Any], progress: Progress | None = None) -> StageResult:
        return run(stage_context(tmp_path / "run", url, bundled=bundled, options=options, progress=progress))

    return runner


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A tiny static site on loopback (``http.server`` in a thread): its base URL and folder."""
    folder = tmp_path / "site"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""
