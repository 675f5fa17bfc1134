"""Which pytest configuration a team's test folder runs with: its own, never one above its project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.userconfig import check_importable, find_config, pytest_config_args
from vocabulary.errors import HarnessError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``<tmp>/outer/project/e2e``, with a pytest configuration above the project."""
    (tmp_path / "outer" / "project" / "e2e").mkdir(parents=True)
    (tmp_path / "outer" / "pytest.ini").write_text("[pytest]\naddopts = -p no:playwright\n")
    return tmp_path / "outer" / "project"


def test_a_configuration_above_the_project_is_not_the_tests(project: Path) -> None:
    tests = project / "e2e"
    assert find_config(tests, project) is None
    assert pytest_config_args(tests, project) == ["-c", os.devnull, "--rootdir", str(tests), "--confcutdir", str(tests)]


def test_the_nearest_file_that_configures_pytest_wins(project: Path) -> None:
    tests = project / "e2e"
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (project / "tox.ini").write_text("[tox]\nenv_list = py\n")
    assert find_config(tests, project) is None, "neither file configures pytest"
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-ra'\n")
    assert pytest_config_args(tests, project) == ["-c", str(project / "pyproject.toml"), "--rootdir", str(project)]
    (tests / "setup.cfg").write_text("[tool:pytest]\nxfail_strict = true\n")
    assert find_config(tests, project) == tests / "setup.cfg"
    (tests / "pytest.ini").write_text("")
    assert find_config(tests, project) == tests / "pytest.ini", "pytest.ini counts even when empty"


def test_a_test_folder_outside_the_project_looks_in_itself_only(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "outer" / "elsewhere"
    elsewhere.mkdir()
    assert find_config(elsewhere, project) is None


def test_a_test_package_named_like_a_harness_package_is_refused(tmp_path: Path) -> None:
    tests = tmp_path / "e2e"
    tests.mkdir()
    check_importable(tests)  # no __init__.py: its modules import as conftest, test_x ...
    (tests / "__init__.py").write_text("")
    with pytest.raises(HarnessError, match="a Python package named 'e2e'") as raised:
        check_importable(tests)
    assert raised.value.tip is not None and "__init__.py" in raised.value.tip
    (tmp_path / "__init__.py").write_text("")
    check_importable(tests)  # now the package is <tmp>.e2e, under another top-level name
