"""Live progress: on a terminal a bar with the stage's figures, in a CI log (no terminal) one heartbeat
line per stage at a fixed interval with the same figures, and no blank lines left behind.

The heartbeat runs on a fake clock; the load figures come from a real recorded smoke run
(``tests/data/recorded/smoke_load.json``); the pipeline wiring is a real in-process `harness run`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import time
from pathlib import Path

import pytest
from rich.console import Console

from contracts.runner import EventWatch
from e2e.stage import workflow_figures
from harness import cli
from harness.console import StageProgress
from harness.progress import Heartbeat, StageStatus, heartbeat_line
from scenarios import live
from stagekit.stages import SilentProgress, StageContext, TargetInfo
from tests.fixtures.runs import DATA
from tests.harness.fake_run import run_with
from vocabulary.exit_codes import ExitCode
from vocabulary.records import StageResult, Status, ValidityCheck

RECORDED = DATA / "recorded" / "smoke_load.json"


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_heartbeat_prints_one_line_per_interval_with_the_stage_figures() -> None:
    clock = FakeClock()
    status = StageStatus("load", clock=clock)
    status.start("load: smoke profile, 20 users", total=30)
    lines: list[str] = []
    beats = iter([False, False, True])  # two intervals pass, then the stage ends

    def wait(seconds: float) -> bool:
        clock.now += seconds
        status.completed += seconds
        if clock.now > 110:
            status.figures = "20 users, 46 req/s, p95 12.8 ms, errors 0.0 %"
        return next(beats)

    Heartbeat(lambda: heartbeat_line(status), lines.append, 10.0, wait=wait).beat()
    assert lines == [
        "  load 0:10 smoke profile, 20 users, 33 %",
        "  load 0:20 smoke profile, 20 users, 67 %: 20 users, 46 req/s, p95 12.8 ms, errors 0.0 %",
    ]


def test_a_stage_without_figures_still_shows_it_is_alive() -> None:
    clock = FakeClock()
    status = StageStatus("e2e", clock=clock)
    status.start("e2e page journeys", total=None)
    clock.now += 75
    assert heartbeat_line(status) == "  e2e 1:15 e2e page journeys"


def test_without_a_terminal_the_stage_prints_heartbeats_and_no_blank_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=40)  # a CI log: one line each, never wrapped
    with StageProgress("contracts", 0.02, console) as progress:
        progress.start("contracts: Schemathesis (seed 1)")
        progress.figures("4 operations called, 1 failed checks [GET /a/[id]]")
        progress.log("a line above the bar")
        time.sleep(0.15)
    lines = out.getvalue().splitlines()
    assert "  a line above the bar" in lines
    beats = [line for line in lines if line.startswith("  contracts 0:00 ")]
    assert len(beats) >= 2, lines
    assert beats[-1] == "  contracts 0:00 Schemathesis (seed 1): 4 operations called, 1 failed checks [GET /a/[id]]"
    assert "" not in lines


def test_on_a_terminal_the_bar_carries_the_figures() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    with StageProgress("load", 0.01, console) as progress:
        progress.start("load: smoke profile", total=30)
        progress.figures("20 users, 46 req/s")
        progress.advance(15)
        time.sleep(0.3)  # rich refreshes ten times a second
    shown = out.getvalue()
    assert "20 users, 46 req/s" in shown and "50%" in shown
    assert "  load 0:00" not in shown  # no heartbeat lines on a terminal


def test_the_pipeline_beats_every_heartbeat_s_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def stage(ctx: StageContext) -> StageResult:
        ctx.progress.start("load: smoke profile, 7 users", total=None)
        ctx.progress.figures("7 users, 3 req/s")
        time.sleep(0.5)
        return ctx.result(status=Status.PASSED, metrics={"load.http.p95_ms": 10.0})

    monkeypatch.setenv("HARNESS_HEARTBEAT_S", "0.1")
    _, err = run_with(stage, tmp_path, monkeypatch, capsys)
    beats = [line for line in err.splitlines() if line.startswith("  load 0:00 smoke profile, 7 users: 7 users")]
    assert 2 <= len(beats) <= 6, err
    assert "\n\n" not in err


def test_a_negative_heartbeat_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["run", "--heartbeat-s", "-1", "--target-url", "http://127.0.0.1:9", "--out", str(tmp_path)])
    assert code == ExitCode.USAGE_ERROR
    assert "bad value -1.0 for 'heartbeat_s' in flag --heartbeat-s: must be >= 0" in capsys.readouterr().err


def _recorded() -> StageResult:
    return StageResult.from_dict(json.loads(RECORDED.read_text(encoding="utf-8")))


def test_load_figures_of_a_real_smoke_run() -> None:
    result = _recorded()
    # The last five complete seconds of the recorded series (the last one was still open).
    recent = [row["requests"] for row in result.details["timeseries"][-6:-1]]
    rps = sum(recent) / 5
    assert live.figures(result) == f"20 users, {rps:.0f} req/s, p95 12.8 ms, errors 0.0 %"


def test_load_figures_name_a_failing_validity_check_but_not_the_end_of_run_ones() -> None:
    result = _recorded()
    failing = {"generator-cpu", "run-complete", "server-metrics-scraped"}
    result.validity = [dataclasses.replace(check, ok=check.name not in failing) for check in result.validity]
    assert live.figures(result).endswith(", warning: generator-cpu")


def test_load_figures_while_warming_up() -> None:
    result = _recorded()
    result.metrics = {}
    result.validity = [ValidityCheck("requests-measured", False, "0 requests measured")]
    result.details["timeseries"] = result.details["timeseries"][:3]
    assert re.fullmatch(r"20 users, \d+ req/s, warming up", live.figures(result))


def test_e2e_figures_name_the_running_workflow() -> None:
    assert workflow_figures({"tests": [], "finished": False, "collected": None, "running": None}) == (
        "collecting the tests"
    )
    sidecar = {
        "tests": [{"outcome": "passed"}, {"outcome": "failed"}],
        "collected": 5,
        "running": "test_checkout[chromium]",
    }
    assert workflow_figures(sidecar) == "workflow 3 of 5: test_checkout[chromium], 1 failed"
    assert workflow_figures({**sidecar, "collected": None, "running": None}) == "workflow 2 of ?, 1 failed"


class Recording(SilentProgress):
    """Keeps what a stage reports."""

    def __init__(self) -> None:
        self.done = 0.0
        self.shown: list[str] = []

    def advance(self, amount: float = 1.0) -> None:
        self.done += amount

    def figures(self, text: str) -> None:
        self.shown.append(text)


def _scenario(method: str, path: str, failed: bool) -> str:
    """One ``ScenarioFinished`` line of Schemathesis's event stream (the fields the harness reads)."""
    failure = {"failure": {"operation": f"{method} {path}", "code": "x", "title": "t", "message": "m"}}
    recorder = {
        "cases": {"c1": {"value": {"method": method.lower(), "path": path}}},
        "interactions": {"c1": {"request": {}, "response": {"status_code": 500}}},
        "checks": {"c1": [{"name": "not_a_server_error", "failure_info": failure if failed else None}]},
    }
    return json.dumps({"ScenarioFinished": {"phase": "examples", "recorder": recorder}}) + "\n"


def test_contracts_figures_count_documented_operations_and_failed_checks(tmp_path: Path) -> None:
    stream = tmp_path / "events.ndjson"
    progress = Recording()
    ctx = StageContext("contracts", "smoke", TargetInfo("http://127.0.0.1:9"), None, tmp_path, tmp_path, {}, progress)
    watch = EventWatch(ctx, stream, frozenset({"GET /a", "GET /b", "POST /a"}))
    stream.write_text(_scenario("GET", "/a", failed=False) + _scenario("DELETE", "/a", failed=False) + '{"Scen')
    watch.tick()  # the torn last line waits for the next tick
    stream.write_text(stream.read_text() + 'arioFinished": {}}\n' + _scenario("GET", "/b", failed=True))
    watch.tick()
    assert progress.done == 4
    # DELETE /a is the coverage phase's undocumented method: no operation of the document.
    assert progress.shown == ["operations 1 of 3 called, 0 failed checks", "operations 2 of 3 called, 1 failed checks"]
