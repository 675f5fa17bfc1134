"""How a team's test folder is handed to pytest: with its own configuration, and nothing above it.

pytest looks for its configuration from the test folder upwards, to the root of the file system.
The harness does the same but stops at the project (the folder of the target description): a
``pytest.ini``, ``pyproject.toml`` ... between the test folder and the project root is the tests'
own configuration and is passed with ``-c``; one further up belongs to something else (the harness's
own checkout, a parent monorepo) and is kept out, with conftest files above the test folder.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from stagekit.imports import own_module
from vocabulary.errors import ErrorKind, HarnessError

_CONFIG_FILES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
"""The files pytest reads its configuration from, in its order of precedence within a folder."""
_PLUGIN_PACKAGES = ("e2e", "accessibility", "stagekit", "vocabulary")
_HARNESS_PACKAGES = tuple(dict.fromkeys(own_module(name).split(".")[0] for name in _PLUGIN_PACKAGES))
"""Top-level packages the harness's pytest plugins import into the tests' process (one, `release_harness`,
in an installed wheel)."""


def pytest_config_args(tests: Path, project: Path) -> list[str]:
    """``-c``, ``--rootdir`` (and ``--confcutdir``) for running ``tests`` as its project would."""
    config = find_config(tests, project)
    if config is None:
        # No configuration of its own: an empty one, and no conftest from above the folder.
        return ["-c", os.devnull, "--rootdir", str(tests), "--confcutdir", str(tests)]
    return ["-c", str(config), "--rootdir", str(config.parent)]


def find_config(tests: Path, project: Path) -> Path | None:
    """The file pytest would read for ``tests``, looking upwards no further than ``project``."""
    last = project if tests.is_relative_to(project) else tests
    for folder in (tests, *tests.parents):
        for name in _CONFIG_FILES:
            if _configures_pytest(folder / name):
                return folder / name
        if folder == last:
            return None
    return None


def _configures_pytest(path: Path) -> bool:
    """True for a file pytest takes its configuration from (pytest's own files count even when empty)."""
    if not path.is_file():
        return False
    if path.name in ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini"):
        return True
    if path.suffix == ".toml":
        with path.open("rb") as stream:
            return "pytest" in tomllib.load(stream).get("tool", {})
    section = "[tool:pytest]" if path.name == "setup.cfg" else "[pytest]"
    return any(line.strip() == section for line in path.read_text(encoding="utf-8").splitlines())


def check_importable(tests: Path) -> None:
    """Refuse a test folder whose Python package would shadow one of the harness's own.

    pytest imports ``e2e/conftest.py`` of a folder with an ``__init__.py`` as ``e2e.conftest``:
    with the harness's ``e2e`` package already loaded, that import cannot find the tests' module.
    """
    top = tests
    while (top.parent / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    if (tests / "__init__.py").is_file() and top.name in _HARNESS_PACKAGES:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"the Playwright test folder {tests} is a Python package named {top.name!r}, like one of the "
            "harness's own packages: pytest could not import its modules under the harness",
            tip=f"delete {top / '__init__.py'} (pytest does not need it) or rename the folder",
        )
