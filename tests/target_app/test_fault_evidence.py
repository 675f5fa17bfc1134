"""The fault -> budget table (bench/trust.py reads it) names real faults, budgets, stages and profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_budgets.loader import SHIPPED, load_budgets
from scenarios.profiles import PROFILES
from stagekit import stages
from target_app.faults import FAULT_EVIDENCE, FAULTS
from vocabulary.records import stage_of_metric


def test_every_fault_switch_says_which_budgets_must_catch_it() -> None:
    assert list(FAULT_EVIDENCE) == list(FAULTS)


@pytest.mark.parametrize("fault", FAULT_EVIDENCE)
def test_its_budgets_exist_in_its_profile_and_live_in_its_stages(fault: str, tmp_path: Path) -> None:
    evidence = FAULT_EVIDENCE[fault]
    budgets_file = SHIPPED
    if evidence.budget_patch:  # as bench/trust.py writes it
        budgets_file = tmp_path / "budgets.toml"
        budgets_file.write_text(SHIPPED.read_text(encoding="utf-8") + "\n" + evidence.budget_patch, encoding="utf-8")
    judged = {
        b.id: b
        for b in load_budgets(budgets_file, known_failures=SHIPPED.parent / "known-failures.toml").for_profile(
            evidence.profile
        )
    }
    assert evidence.profile in PROFILES
    assert set(evidence.budgets).isdisjoint(evidence.also)
    for budget in (*evidence.budgets, *evidence.also):
        assert budget in judged, f"{fault}: no budget {budget!r} in the {evidence.profile} profile"
        assert stage_of_metric(judged[budget].metric, stages.prefixes()) in evidence.stages.split(","), (fault, budget)
