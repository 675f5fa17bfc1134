"""The gate as a pipeline of small tasks: budgets -> results -> evaluate -> verdict.json.

It reads only a run directory and the budget files, so `harness gate RUN_DIR` re-evaluates a
saved run offline with new budgets or a new baseline. A re-gate never touches the saved run: its
verdict and reports go to a new folder beside it, ``<run>.regate-<UTC time>`` (or ``--out``),
whose ``regate.json`` points back at the run (`reports.registry.RunView` follows it).
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.budget_check import check_budgets
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import SHIPPED, load_budgets
from perf_budgets.model import BudgetFile
from perf_budgets.verdict import BudgetResult, RunError, Verdict
from stagekit import stages
from vocabulary import atomic
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult, now_iso
from vocabulary.rundir import REGATE_META, VERDICT, RunDir


@dataclasses.dataclass(frozen=True)
class GateInputs:
    """What the gate judges a run against."""

    budgets: BudgetFile
    baseline: dict[str, StageResult] | None


def load_inputs(budgets: Path | None, known_failures: Path | None, baseline: Path | None) -> GateInputs:
    """Load and validate the budget file (with its known failures) and the baseline run: usage errors here."""
    budget_file = load_budgets(budgets or SHIPPED, known_failures=known_failures)
    check_budgets(budget_file)  # every metric published by a stage, every limit one a result can meet
    baseline_results = RunDir.open(baseline).results() if baseline else None
    return GateInputs(budget_file, baseline_results)


def judge(run: RunDir, inputs: GateInputs, *, profile: str | None = None, out: Path | None = None) -> Verdict:
    """Evaluate the run's stage results and the errors ``run.json`` recorded; write ``verdict.json``
    into ``out`` (default: the run folder)."""
    meta = run.meta()
    complete = bool(meta.get("complete", True))
    # The statistics (numpy, hdrh) are imported when a run is judged, not when the CLI starts.
    from perf_budgets.distributions import RecordedSamples
    from perf_budgets.significance import significance

    verdict = evaluate(
        inputs.budgets,
        profile or meta.get("profile", "smoke"),
        run.results(),
        baseline=inputs.baseline,
        run_complete=complete,
        stages=meta.get("stages"),
        significance=significance,
        distribution=RecordedSamples(),
        prefixes=stages.prefixes(),
    )
    run_notes = tuple(meta.get("notes", ()))
    if run_notes:
        verdict = dataclasses.replace(verdict, notes=tuple(dict.fromkeys(run_notes + verdict.notes)))
    errors = [RunError.from_dict(e) for e in meta.get("errors", ())]
    if errors:
        verdict = verdict.with_errors(errors, run_complete=complete)
    save(out or run.path, verdict)
    return verdict


def stage_budgets(inputs: GateInputs, profile: str, result: StageResult) -> tuple[BudgetResult, ...]:
    """The budgets of one stage judged on its result alone: the words of its console line as it ends."""
    from perf_budgets.distributions import RecordedSamples

    verdict = evaluate(
        inputs.budgets,
        profile,
        {result.stage: result},
        baseline=inputs.baseline,
        stages=[result.stage],
        distribution=RecordedSamples(),
        prefixes=stages.prefixes(),
    )
    return tuple(b for b in verdict.budgets if b.stage == result.stage)


def save(folder: Path, verdict: Verdict) -> None:
    """Write ``verdict.json`` into ``folder``."""
    atomic.write_json(folder / VERDICT, verdict.to_dict())


def add_error(folder: Path, verdict: Verdict, error: HarnessError, *, run_complete: bool) -> Verdict:
    """``verdict`` with an error met after it was written (a report that failed), saved again when
    the disk allows, so ``verdict.json`` and the exit code still agree."""
    verdict = verdict.with_errors([run_error(error)], run_complete=run_complete)
    if error.kind is not ErrorKind.OUTPUT:
        save(folder, verdict)
    return verdict


def run_error(error: HarnessError) -> RunError:
    """A `HarnessError` as the verdict records it: its exit code and first line."""
    return RunError(error.exit_code, error.message.splitlines()[0])


def regate_folder(run: RunDir, out: Path | None, inputs: dict[str, Any]) -> Path:
    """Make the folder a re-gate of ``run`` writes to (``out``, else ``<run>.regate-<UTC time>`` beside
    it) and its ``regate.json``: the run it judges and the inputs it was judged with."""
    folder = (out or _beside(run.path)).resolve()
    if folder == run.path or run.path in folder.parents:
        raise HarnessError(
            ErrorKind.USAGE,
            f"--out {folder} is inside the run it re-gates ({run.path}); a re-gate never changes the saved run",
            tip="choose a folder outside the run, or omit --out to get one beside it",
        )
    if folder.exists() and any(folder.iterdir()):
        raise HarnessError(
            ErrorKind.USAGE, f"--out {folder} is not empty", tip="choose a new or empty folder for the re-gate"
        )
    folder.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"run": os.path.relpath(run.path, folder), "regated_at": now_iso(), **inputs}
    atomic.write_json(folder / REGATE_META, {k: None if v is None else str(v) for k, v in meta.items()})
    return folder


def _beside(run: Path) -> Path:
    """``<run>.regate-<UTC time>`` next to the run, made unique with ``-2``, ``-3``..."""
    base = run.with_name(f"{run.name}.regate-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    folder, suffix = base, 1
    while folder.exists():
        suffix += 1
        folder = base.with_name(f"{base.name}-{suffix}")
    return folder
