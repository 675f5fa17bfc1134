"""One value decides a run's outcome: the exit code, ``verdict.json``, ``summary.md``, JUnit and the
console's last line agree, over every combination of what can happen in a run (README "Exit codes").

Precedence: a measured breach is 1 whatever else happened (the missing measurements listed beside
it); else a usage error met mid-run 4; else a harness bug 3; else anything unmeasured (an
inconclusive budget, a stage error, a target crash) 2; else 0.
"""

from __future__ import annotations

import io
import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from harness import gate, pipeline
from harness.config import load_settings
from reports import format as fmt
from reports import junit, markdown
from reports.registry import RunView
from reports.terminal import print_verdict
from stagekit.description import TargetDescription
from tests.fixtures.runs import DATA
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.exit_codes import ExitCode
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

SMALL = DATA / "budgets" / "small.toml"
EVENTS = ("breach", "inconclusive", "stage_error", "harness_bug", "usage_error", "target_crash")
CRASH_NOTE = "the target exited (code 70) during the load stage; see target.log; not run: contracts"


def expected(events: set[str]) -> ExitCode:
    """The precedence, written out once more (the implementation is `perf_budgets.verdict.decide`)."""
    if "breach" in events:
        return ExitCode.BREACHED
    if "usage_error" in events:
        return ExitCode.USAGE_ERROR
    if "harness_bug" in events:
        return ExitCode.HARNESS_ERROR
    if events & {"inconclusive", "stage_error", "target_crash"}:
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK


def _load(events: set[str]) -> StageResult:
    """The sample run's load result: p95 breached or met, error ratio measured or not."""
    result = StageResult.from_dict(json.loads((DATA / "runs" / "pass" / "load.json").read_text()))
    result.metrics["load.http.p95_ms"] = 812.0 if "breach" in events else 40.0
    if "inconclusive" in events:
        del result.metrics["load.http.error_ratio"]
    return result


def _run(tmp_path: Path, events: set[str]) -> pipeline.Finished:
    """A finished `harness run` in which ``events`` happened, recorded and judged as the pipeline does."""
    flags = {"out": tmp_path / "runs", "budgets": SMALL, "stages": "load,contracts"}
    settings = load_settings(flags, cwd=tmp_path, environ={})
    checked = pipeline.Checked(settings, gate.load_inputs(SMALL, None, None), TargetDescription(source="test"))
    prepared = pipeline.create_run_dir(checked)
    prepared.run.write_result(_load(events))
    errors: list[HarnessError] = []
    if "stage_error" in events:
        error = HarnessError(ErrorKind.STAGE, "cannot fetch the OpenAPI document")
        errors.append(error)
        prepared.run.write_result(
            StageResult("contracts", Status.ERROR, "http://127.0.0.1:1", "smoke", error=error.render())
        )
    if "harness_bug" in events:
        errors.append(HarnessError(ErrorKind.INTERNAL, "e2e stage crashed: KeyError('x')"))
    if "usage_error" in events:
        errors.append(HarnessError(ErrorKind.USAGE, "the locustfile missing.py does not exist"))
    stopped = (CRASH_NOTE,) if "target_crash" in events else ()
    staged = pipeline.Staged(stopped=stopped, errors=tuple(errors))
    pipeline.record(prepared, staged)
    return pipeline.judge(prepared, staged)


COMBINATIONS = [set(c) for n in range(len(EVENTS) + 1) for c in itertools.combinations(EVENTS, n)]


@pytest.mark.parametrize("events", COMBINATIONS, ids=lambda e: "+".join(sorted(e)) or "clean")
def test_every_output_tells_the_same_outcome(tmp_path: Path, events: set[str]) -> None:
    finished = _run(tmp_path, events)
    assert finished.verdict is not None
    want = expected(events)
    assert pipeline.exit_code(finished) is want
    saved = json.loads((finished.run.path / "verdict.json").read_text())
    assert saved["exit_code"] == want and saved["outcome"] == finished.verdict.outcome.value
    view = RunView.load(finished.run.path)
    assert view.verdict.exit_code is want, "verdict.json read back gives the same code"
    summary = markdown.render_text(view)
    assert summary.startswith(f"## Release budgets: {saved['outcome']}\n")
    assert fmt.outcome_words(view.verdict) in summary
    suites = ET.fromstring(junit.render_xml(view))
    assert {p.get("value") for p in suites.iter("property") if p.get("name") == "outcome"} <= {saved["outcome"]}
    console = Console(file=io.StringIO(), width=200)
    print_verdict(view.verdict, None, console)
    last = console.file.getvalue().strip().splitlines()[-1]  # type: ignore[attr-defined]
    assert last == fmt.outcome_words(view.verdict)
    if "breach" in events and events - {"breach"}:
        # What was not measured, and why, is listed beside the breach.
        assert "Breached" in last and (saved["notes"] or saved["counts"]["inconclusive"])
    if "target_crash" in events:
        meta = json.loads((finished.run.path / "run.json").read_text())
        assert CRASH_NOTE in saved["notes"] and meta["complete"] is False
    if want in (ExitCode.HARNESS_ERROR, ExitCode.USAGE_ERROR):
        assert f"(exit {int(want)})" in last
        assert suites.find("testsuite[@name='harness']/testcase/error") is not None


def test_a_harness_error_never_hides_a_breach_and_is_still_reported(tmp_path: Path) -> None:
    finished = _run(tmp_path, {"breach", "harness_bug"})
    assert finished.verdict is not None
    assert finished.verdict.exit_code is ExitCode.BREACHED
    assert [e.code for e in finished.verdict.errors] == [ExitCode.HARNESS_ERROR]
    assert "error: e2e stage crashed: KeyError('x')" in finished.verdict.notes
    regated = RunDir(tmp_path / "regate")
    regated.path.mkdir()
    again = gate.judge(finished.run, gate.load_inputs(SMALL, None, None), out=regated.path)
    assert again.exit_code is ExitCode.BREACHED and again.errors == finished.verdict.errors, "a re-gate keeps them"
