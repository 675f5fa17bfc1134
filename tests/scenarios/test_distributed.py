"""Distributed mode: a master and two worker processes; the merged figures are exact sums."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from scenarios import hdr
from stagekit.target import AppProcess
from tests.scenarios.conftest import run_load
from vocabulary.records import Status

pytestmark = pytest.mark.slow
LOCUST_DEFAULT_MASTER_PORT = 5557


@pytest.fixture
def default_master_port_taken() -> Iterator[None]:
    """Locust's default master port held by someone else (another run on the machine): a run must not need it."""
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", LOCUST_DEFAULT_MASTER_PORT))
            taken.listen()
        except OSError:
            pass  # already held by something else: taken all the same
        yield


@pytest.mark.usefixtures("default_master_port_taken")
def test_two_workers_merge_exactly(bundled_target: AppProcess, tmp_path: Path) -> None:
    result = run_load(bundled_target.url, tmp_path, processes=2)
    assert result.status is Status.PASSED, result.error
    summary = json.loads((tmp_path / result.artifacts["summary.json"]).read_text())
    workers = summary["generator"]
    assert workers["distributed"] is True
    assert len(workers["workers_connected"]) == 2 and not workers["workers_missing"]
    assert workers["workers_final"] == workers["workers_connected"], "each worker's tail arrived"
    assert {c.name: c.ok for c in result.validity}["workers-intact"]
    by_worker = workers["requests_by_process"]
    assert len(by_worker) == 2 and all(n > 0 for n in by_worker.values())
    health = workers["processes"]
    assert all(health[w]["cpu_samples"] and health[w]["schedule_lag"]["count"] for w in by_worker), (
        "each worker measured its own CPU and its users' schedule"
    )
    merged_total = sum(row["requests"] for row in summary["series"])
    locust_total = sum(row["num_requests"] for row in json.loads((tmp_path / "load/locust.json").read_text()))
    assert merged_total == sum(by_worker.values()) == locust_total
    # The merged overall histogram is the bucket-wise sum of the per-endpoint ones it reports.
    eps = [ep for ep in summary["endpoints"].values() if ep["family"] == "http"]
    overall = hdr.merge(hdr.new(), [ep["hist_corrected"] for ep in eps])
    assert hdr.percentile_ms(overall, 95) == result.metrics["load.http.p95_ms"]
    assert overall.get_total_count() >= sum(ep["requests"] for ep in eps)
