"""The recorder plugin: workflow markers, named steps and the JSON sidecar, in a real pytest run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

TESTS = """
import pytest

@pytest.mark.workflow("upload")
def test_upload(step):
    with step("log in"):
        pass
    with step("submit upload"):
        assert 1 + 1 == 3, "the upload form answered 500"

@pytest.mark.workflow("login")
def test_login(step):
    with step("open login page"):
        pass

@pytest.mark.workflow("feedback")
def test_feedback(step):
    with step("open feedback page"):
        pass
"""


def run_pytest(tmp_path: Path, source: str, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    (tmp_path / "test_flows.py").write_text(source, encoding="utf-8")
    report = tmp_path / "sidecar.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "e2e.recorder",
        "-p",
        "no:cacheprovider",
        "-q",
        "-o",
        "addopts=",
        "--rootdir",
        str(tmp_path),
        str(tmp_path / "test_flows.py"),
        "--e2e-report",
        str(report),
        "--junitxml",
        str(tmp_path / "junit.xml"),
        *args,
    ]
    # Only the plugin under test: autoloading every installed plugin costs seconds per run.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    return done, report


def test_sidecar_names_the_workflow_and_the_failing_step(tmp_path: Path) -> None:
    done, report = run_pytest(tmp_path, TESTS, "--workflows", "upload,login")
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(report.read_text())
    assert data["finished"] is True
    assert data["selected"] == ["upload", "login"]
    by_flow = {t["workflow"]: t for t in data["tests"]}
    assert set(by_flow) == {"upload", "login"}, "feedback was not selected and must not run"
    upload = by_flow["upload"]
    assert upload["outcome"] == "failed"
    assert upload["failed_step"] == "submit upload"
    assert "the upload form answered 500" in upload["error"]
    assert [s["outcome"] for s in upload["steps"]] == ["passed", "failed"]
    assert by_flow["login"]["outcome"] == "passed" and by_flow["login"]["failed_step"] is None
    junit = (tmp_path / "junit.xml").read_text()
    assert 'name="failed_step" value="submit upload"' in junit
    assert 'name="workflow" value="upload"' in junit


def test_an_undeclared_step_fails_the_test(tmp_path: Path) -> None:
    source = TESTS.replace('step("open login page")', 'step("open the login pag")')
    _, report = run_pytest(tmp_path, source, "--workflows", "login")
    (login,) = json.loads(report.read_text())["tests"]
    assert login["outcome"] == "failed"
    assert "Did you mean 'open login page'?" in login["error"]


def test_an_unknown_workflow_is_a_usage_error(tmp_path: Path) -> None:
    done, _ = run_pytest(tmp_path, TESTS, "--workflows", "uplaod")
    assert done.returncode == 4
    assert "unknown workflow 'uplaod'. Did you mean 'upload'?" in done.stderr


def test_a_test_without_a_workflow_marker_is_refused(tmp_path: Path) -> None:
    done, _ = run_pytest(tmp_path, "def test_orphan():\n    pass\n")
    assert done.returncode == 4
    assert "mark it with exactly one @pytest.mark.workflow" in done.stderr
