"""`harness run` in-process against a loopback server that answers 200, with a stand-in stage runner:
for tests of the pipeline's own behaviour (console lines, exit codes, damaged disks) in milliseconds."""

from __future__ import annotations

import http.server
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import cli
from stagekit import stages
from stagekit.stages import StageContext
from tests.fixtures.runs import DATA
from tests.fixtures.servers import serve
from vocabulary.records import StageResult

SMALL = DATA / "budgets" / "small.toml"


class Ok(http.server.BaseHTTPRequestHandler):
    """Answers 200 to every GET: a target that is up."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        """Quiet."""


def run_with(
    stage: Callable[[StageContext], StageResult],
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """`harness run --stages load` with ``stage`` as the load stage; the exit code and stderr."""
    monkeypatch.setattr(stages, "resolve", lambda name: stage)
    with serve(Ok) as url:
        code = cli.main(["run", "--target-url", url, "--stages", "load", "--budgets", str(SMALL), "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err
