"""The gate as a pipeline of small tasks: budgets -> results -> evaluate -> verdict.json.

It reads only a run directory and the budget files, so `harness gate RUN_DIR` re-evaluates a
saved run offline with new budgets or a new baseline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness import atomic
from harness.rundir import VERDICT, RunDir
from harness.records import StageResult
from perf_budgets.evaluator import evaluate
from perf_budgets.known import KnownFailures, load_known
from perf_budgets.loader import BudgetFile, load_budget_file, shipped_budgets_path
from perf_budgets.verdict import Verdict


@dataclasses.dataclass(frozen=True)
class GateInputs:
    """What the gate judges a run against."""

    budgets: BudgetFile
    known: KnownFailures | None
    baseline: dict[str, StageResult] | None


def load_inputs(budgets: Path | None, known_failures: Path | None, baseline: Path | None) -> GateInputs:
    """Load and validate the budget file, the known-failures file and the baseline run (usage errors here)."""
    budget_file = load_budget_file(budgets or shipped_budgets_path())
    known_path = known_failures or budget_file.known_failures
    known = load_known(known_path) if known_path else None
    baseline_results = RunDir.open(baseline).results() if baseline else None
    return GateInputs(budget_file, known, baseline_results)


def judge(run: RunDir, inputs: GateInputs, *, profile: str | None = None, notes: tuple[str, ...] = ()) -> Verdict:
    """Evaluate the run's stage results and write ``verdict.json``."""
    meta = run.meta()
    results = run.results()
    verdict = evaluate(
        inputs.budgets,
        profile or meta.get("profile", "smoke"),
        results,
        baseline=inputs.baseline,
        known=inputs.known,
        run_complete=bool(meta.get("complete", True)),
    )
    all_notes = tuple(meta.get("notes", ())) + notes
    if all_notes:
        verdict = dataclasses.replace(verdict, notes=tuple(dict.fromkeys(verdict.notes + all_notes)))
    atomic.write_json(run.path / VERDICT, verdict.to_dict())
    return verdict
