"""Stages overlap where it is honest: a stage that measures timing (load, e2e) runs alone while it
measures, the stages that judge correctness run at once after the stages whose artifacts they read,
and start beside a timing stage's tail once it has set `StageContext.measured`; run.json says what
ran at once and when, Ctrl-C stops every stage of a group, and what each stage blocked stays its own.

The plans are pure; `run_group` runs on real threads; the runs are real `harness run`s (in-process,
or a subprocess for a real SIGINT) against a loopback server, with stand-in stage runners."""

from __future__ import annotations

import datetime
import io
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest
from rich.console import Console

from harness import cli
from harness.console import Board
from harness.schedule import plan, run_group, steps
from stagekit import egress, stages
from stagekit.stages import Scheduling, StageContext
from tests.fixtures.runs import REPO
from tests.fixtures.servers import Ok, serve
from tests.harness.fake_run import SMALL
from vocabulary.exit_codes import ExitCode
from vocabulary.records import StageResult, Status

CORRECTNESS = ("contracts", "security", "accessibility")


@pytest.mark.parametrize(
    ("order", "groups"),
    [
        (
            ["load", "e2e", "contracts", "security", "accessibility"],
            [("load",), ("e2e",), ("contracts", "security", "accessibility")],
        ),
        # accessibility reads e2e's step audits: it waits for e2e, the others need not.
        (["accessibility", "contracts", "e2e", "load"], [("contracts",), ("e2e",), ("accessibility",), ("load",)]),
        (["accessibility", "security"], [("accessibility", "security")]),  # without e2e: nothing to wait for
        (["contracts", "load", "security"], [("contracts", "security"), ("load",)]),
    ],
)
def test_timing_stages_run_alone_and_correctness_stages_together(order: list[str], groups: list[tuple[str]]) -> None:
    assert plan(order) == groups


def test_a_plugin_that_declares_nothing_runs_alone_and_a_cycle_keeps_the_given_order() -> None:
    declared = {"a": Scheduling(timing=False, after=("b",)), "b": Scheduling(timing=False, after=("a",))}
    assert plan(["contracts", "lighthouse", "security"], lambda s: declared.get(s, stages.scheduling_of(s))) == [
        ("contracts", "security"),
        ("lighthouse",),
    ]
    assert plan(["a", "b"], declared.__getitem__) == [("a",), ("b",)]


def test_a_correctness_group_after_a_timing_stage_starts_in_its_tail() -> None:
    groups = plan(["load", "e2e", "contracts", "security", "accessibility"])
    assert steps(groups) == [(("load",), ()), (("e2e",), ("contracts", "security", "accessibility"))]
    # Never a timing stage in a tail, nor anything in a correctness group's tail.
    assert steps([("contracts",), ("load",), ("e2e",)]) == [(("contracts",), ()), (("load",), ()), (("e2e",), ())]


TAIL = ("contracts", "security", "accessibility")


def _starts() -> tuple[list[tuple[tuple[str, ...], tuple[str, ...]]], Any]:
    """What `run_group` asked before each start (each allowed), and the function it asks."""
    said: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def starting(stages: tuple[str, ...], beside: tuple[str, ...]) -> bool:
        said.append((stages, beside))
        return True

    return said, starting


def test_once_the_timing_stage_has_measured_the_stages_not_reading_it_start_beside_its_tail() -> None:
    ended: set[str] = set()
    beside_tail = threading.Event()

    def stage(name: str, measured: threading.Event) -> str:
        if name == "e2e":
            measured.set()
            # Only ends once contracts and security run beside it: the test hangs (and fails) otherwise.
            assert beside_tail.wait(10), "nothing started in the tail"
        elif name == "accessibility":
            assert "e2e" in ended, "accessibility reads e2e's step audits: it starts once e2e has ended"
        else:
            beside_tail.set()
        ended.add(name)
        return name

    said, starting = _starts()
    done = run_group(("e2e",), stage, threading.Event(), then=TAIL, starting=starting)
    assert done.results == {name: name for name in ("e2e", *TAIL)}
    assert said == [(("contracts", "security"), ("e2e",)), (("accessibility",), ())]
    assert done.overlap["contracts"] == done.overlap["security"] == {"beside": ["e2e"]}
    assert 0 <= done.overlap["e2e"]["measured_s"] < 10 and "accessibility" not in done.overlap


