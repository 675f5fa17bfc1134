"""`harness gate` / `harness report` end to end on checked-in sample run directories."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import gate
from reports import write_all
from tests.fixtures.runs import DATA, RunCli
from vocabulary.rundir import RunDir

SMALL = str(DATA / "budgets" / "small.toml")


def _regate(run_cli: RunCli, folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`harness gate FOLDER --out <FOLDER>.regated ...`; the result and the re-gate folder."""
    out = folder.with_name(f"{folder.name}.regated")
    return run_cli("gate", str(folder), "--out", str(out), *args), out


@pytest.mark.parametrize(
    ("run", "code", "outcome"),
    [("pass", 0, "pass"), ("breach", 1, "breached"), ("missing_metric", 2, "inconclusive")],
)
def test_gate_exit_codes(run_cli: RunCli, sample_run: Callable[[str], Path], run: str, code: int, outcome: str) -> None:
    done, out = _regate(run_cli, sample_run(run), "--budgets", SMALL)
    assert done.returncode == code, done.stdout + done.stderr
    verdict = json.loads((out / "verdict.json").read_text())
    assert verdict["outcome"] == outcome
    assert verdict["exit_code"] == code
    assert (out / "summary.md").is_file()


def test_breach_names_the_budget_and_values(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    done, out = _regate(run_cli, sample_run("breach"), "--budgets", SMALL)
    failed = [b for b in json.loads((out / "verdict.json").read_text())["budgets"] if b["status"] == "fail"]
    assert {b["budget"] for b in failed} >= {"api_p95"}
    api = next(b for b in failed if b["budget"] == "api_p95")
    assert "Actual: 812.00 ms / Limit: 100.00 ms" in api["message"]
    assert "api_p95" in done.stdout


def test_missing_metric_is_inconclusive_not_passed(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    _, out = _regate(run_cli, sample_run("missing_metric"), "--budgets", SMALL)
    budgets = {b["budget"]: b for b in json.loads((out / "verdict.json").read_text())["budgets"]}
    assert budgets["api_p95"]["status"] == "inconclusive"
    assert budgets["api_p95"]["observed"] is None


@pytest.mark.parametrize("bad", ["bad_key", "syntax_error", "bad_level"])
def test_bad_budget_file_is_a_usage_error(run_cli: RunCli, sample_run: Callable[[str], Path], bad: str) -> None:
    done = run_cli("gate", str(sample_run("pass")), "--budgets", str(DATA / "budgets" / f"{bad}.toml"))
    assert done.returncode == 4, done.stderr
    assert f"{bad}.toml:" in done.stderr


def test_report_rerenders_a_saved_run(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    done, out = _regate(run_cli, sample_run("breach"), "--budgets", SMALL)
    assert done.returncode == 1
    (out / "summary.md").unlink()
    done = run_cli("report", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "summary.md").read_text().startswith("#")


def test_gate_on_a_folder_that_is_not_a_run(run_cli: RunCli, tmp_path: Path) -> None:
    done = run_cli("gate", str(tmp_path))
    assert done.returncode == 4
    assert "is not a run directory" in done.stderr


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the SHA-256 of its bytes."""
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest() for f in folder.rglob("*") if f.is_file()
    }


def test_regate_leaves_the_saved_run_byte_for_byte(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    """A re-gate with another budget file writes beside the run (default name) and changes nothing in it."""
    folder = sample_run("breach")
    gate.judge(RunDir(folder), gate.load_inputs(Path(SMALL), None, None))  # the run as `harness run` left it
    write_all(folder)
    before = _fingerprint(folder)
    assert {"verdict.json", "summary.md", "report.html", "junit.xml"} <= set(before)
    done = run_cli("gate", str(folder))  # the shipped budgets this time
    assert _fingerprint(folder) == before
    [regate] = folder.parent.glob(f"{folder.name}.regate-*")
    assert {"verdict.json", "summary.md", "report.html", "junit.xml", "regate.json"} <= {
        p.name for p in regate.iterdir()
    }
    assert json.loads((regate / "verdict.json").read_text())["exit_code"] == done.returncode
    assert json.loads((regate / "regate.json").read_text())["run"] == f"../{folder.name}"
    assert str(regate / "report.html") in done.stdout.replace("\n", "")


def test_regate_of_a_regate_judges_the_run_again(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    folder = sample_run("breach")
    _, out = _regate(run_cli, folder, "--budgets", SMALL)
    before = _fingerprint(out)
    again = out.with_name("again")
    done = run_cli("gate", str(out), "--budgets", SMALL, "--out", str(again))
    assert done.returncode == 1, done.stderr
    assert _fingerprint(out) == before
    assert json.loads((again / "regate.json").read_text())["run"] == f"../{folder.name}"


@pytest.mark.parametrize("inside", [".", "sub"])
def test_regate_refuses_to_write_into_the_run(run_cli: RunCli, sample_run: Callable[[str], Path], inside: str) -> None:
    folder = sample_run("pass")
    before = _fingerprint(folder)
    done = run_cli("gate", str(folder), "--out", str(folder / inside))
    assert done.returncode == 4 and "never changes the saved run" in done.stderr, done.stderr
    assert _fingerprint(folder) == before and not (folder / "sub").exists()


def test_regate_report_links_the_runs_artifacts(run_cli: RunCli, sample_run: Callable[[str], Path]) -> None:
    """The re-gate's report.html points at the raw artifacts that stay in the run folder."""
    folder = sample_run("breach")
    load = json.loads((folder / "load.json").read_text())
    load["artifacts"] = {"locust_html": "load/locust.html"}
    (folder / "load.json").write_text(json.dumps(load))
    _, out = _regate(run_cli, folder, "--budgets", SMALL)
    assert f'href="../{folder.name}/load/locust.html"' in (out / "report.html").read_text()
