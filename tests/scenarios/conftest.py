"""Run the real load stage (a Locust subprocess) against the real bundled app on loopback; CPU hogs beside it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scenarios import stage
from stagekit.stages import StageContext
from tests.fixtures.target import bundled_info
from vocabulary.records import StageResult
from vocabulary.rundir import RunDir

RunLoad = Callable[..., StageResult]

SHORT = {"duration_s": 18}
"""The smoke shape a little shorter: still dense enough that rare errors (1 in 50) show up and
the target's cache reaches its steady state after the warm-up."""


def load_context(
    url: str, run_dir: Path, *, profile: str = "smoke", faults: tuple[str, ...] = (), **options: Any
) -> StageContext:
    """A stage context for the bundled app on a fresh run directory, with the short test options."""
    run_dir.mkdir(parents=True, exist_ok=True)
    return StageContext(
        stage="load",
        profile=profile,
        target=bundled_info(url, faults),
        openapi=f"{url}/openapi.json",
        run_dir=run_dir,
        artifacts=RunDir(run_dir).artifacts("load"),
        options={**SHORT, **options},
    )


def run_load(url: str, run_dir: Path, **kwargs: Any) -> StageResult:
    """The load stage's `run`; the result is also written (validated) into the run directory."""
    result = stage.run(load_context(url, run_dir, **kwargs))
    RunDir(run_dir).write_result(result)
    return result


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder shared by one test module's runs."""
    return tmp_path_factory.mktemp("load")


@contextlib.contextmanager
def cpu_hogs(processes: int = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Real CPU-bound processes (busy neighbours) for the duration of the block, always killed."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
