"""`harness gate` / `harness report` end to end on checked-in sample run directories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.runs import DATA, RunCli

SMALL = str(DATA / "budgets" / "small.toml")


@pytest.mark.parametrize(
    ("run", "code", "outcome"),
    [("pass", 0, "pass"), ("breach", 1, "breached"), ("missing_metric", 2, "inconclusive")],
)
def test_gate_exit_codes(run_cli: RunCli, sample_run: Callable[[str], Path], run: str, code: int, outcome: str) -> None:
    folder = sample_run(run)
    done = run_cli("gate", str(folder), "--budgets", SMALL)
    assert done.returncode == code, done.stdout + done.stderr
    verdict = json.loads((folder / "verdict.json").read_text())
    assert verdict["outcome"] == outcome
    assert verdict["exit_code"] == code
    assert (folder / "summary.md").is_file()


def test_breach_names_the_budget_and_values(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    folder = sample_run("breach")
    done = run_cli("gate", str(folder), "--budgets", SMALL)
    failed = [b for b in json.loads((folder / "verdict.json").read_text())["budgets"] if b["status"] == "fail"]
    assert {b["budget"] for b in failed} >= {"api_p95"}
    api = next(b for b in failed if b["budget"] == "api_p95")
    assert "Actual: 812.00 ms / Limit: 100.00 ms" in api["message"]
    assert "api_p95" in done.stdout


def test_missing_metric_is_inconclusive_not_passed(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    folder = sample_run("missing_metric")
    run_cli("gate", str(folder), "--budgets", SMALL)
    budgets = {b["budget"]: b for b in json.loads((folder / "verdict.json").read_text())["budgets"]}
    assert budgets["api_p95"]["status"] == "inconclusive"
    assert budgets["api_p95"]["observed"] is None


@pytest.mark.parametrize("bad", ["bad_key", "syntax_error", "bad_level"])
def test_bad_budget_file_is_a_usage_error(run_cli: RunCli, sample_run: Callable[[str], Path], bad: str) -> None:
    done = run_cli("gate", str(sample_run("pass")), "--budgets", str(DATA / "budgets" / f"{bad}.toml"))
    assert done.returncode == 4, done.stderr
    assert f"{bad}.toml:" in done.stderr


def test_report_rerenders_a_saved_run(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    folder = sample_run("breach")
    assert run_cli("gate", str(folder), "--budgets", SMALL).returncode == 1
    (folder / "summary.md").unlink()
    done = run_cli("report", str(folder))
    assert done.returncode == 0, done.stderr
    assert (folder / "summary.md").read_text().startswith("#")


def test_gate_on_a_folder_that_is_not_a_run(run_cli: RunCli, tmp_path: Path) -> None:
    done = run_cli("gate", str(tmp_path))
    assert done.returncode == 4
    assert "is not a run directory" in done.stderr
