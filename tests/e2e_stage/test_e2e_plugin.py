"""The harness's pytest plugin on test files written the way a team writes them (no harness import).

Each run is a real pytest subprocess with ``-p e2e.plugin``, as the stage starts it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accessibility.steps import folder_name
from stagekit.auth import Credentials

REPO = Path(__file__).resolve().parents[2]

TESTS = '''
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("the fixture could not start")


def test_upload(step):
    """Upload a model."""
    with step("log in"):
        pass
    with step("submit upload"):
        assert 1 + 1 == 3, "the upload form answered 500"


def test_plain():
    assert True


def test_fails_outside_steps():
    assert False, "no step was named"


def test_setup_error(broken):
    pass


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
'''


def run_pytest(
    tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, object]]]:
    """pytest on one test file with the plugin; the sidecar's records by test name."""
    (tmp_path / "test_flows.py").write_text(source, encoding="utf-8")
    report = tmp_path / "sidecar.json"
    command = [sys.executable, "-P", "-m", "pytest", str(tmp_path), "-c", os.devnull, "--rootdir", str(tmp_path)]
    command += ["-p", "playwright", "-p", "e2e.plugin", "-p", "no:cacheprovider", "--e2e-report", str(report)]
    command += ["--junitxml", str(tmp_path / "junit.xml"), *args]
    # Only the plugins named: autoloading every installed plugin costs seconds per run.
    environ = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})}
    done = subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120, check=False)
    tests = json.loads(report.read_text())["tests"] if report.exists() else []
    return done, {str(t["nodeid"]).partition("::")[2]: t for t in tests}


OBSERVER = """
import json
import pytest


@pytest.hookimpl(optionalhook=True)
def pytest_harness_step(item, index, name, pages):
    with open("observed.jsonl", "a") as out:
        out.write(json.dumps([item.name, index, name, len(pages)]) + "\\n")
"""
"""A step observer of some plugin stage: the e2e plugin knows it only by the ``-p`` the stage passes."""


def test_each_test_is_a_workflow_with_the_step_it_failed_at_and_its_passing_steps_observed(tmp_path: Path) -> None:
    (tmp_path / "step_observer.py").write_text(OBSERVER, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH", "")) if p)
    done, tests = run_pytest(tmp_path, TESTS, "-p", "step_observer", env={"PYTHONPATH": path})
    assert done.returncode == 1, done.stdout + done.stderr
    assert tests["test_upload"]["nodeid"] == "test_flows.py::test_upload"
    assert tests["test_upload"]["name"] == "Upload a model."
    assert tests["test_upload"]["outcome"] == "failed"
    assert tests["test_upload"]["failed_step"] == "submit upload"
    assert "the upload form answered 500" in str(tests["test_upload"]["error"])
    assert [s["outcome"] for s in tests["test_upload"]["steps"]] == ["passed", "failed"]  # type: ignore[union-attr]
    assert (tests["test_plain"]["outcome"], tests["test_plain"]["failed_step"]) == ("passed", None)
    assert (tests["test_fails_outside_steps"]["outcome"], tests["test_fails_outside_steps"]["failed_step"]) == (
        "failed",
        None,
    )
    assert (tests["test_setup_error"]["outcome"], tests["test_setup_error"]["failed_step"]) == ("error", "setup")
    assert tests["test_skipped"]["outcome"] == "skipped"
    assert 'name="failed_step" value="submit upload"' in (tmp_path / "junit.xml").read_text()
    observed = [json.loads(line) for line in (tmp_path / "observed.jsonl").read_text().splitlines()]
    assert observed == [["test_upload", 1, "log in", 0]]  # passing steps only; no page, no tab
    assert "observers_s" in tests["test_upload"]["steps"][0]  # type: ignore[index]


BROWSER_TESTS = """
import pytest
from playwright.sync_api import Error

IMG = "<html lang='en'><title>t</title><main><h1>x</h1><img src='a.png'></main></html>"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # The team's own launch flags replace the harness's: the browser must stay confined anyway.
    return {**browser_type_launch_args, "args": ["--no-sandbox", "--disable-gpu"]}


FRAME = IMG.replace("<img src='a.png'>", "<iframe title='f' srcdoc='<input id=field>'></iframe>")


def test_share(page, step):
    with step("open model"):
        page.set_content(IMG)
    with step("share"):
        pass
    with step("see share link"):
        page.set_content(FRAME)


def test_download(page, step):
    with step("open model"):
        page.set_content(IMG)
    with step("download"):
        assert False, "the download failed"


def test_signed_in(context, harness_auth):
    assert {c["name"]: c["value"] for c in context.cookies()} == {"sid": "s3cret"}


def test_not_signed_in_unless_asked(context):
    assert context.cookies() == []


def test_only_the_target_is_reachable(page):
    # TEST-NET-1: never reachable; the harness's proxy answers 403 without connecting anywhere (the full
    # browser shows it as an error page, the headless shell as the 403 itself).
    try:
        response = page.goto("http://192.0.2.1:8080/")
    except Error as exc:
        assert "ERR_HTTP_RESPONSE_CODE_FAILURE" in exc.message
    else:
        assert response.status == 403
"""


@pytest.mark.slow
def test_step_audits_sign_in_on_request_and_a_browser_that_reaches_the_target_only(tmp_path: Path) -> None:
    out = tmp_path / "a11y"
    credentials = Credentials(cookies={"sid": "s3cret"}).to_env()
    args = ("-p", "accessibility.steps", "--a11y-steps", str(out), "--base-url", "http://127.0.0.1:9")
    done, tests = run_pytest(tmp_path, BROWSER_TESTS, *args, env=credentials)
    assert done.returncode == 1, done.stdout + done.stderr
    outcomes = {name: test["outcome"] for name, test in tests.items()}
    assert outcomes == {
        "test_share[chromium]": "passed",
        "test_download[chromium]": "failed",
        "test_signed_in[chromium]": "passed",
        "test_not_signed_in_unless_asked[chromium]": "passed",
        "test_only_the_target_is_reachable[chromium]": "passed",
    }
    share, download = (folder_name(f"test_flows.py::{name}[chromium]") for name in ("test_share", "test_download"))
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))
    # The failed step is not audited; the unchanged page after "share" is not audited again.
    assert files == [
        f"{download}/01-open-model.json",
        *(f"{share}/0{n}.json" for n in ("1-open-model", "2-share", "3-see-share-link")),
    ]
    first, repeat, framed = (json.loads((out / f).read_text()) for f in files[1:])
    assert first["name"] == "test_flows.py::test_share[chromium]/open model"
    assert (first["workflow"], first["step"]) == ("test_flows.py::test_share[chromium]", "open model")
    assert [v["id"] for v in first["axe"]["violations"]] == ["image-alt"]
    assert repeat == {**repeat, "same_as": f"{share}/01-open-model.json"} and "axe" not in repeat
    labels = [v for v in framed["axe"]["violations"] if v["id"] == "label"]
    assert labels and labels[0]["nodes"][0]["target"] == ["iframe", "#field"], "the iframe was not audited"
    steps = tests["test_download[chromium]"]["steps"]
    assert [("observers_s" in s) for s in steps] == [True, False]  # type: ignore[union-attr]


def test_harness_auth_without_credentials_fails_the_test_that_asks(tmp_path: Path) -> None:
    # No browser starts: the fixture fails before it asks for the browser context.
    done, tests = run_pytest(tmp_path, "def test_wants_auth(harness_auth):\n    pass\n")
    assert done.returncode == 1
    (test,) = tests.values()
    assert "the harness handed over no credentials" in str(test["error"])
