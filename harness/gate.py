"""The gate as a pipeline of small tasks: budgets -> results -> evaluate -> verdict.json.

It reads only a run directory and the budget files, so `harness gate RUN_DIR` re-evaluates a
saved run offline with new budgets or a new baseline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness import atomic
from harness.records import StageResult
from harness.rundir import VERDICT, RunDir
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import SHIPPED, load_budgets
from perf_budgets.model import BudgetFile
from perf_budgets.verdict import Verdict
from reports.baseline import significance


@dataclasses.dataclass(frozen=True)
class GateInputs:
    """What the gate judges a run against."""

    budgets: BudgetFile
    baseline: dict[str, StageResult] | None


def load_inputs(budgets: Path | None, known_failures: Path | None, baseline: Path | None) -> GateInputs:
    """Load and validate the budget file (with its known failures) and the baseline run: usage errors here."""
    budget_file = load_budgets(budgets or SHIPPED, known_failures=known_failures)
    baseline_results = RunDir.open(baseline).results() if baseline else None
    return GateInputs(budget_file, baseline_results)


def judge(run: RunDir, inputs: GateInputs, *, profile: str | None = None) -> Verdict:
    """Evaluate the run's stage results and write ``verdict.json``."""
    meta = run.meta()
    verdict = evaluate(
        inputs.budgets,
        profile or meta.get("profile", "smoke"),
        run.results(),
        baseline=inputs.baseline,
        run_complete=bool(meta.get("complete", True)),
        stages=meta.get("stages"),
        significance=significance,
    )
    run_notes = tuple(meta.get("notes", ()))
    if run_notes:
        verdict = dataclasses.replace(verdict, notes=tuple(dict.fromkeys(run_notes + verdict.notes)))
    atomic.write_json(run.path / VERDICT, verdict.to_dict())
    return verdict
