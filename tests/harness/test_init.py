"""`harness init URL`: probe a running app, write a starter configuration, then `harness run` needs nothing more."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness import init
from tests.fixtures.runs import harness_cli
from tests.foreign_apps.fixtures import start_app
from vocabulary.errors import HarnessError

ROOT = Path(__file__).resolve().parents[2]


def harness(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return harness_cli(*args, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=900)


def test_probe_finds_the_swagger_document_and_the_pages(tmp_path: Path) -> None:
    with start_app("shelf", tmp_path) as app:
        found = init.probe(app.url)
    assert found.openapi == "/swagger.json"
    assert found.ready_path == "/" and found.metrics == {}
    assert "/" in found.pages and "/docs" in found.pages
    assert "contracts: Schemathesis on the OpenAPI document at /swagger.json" in init.plan(found)


def test_init_writes_into_an_existing_pyproject_once(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "notes"\n', encoding="utf-8")
    with start_app("notes", tmp_path) as app:
        found = init.probe(app.url)
    assert found.openapi is None and found.login_form is not None and found.login_page == "/login"
    written = init.write(found, tmp_path)
    assert written == [tmp_path / "pyproject.toml", tmp_path / init.BUDGETS_FILE]
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.harness.target]" in text and '# path = "/login"' in text
    with pytest.raises(HarnessError, match=r"already has a \[tool.harness\] table"):
        init.write(found, tmp_path)


@pytest.mark.slow
def test_run_right_after_init_has_no_inconclusive_budget(tmp_path: Path) -> None:
    with start_app("notes", tmp_path) as app:
        made = harness(tmp_path, "init", app.url)
        assert made.returncode == 0, made.stderr
        assert "contracts: not applicable (no OpenAPI document found)" in made.stdout
        run = harness(
            tmp_path,
            "run",
            "--out",
            "runs",
            "-o",
            "load.users=5",
            "-o",
            "load.duration_s=15",
        )
    verdict = json.loads((tmp_path / "runs" / "latest" / "verdict.json").read_text(encoding="utf-8"))
    inconclusive = [b["budget"] for b in verdict["budgets"] if b["status"] == "inconclusive"]
    assert inconclusive == [], run.stdout
    assert run.returncode == verdict["exit_code"] == 0, run.stdout + run.stderr
