"""The recorder plugin: workflow markers, named steps and the JSON sidecar, in a real pytest run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


BROWSER_TESTS = """
import pytest

from harness.browser import find_browser

IMG = "<html lang='en'><title>t</title><main><h1>x</h1><img src='a.png'></main></html>"
FRAME = IMG.replace("<img src='a.png'>", "<iframe title='f' srcdoc='<input id=field>'></iframe>")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **find_browser().launch_kwargs()}


@pytest.mark.workflow("share")
def test_share(page, step):
    with step("open model"):
        page.set_content(IMG)
    with step("share"):
        pass
    with step("see share link"):
        page.set_content(FRAME)


@pytest.mark.workflow("download")
def test_download(page, step):
    with step("open model"):
        page.set_content(IMG)
    with step("download"):
        assert False, "the download failed"
"""


@pytest.mark.slow
def test_a11y_steps_audit_each_passing_step_once_per_state(tmp_path: Path) -> None:
    out = tmp_path / "a11y"
    plugins = ("-p", "pytest_playwright.pytest_playwright", "--a11y-steps", str(out), "--workflows", "share,download")
    done, report = run_pytest(tmp_path, BROWSER_TESTS, *plugins)
    assert done.returncode == 1, done.stdout + done.stderr
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))
    # The failed step is not audited; the unchanged page after "share" is not audited again.
    assert files == [
        "download/01-open-model.json",
        *(f"share/0{n}.json" for n in ("1-open-model", "2-share", "3-see-share-link")),
    ]
    first, repeat, framed = (json.loads((out / f).read_text()) for f in files[1:])
    assert (first["name"], first["workflow"], first["step"]) == ("share/open model", "share", "open model")
    assert [v["id"] for v in first["axe"]["violations"]] == ["image-alt"]
    assert repeat == {**repeat, "same_as": "share/01-open-model.json"} and "axe" not in repeat
    assert json.loads((out / files[0]).read_text())["same_as"] == "share/01-open-model.json"
    labels = [v for v in framed["axe"]["violations"] if v["id"] == "label"]
    assert labels and labels[0]["nodes"][0]["target"] == ["iframe", "#field"], "the iframe was not audited"
    steps = {t["workflow"]: t["steps"] for t in json.loads(report.read_text())["tests"]}
    assert [("a11y_s" in s) for s in steps["download"]] == [True, False]
