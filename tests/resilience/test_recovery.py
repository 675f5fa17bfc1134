"""The resilience profile kills the bundled target under load and measures its way back; a target that
crashes with nobody to restart it breaks the availability budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from perf_budgets.evaluator import evaluate
from perf_budgets.loader import SHIPPED, load_budgets
from perf_budgets.verdict import BudgetStatus
from tests.fixtures.runs import REPO
from vocabulary.records import StageResult

SHORT_LOAD = ["--stages", "load", "-o", "load.users=5"]


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """`harness run` to completion; its exit code, load.json and verdict.json."""
    done = subprocess.run(
        [sys.executable, "-m", "harness", "run", "--out", str(tmp_path), *SHORT_LOAD, *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    run = tmp_path / "latest"
    assert (run / "verdict.json").is_file(), done.stderr
    load = json.loads((run / "load.json").read_text())
    return done.returncode, load, json.loads((run / "verdict.json").read_text())


def _budget(verdict: dict[str, Any], name: str) -> dict[str, Any]:
    return next(b for b in verdict["budgets"] if b["budget"] == name)


@pytest.mark.slow
def test_resilience_profile_measures_recovery_after_a_restart(tmp_path: Path, target_data_dir: Path) -> None:
    env = {"HARNESS_TARGET_DATA_DIR": str(target_data_dir)}
    _, load, verdict = _run(tmp_path, env, "--profile", "resilience", "-o", "load.duration_s=24")
    restart = load["details"]["restart"]
    assert restart["error"] is None and restart["recovered_at"] > restart["injected_at"]
    metrics = load["metrics"]
    assert 0 < metrics["load.recovery_s"] < 30
    assert metrics["load.recovery.errors"] >= 0
    # The availability probe asks once a second: an outage shorter than that (a restart from compiled
    # bytecode can be) may fall between two probes; a longer one it must see.
    # (test_a_crash_nobody_restarts_breaks_the_availability_budget proves it sees a lasting one.)
    if restart["recovered_at"] - restart["injected_at"] > 2.0:
        assert metrics["load.availability.longest_outage_s"] > 0, "the probe saw the outage"
        assert metrics["load.availability.ratio"] < 1
    recovery = _budget(verdict, "recovery")
    assert recovery["status"] == "pass", recovery["message"]
    # The deliberate outage is reported, but only the recovery budget gates a resilience run.
    assert _budget(verdict, "availability")["level"] == "warn"
    assert "load.db.query_p95_ms" in metrics, "server figures are taken up to the kill, not across the restart"


@pytest.mark.slow
def test_a_crash_nobody_restarts_breaks_the_availability_budget(tmp_path: Path, target_data_dir: Path) -> None:
    env = {"HARNESS_TARGET_DATA_DIR": str(target_data_dir), "TARGET_CRASH_AFTER_S": "8"}
    code, load, verdict = _run(tmp_path, env, "--faults", "crash", "-o", "load.duration_s=16")
    assert "restart" not in load["details"], "only the resilience profile restarts the target"
    assert load["metrics"]["load.availability.ratio"] < 0.999
    availability = _budget(verdict, "availability")
    assert availability["status"] == "fail", availability["message"]
    assert code == 1 and verdict["outcome"] == "breached"


# The shipped recovery budget is 5 min; a test cannot wait that long, so the same budget file with
# the limit cut to 3 s judges a target whose restart "recovers" for 6 s (slow-restart fault).
TIGHT_RECOVERY = """
[profiles.resilience.budgets.recovery]
max = 3
"""


@pytest.mark.slow
def test_a_slow_restart_breaks_the_recovery_budget(tmp_path: Path, target_data_dir: Path) -> None:
    budgets = tmp_path / "budgets" / "budgets.toml"
    budgets.parent.mkdir()
    budgets.write_text(SHIPPED.read_text(encoding="utf-8") + TIGHT_RECOVERY, encoding="utf-8")
    env = {"HARNESS_TARGET_DATA_DIR": str(target_data_dir), "TARGET_RESTART_DELAY_S": "6"}
    code, load, verdict = _run(
        tmp_path / "runs",
        env,
        "--profile",
        "resilience",
        "--faults",
        "slow-restart",
        "--known-failures",
        str(SHIPPED.with_name("known-failures.toml")),
        "--budgets",
        str(budgets),
        "-o",
        "load.duration_s=12",  # the kill comes after every user logged in (a failed login voids the run)
    )
    assert load["metrics"]["load.recovery_s"] >= 6
    recovery = _budget(verdict, "recovery")
    assert recovery["status"] == "fail" and "load.recovery_s" in recovery["message"], recovery["message"]
    assert code == 1 and verdict["outcome"] == "breached"
    # The same run judged by the shipped file (300 s) differs in exactly that budget: recovery passes.
    shipped = evaluate(load_budgets(), "resilience", {"load": StageResult.from_dict(load)}, stages=["load"])
    shipped_failed = {b.budget for b in shipped.budgets if b.status is BudgetStatus.FAIL}
    assert {b["budget"] for b in verdict["budgets"] if b["status"] == "fail"} - shipped_failed == {"recovery"}
    assert next(b for b in shipped.budgets if b.budget == "recovery").status is BudgetStatus.PASS