def test_a_timing_stage_that_never_says_it_measured_keeps_the_machine_to_its_end() -> None:
    running: set[str] = set()
    beside: list[set[str]] = []

    def stage(name: str, measured: threading.Event) -> str:
        running.add(name)
        if name == "load":
            time.sleep(0.3)  # time for a wrongly started tail stage to show up
        beside.append(running - {name})
        running.discard(name)
        return name

    said, starting = _starts()
    done = run_group(("load",), stage, threading.Event(), then=("contracts",), starting=starting)
    assert beside[0] == set() and said == [(("contracts",), ())] and done.overlap == {}


def test_ctrl_c_in_the_tail_stops_the_stages_beside_it_and_starts_no_more() -> None:
    cancel = threading.Event()
    started: list[str] = []

    def stage(name: str, measured: threading.Event) -> str:
        started.append(name)
        if name == "e2e":
            measured.set()
            while len(started) < 3:
                time.sleep(0.01)
            raise KeyboardInterrupt  # what Ctrl-C does to the stage on the main thread
        assert cancel.wait(10), "a stage beside the interrupted one was not told to stop"
        return name

    with pytest.raises(KeyboardInterrupt):
        run_group(("e2e",), stage, cancel, then=TAIL)
    assert cancel.is_set() and sorted(started) == ["contracts", "e2e", "security"], "accessibility never started"


def test_on_a_terminal_stages_at_once_share_one_display_and_name_their_lines() -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, width=200)
    board = Board(["contracts", "security"], 1.0, terminal)
    with board, board.progress["contracts"] as contracts, board.progress["security"] as security:
        contracts.figures("14 operations called")
        security.figures("9 pages fetched")
        security.log("grade A+")
        time.sleep(0.3)  # a refresh of the live display
    shown = out.getvalue()
    assert "14 operations called" in shown and "9 pages fetched" in shown
    assert "  security: grade A+" in shown


