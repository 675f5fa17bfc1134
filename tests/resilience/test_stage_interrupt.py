"""Ctrl-C or SIGTERM during each stage: the stage marked incomplete, an inconclusive verdict, exit code 2
within 10 s, and no orphan process (target, Schemathesis, pytest, Chromium). The load stage is covered
by tests/harness/test_interrupt.py."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.resilience.harness_process import alive, descendants, harness_run

# The slow-page fault keeps page-driven stages busy long enough to be interrupted mid-way. The tool
# named is awaited first, so the orphan check covers it (security runs no tool without ZAP).
CASES = [
    pytest.param("e2e", signal.SIGINT, "chromium", id="e2e-sigint"),
    pytest.param("contracts", signal.SIGTERM, "schemathesis", id="contracts-sigterm"),
    pytest.param("security", signal.SIGINT, "target_app", id="security-sigint"),
    pytest.param("accessibility", signal.SIGTERM, "chromium", id="accessibility-sigterm"),
]
RUNNING_S = 1.0


def _wait_for_tool(pid: int, tool: str, timeout_s: float) -> list[psutil.Process]:
    """The harness's descendants once one of them runs ``tool``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        children = descendants(pid)
        with contextlib.suppress(psutil.Error):
            if any(tool in " ".join(child.cmdline()) for child in children):
                return children
        time.sleep(0.2)
    raise AssertionError(f"no {tool} process below the harness within {timeout_s} s")


@pytest.mark.slow
@pytest.mark.parametrize(("stage", "sig", "tool"), CASES)
def test_interrupt_marks_the_stage_incomplete_and_leaves_no_process(
    tmp_path: Path, target_data_dir: Path, stage: str, sig: int, tool: str
) -> None:
    args = ["--stages", stage, "--faults", "slow-page", "--out", str(tmp_path)]
    with harness_run(args, {"HARNESS_TARGET_DATA_DIR": str(target_data_dir)}) as process:
        process.wait_for_line(f"▶ {stage}", timeout_s=90)
        _wait_for_tool(process.pid, tool, timeout_s=30)
        time.sleep(RUNNING_S)
        children = descendants(process.pid)
        assert process.popen.poll() is None, f"the {stage} stage ended before it could be interrupted"
        took = process.interrupt(sig)
    assert process.popen.returncode == 2
    assert took < 10, f"exit took {took:.1f} s"
    assert not alive(children), "orphans left behind"
    run = tmp_path / "latest"
    result = json.loads((run / f"{stage}.json").read_text())
    assert result["status"] == "incomplete"
    assert json.loads((run / "run.json").read_text())["complete"] is False
    verdict = json.loads((run / "verdict.json").read_text())
    assert verdict["outcome"] == "inconclusive"
    assert any("interrupted" in note for note in verdict["notes"])
