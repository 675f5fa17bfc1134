"""Run the real load stage (a Locust subprocess) against the real bundled app on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.records import StageResult
from harness.rundir import RunDir
from harness.stages import StageContext, TargetInfo
from scenarios import stage

RunLoad = Callable[..., StageResult]

SHORT = {"duration_s": 8, "users": 12, "think_scale": 0.25}
"""A few seconds of the smoke shape, dense enough that rare errors (2 %) show up."""


def run_load(url: str, run_dir: Path, *, profile: str = "smoke", faults: tuple[str, ...] = (), **options: Any) -> StageResult:
    """The load stage's `run` on a fresh run directory; the result is also written there."""
    run = RunDir(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    ctx = StageContext(
        stage="load",
        profile=profile,
        target=TargetInfo(url=url, bundled=True, faults=faults),
        openapi=f"{url}/openapi.json",
        run_dir=run_dir,
        artifacts=run.artifacts("load"),
        options={**SHORT, **options},
    )
    result = stage.run(ctx)
    run.write_result(result)
    return result


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder shared by one test module's runs."""
    return tmp_path_factory.mktemp("load")