def _run(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, Path]:
    monkeypatch.setattr(stages, "resolve", lambda name: runner)
    with serve(Ok) as url:
        code = cli.main(["run", "--target-url", url, "--budgets", str(SMALL), "--out", str(tmp_path), *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err, (tmp_path / "latest").resolve()


def test_correctness_stages_overlap_and_run_json_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    together = threading.Barrier(len(CORRECTNESS), timeout=10)  # passes only if all three run at once
    running: set[str] = set()
    beside_load: list[set[str]] = []

    def stage(ctx: StageContext) -> StageResult:
        running.add(ctx.stage)
        if ctx.stage == "load":
            time.sleep(0.2)
            beside_load.append(running - {"load"})
        else:
            ctx.progress.log("a line of its own")
            together.wait()
            # What this stage blocks is its own, in this process and in what it starts.
            assert egress.child_environment()[egress.REPORT_ENV].endswith(f"{ctx.stage}/egress")
            with pytest.raises(PermissionError):
                socket.getaddrinfo(f"{ctx.stage}.invalid", 80)
        running.discard(ctx.stage)
        return ctx.result(status=Status.PASSED)

    code, err, run = _run(stage, tmp_path, monkeypatch, capsys, "--stages", "contracts,load,security,accessibility")
    meta = json.loads((run / "run.json").read_text())
    assert meta["schedule"] == [["contracts", "security", "accessibility"], ["load"]]
    assert set(meta["stage_times"]) == {"load", *CORRECTNESS} and meta["complete"] is True
    assert beside_load == [set()], "nothing runs beside a timing stage"
    assert "▶ contracts, security, accessibility at once against" in err
    for name in CORRECTNESS:
        assert f"  {name}: a line of its own" in err
        result = json.loads((run / f"{name}.json").read_text())
        assert [f["extra"]["host"] for f in result["findings"]] == [f"{name}.invalid"]
    assert code == ExitCode.INCONCLUSIVE  # the small budget file's load metrics were not measured


def test_a_real_run_starts_correctness_stages_beside_a_measured_tail_and_run_json_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tail_started = threading.Event()

    def stage(ctx: StageContext) -> StageResult:
        if ctx.stage == "e2e":
            ctx.measured.set()
            assert tail_started.wait(10), "contracts did not start beside e2e's tail"
        elif ctx.stage == "contracts":
            tail_started.set()
        return ctx.result(status=Status.PASSED)

    _, err, run = _run(stage, tmp_path, monkeypatch, capsys, "--stages", "e2e,contracts,accessibility")
    meta = json.loads((run / "run.json").read_text())
    assert meta["schedule"] == [["e2e"], ["contracts", "accessibility"]] and meta["complete"] is True
    times = meta["stage_times"]
    assert times["contracts"]["beside"] == ["e2e"] and times["e2e"]["measured_s"] <= times["e2e"]["seconds"]
    e2e_end = _at(times["e2e"]["started_at"]) + times["e2e"]["seconds"]
    assert _at(times["contracts"]["started_at"]) < e2e_end <= _at(times["accessibility"]["started_at"]) + 0.01
    assert "beside" not in times["accessibility"], "it reads e2e's step audits: it started when e2e ended"
    assert "▶ contracts, beside e2e (done measuring), against" in err and "▶ accessibility against" in err


def _at(iso: str) -> float:
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# A `harness run` whose stages wait until cancelled, in a process of its own: Ctrl-C is a real SIGINT.
WAITING_STAGES = """
import os
import sys
from harness import cli
from stagekit import stages
from vocabulary.records import Status

def stage(ctx):
    ctx.measured.set()  # e2e: the stages after it that do not read it start beside it
    os.write(2, f"running {ctx.stage}\\n".encode())  # one write: the three threads' lines never interleave
    stopped = ctx.cancel.wait(30)
    # security stops quietly and says "passed" (its crawl just found no more pages): still incomplete.
    return ctx.result(status=Status.INCOMPLETE if stopped and ctx.stage != "security" else Status.PASSED)

stages.resolve = lambda name: stage
sys.exit(cli.main(sys.argv[1:]))
"""


def _interrupted_once_running(tmp_path: Path, run_stages: str) -> tuple[int, set[str], Path]:
    """``harness run --stages run_stages`` with `WAITING_STAGES`, sent SIGINT once three stages are running:
    its exit code, the stages that were running and the run folder."""
    with serve(Ok) as url:
        argv = ["run", "--target-url", url, "--stages", run_stages, "--out", str(tmp_path)]
        harness = subprocess.Popen(
            [sys.executable, "-c", WAITING_STAGES, *argv, "--budgets", str(SMALL)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert harness.stderr is not None
            running = {line.split()[1] for line in _lines(harness.stderr, 3, "running ")}
            harness.send_signal(signal.SIGINT)
            harness.wait(timeout=60)
        finally:
            harness.kill()
    return harness.returncode, running, (tmp_path / "latest").resolve()


def test_ctrl_c_stops_every_stage_of_a_group_and_the_run_stays_readable(tmp_path: Path) -> None:
    code, running, run = _interrupted_once_running(tmp_path, ",".join(CORRECTNESS))
    assert running == set(CORRECTNESS)
    assert code == ExitCode.INCONCLUSIVE
    assert {json.loads((run / f"{name}.json").read_text())["status"] for name in CORRECTNESS} == {"incomplete"}
    meta = json.loads((run / "run.json").read_text())
    note = "run interrupted during the contracts, security and accessibility stages"
    assert meta["complete"] is False and note in meta["notes"]
    assert all(times["seconds"] < 25 for times in meta["stage_times"].values()), "each stopped, none waited it out"
    assert json.loads((run / "verdict.json").read_text())["outcome"] == "inconclusive"


def test_ctrl_c_during_an_overlap_stops_the_timing_stage_and_the_stages_beside_it(tmp_path: Path) -> None:
    code, running, run = _interrupted_once_running(tmp_path, "e2e,contracts,security,accessibility")
    assert running == {"e2e", "contracts", "security"}
    assert code == ExitCode.INCONCLUSIVE
    assert {json.loads((run / f"{name}.json").read_text())["status"] for name in running} == {"incomplete"}
    meta = json.loads((run / "run.json").read_text())
    assert meta["schedule"] == [["e2e"], ["contracts", "security"]], "accessibility (after e2e) never started"
    assert meta["complete"] is False
    assert "run interrupted during the e2e, contracts and security stages" in meta["notes"]
    assert meta["stage_times"]["security"]["beside"] == ["e2e"]
    assert json.loads((run / "verdict.json").read_text())["outcome"] == "inconclusive"


def _lines(stream: IO[str], count: int, prefix: str) -> list[str]:
    """The first ``count`` lines of ``stream`` that start with ``prefix``."""
    found: list[str] = []
    for line in stream:
        if line.startswith(prefix):
            found.append(line)
            if len(found) == count:
                return found
    raise AssertionError(f"the harness ended before {count} lines {prefix!r}: {found}")
