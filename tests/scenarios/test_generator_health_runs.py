"""Real short Locust runs: a busy machine leaves a healthy generator's run valid; a starved generator
makes it inconclusive, with a detail naming the figure.

The target is a tiny loopback server in this process; the Locust files are plain ones in
``user_files`` (paced users, so the schedule lag is measured too).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from perf_budgets.evaluator import failed_check
from scenarios import stage
from stagekit.description import TargetDescription
from stagekit.stages import StageContext, TargetInfo
from tests.fixtures.servers import Ok, serve
from tests.scenarios.conftest import cpu_hogs
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

pytestmark = pytest.mark.slow

USER_FILES = Path(__file__).with_name("user_files")
SHORT = {"users": 5, "duration_s": 8}
GENERATOR_CHECKS = ("generator-cpu", "generator-loop-lag", "generator-schedule-lag", "generator-cpu-steal")


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve(Ok) as url:
        yield url


def run_with(url: str, run_dir: Path, locustfile: str) -> StageResult:
    """The load stage (smoke, 5 users, 8 s) running ``locustfile`` against ``url``."""
    run_dir.mkdir(parents=True)
    ctx = StageContext(
        stage="load",
        profile="smoke",
        target=TargetInfo(url=url, description=TargetDescription(url=url, locustfiles=(USER_FILES / locustfile,))),
        openapi=None,
        run_dir=run_dir,
        artifacts=RunDir(run_dir).artifacts("load"),
        options=SHORT,
    )
    result = stage.run(ctx)
    RunDir(run_dir).write_result(result)
    return result


def test_a_busy_machine_leaves_a_healthy_generators_run_valid(site: str, tmp_path: Path) -> None:
    with cpu_hogs(2) as hogs:
        result = run_with(site, tmp_path / "run", "paced_locustfile.py")
        assert all(hog.poll() is None for hog in hogs), "the neighbours ran for the whole run"
        burnt = sum(psutil.Process(hog.pid).cpu_times().user for hog in hogs)
    checks = {c.name: c for c in result.validity}
    details = f"hogs used {burnt:.1f} CPU s; " + "; ".join(f"{c.name}: {c.detail}" for c in result.validity)

    assert result.status is Status.PASSED, result.error
    assert all(check.ok for check in result.validity), details
    assert "host-not-saturated" not in checks
    assert set(GENERATOR_CHECKS) <= set(checks)
    assert "over" in checks["generator-schedule-lag"].detail, "paced users: the schedule lag was measured"
    for metric in ("cpu_ratio", "loop_lag_p95_ms", "schedule_lag_p95_ms"):
        assert f"load.generator.{metric}" in result.metrics


def test_a_starved_generator_makes_the_run_inconclusive(site: str, tmp_path: Path) -> None:
    result = run_with(site, tmp_path / "run", "starving_locustfile.py")
    failed = {c.name: c for c in result.validity if not c.ok}
    details = "; ".join(f"{c.name}: {c.detail}" for c in failed.values())

    assert result.metrics["load.http.requests"] > 0
    # Its CPU figure may stay under the limit: on a shared machine a starved process gets less CPU
    # than it asks for. How late its own loop woke shows it whatever the neighbours do.
    assert "generator-loop-lag" in failed, details
    lag = result.metrics["load.generator.loop_lag_p95_ms"]
    assert lag > 100, details
    assert f"lag p95 {lag:.2f} ms" in failed["generator-loop-lag"].detail
    assert "load option generator_loop_lag_p95_ms" in failed["generator-loop-lag"].detail
    guard = failed_check(result.validity, "load.http.p95_ms")
    assert guard is not None and guard.name.startswith("generator-"), "latency budgets cannot pass on it"
