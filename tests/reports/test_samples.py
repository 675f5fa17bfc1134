"""The checked-in sample runs are valid stage results and carry the outcome their name says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from perf_budgets.verdict import Outcome
from reports.registry import RunView
from tests.reports.conftest import SAMPLES

EXPECTED = {
    "pass": Outcome.PASS,
    "breach": Outcome.BREACHED,
    "inconclusive": Outcome.INCONCLUSIVE,
    "all_stages": Outcome.BREACHED,
    "not_applicable": Outcome.PASS,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_runs_load_and_validate(report_run: Callable[[str], Path], name: str) -> None:
    run = RunView.load(report_run(name))  # RunDir.results() validates against stage-result.v1.json
    assert run.verdict.outcome is EXPECTED[name]
    assert run.results and run.verdict.budgets


def test_all_stages_sample_has_every_stage(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("all_stages"))
    assert set(run.results) == {"load", "e2e", "contracts", "security", "accessibility", "coverage"}
