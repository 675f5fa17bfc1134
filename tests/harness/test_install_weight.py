"""Install weight: `pip install release-harness` pulls no web framework; the bundled app's stack is the
``bundled-app`` extra, and asking for the bundled app without it is a usage error naming the extra."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from harness import cli
from stagekit.description import BUNDLED_APP_EXTRA, BUNDLED_APP_MODULES
from tests.harness.test_target_knowledge import ROOT, imported_modules

HARNESS = ("harness", "scenarios", "e2e", "contracts", "security", "accessibility", "perf_budgets", "reports")
APP_ONLY = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "python_multipart", "multipart", "websockets", "pyarrow"}
"""Imported by the bundled app only (or by nothing: pyarrow), so the harness's own dependencies leave them out."""


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {req.split("[")[0].split(">")[0].split("=")[0].strip().lower().replace("-", "_") for req in requirements}


def test_the_harness_imports_nothing_of_the_bundled_apps_stack() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for package in HARNESS
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] in APP_ONLY
    }
    assert offenders == set()


def test_the_web_stack_is_an_extra_not_a_dependency() -> None:
    project = _project()
    assert not _names(project["dependencies"]) & APP_ONLY
    extras = project["optional-dependencies"]
    assert isinstance(extras, dict)
    assert {"fastapi", "uvicorn", "sqlalchemy", "python_multipart"} <= _names(extras["bundled-app"])
    assert f"{project['name']}[bundled-app]" == BUNDLED_APP_EXTRA


@pytest.mark.parametrize("command", [["run", "--stages", "load"], ["target"]])
def test_the_bundled_app_without_its_extra_is_a_usage_error_naming_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sys.modules[name] = None`` is how Python itself marks a module as not importable."""
    monkeypatch.chdir(tmp_path)  # no configured target here
    monkeypatch.setitem(sys.modules, BUNDLED_APP_MODULES[0], None)
    assert cli.main(command) == 4
    err = capsys.readouterr().err
    assert f"pip install '{BUNDLED_APP_EXTRA}'" in err and BUNDLED_APP_MODULES[0] in err
    assert not (tmp_path / "harness-runs").exists() or not any((tmp_path / "harness-runs").iterdir())
