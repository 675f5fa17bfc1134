"""Fixtures for the report tests: copies of the checked-in sample runs and synthetic big runs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reports.registry import RunView
from tests.reports import samples

SAMPLES = ("pass", "breach", "inconclusive", "all_stages", "not_applicable")


@pytest.fixture
def report_run(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/data/report_runs/<name>`` under ``tmp_path/out`` (so history lands in tmp)."""

    def copy(name: str) -> Path:
        target = tmp_path / "out" / name
        shutil.copytree(samples.DATA / name, target)
        return target

    return copy


@pytest.fixture
def many_endpoints(tmp_path: Path) -> Callable[..., RunView]:
    """A run with ``count`` endpoints (one ``endpoint_p95[...]`` budget each), ``failing`` of them breached."""

    def build(count: int, failing: int = 0, seconds: int = 60) -> RunView:
        names = samples.endpoint_names(count)
        load = samples.load_result(endpoints=count, seconds=seconds, slow=names[:failing])
        path = samples.write_run(tmp_path / "out" / f"run-{count}-{failing}", [load], samples.load_budgets(load))
        return RunView.load(path)

    return build
