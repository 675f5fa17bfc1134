"""A started target that exits during the run: recorded in run.json (``complete: false``,
``target.exited`` with its code and stage, a note), named in the verdict's notes, the later stages
not run, and the exit code is the verdict's."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from harness import cli
from stagekit import stages
from stagekit.stages import StageContext
from tests.harness.fake_run import SMALL
from vocabulary.records import StageResult, Status

# Serves 200s, then exits hard with 70 (like the bundled app's crash fault) once asked to.
APP = """
import http.server, os, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/crash":
            threading.Timer(0.1, os._exit, (70,)).start()
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_a_target_crash_is_recorded_and_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "harness.toml").write_text(
        textwrap.dedent("""
        [target]
        ready_path = "/"
        [target.command]
        argv = ["{python}", "app.py", "{port}"]
        """),
        encoding="utf-8",
    )
    ran: list[str] = []

    def stage(ctx: StageContext) -> StageResult:
        ran.append(ctx.stage)
        httpx.get(ctx.target.url + "/crash")
        time.sleep(1.0)
        return ctx.result(status=Status.PASSED, metrics={"load.http.p95_ms": 812.0})

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stages, "resolve", lambda name: stage)
    code = cli.main(["run", "--stages", "load,contracts", "--budgets", str(SMALL), "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    run = (tmp_path / "runs" / "latest").resolve()
    meta = json.loads((run / "run.json").read_text())
    verdict = json.loads((run / "verdict.json").read_text())
    assert ran == ["load"], "no stage runs against a dead target"
    assert meta["complete"] is False and meta["target"]["exited"]["code"] == 70
    assert meta["target"]["exited"]["during"] == "load"
    note = "the target exited (code 70) during the load stage; see target.log; not run: contracts"
    assert note in meta["notes"] and note in verdict["notes"]
    assert "the target exited (code 70) during the load stage" in err
    assert code == verdict["exit_code"] == 1, "the breach measured before the crash stands"
