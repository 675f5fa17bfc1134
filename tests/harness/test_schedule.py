"""Stages overlap where it is honest: a stage that measures timing (load, e2e) runs alone, the stages
that judge correctness run at once after the stages whose artifacts they read; run.json says what ran
at once and when, Ctrl-C stops every stage of a group, and what each stage blocked stays its own.

The plans are pure; the runs are real in-process `harness run`s against a loopback server, with
stand-in stage runners."""

from __future__ import annotations

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
from harness.schedule import plan
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


# A `harness run` whose stages wait until cancelled, in a process of its own: Ctrl-C is a real SIGINT.
WAITING_STAGES = """
import os
import sys
from harness import cli
from stagekit import stages
from vocabulary.records import Status

def stage(ctx):
    os.write(2, f"running {ctx.stage}\\n".encode())  # one write: the three threads' lines never interleave
    stopped = ctx.cancel.wait(30)
    # security stops quietly and says "passed" (its crawl just found no more pages): still incomplete.
    return ctx.result(status=Status.INCOMPLETE if stopped and ctx.stage != "security" else Status.PASSED)

stages.resolve = lambda name: stage
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_stops_every_stage_of_a_group_and_the_run_stays_readable(tmp_path: Path) -> None:
    with serve(Ok) as url:
        argv = ["run", "--target-url", url, "--stages", ",".join(CORRECTNESS), "--out", str(tmp_path)]
        harness = subprocess.Popen(
            [sys.executable, "-c", WAITING_STAGES, *argv, "--budgets", str(SMALL)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert harness.stderr is not None
            running = {line.split()[1] for line in _lines(harness.stderr, 3, "running ")}
            assert running == set(CORRECTNESS)
            harness.send_signal(signal.SIGINT)
            harness.wait(timeout=60)
        finally:
            harness.kill()
    assert harness.returncode == ExitCode.INCONCLUSIVE
    run = (tmp_path / "latest").resolve()
    assert {json.loads((run / f"{name}.json").read_text())["status"] for name in CORRECTNESS} == {"incomplete"}
    meta = json.loads((run / "run.json").read_text())
    note = "run interrupted during the contracts, security and accessibility stages"
    assert meta["complete"] is False and note in meta["notes"]
    assert all(times["seconds"] < 25 for times in meta["stage_times"].values()), "each stopped, none waited it out"
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
