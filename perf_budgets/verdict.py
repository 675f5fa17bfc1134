"""The gate's output: one `BudgetResult` per evaluated budget, and the overall `Verdict`."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from typing import Any

from vocabulary.exit_codes import ExitCode
from vocabulary.records import now_iso

VERDICT_SCHEMA_VERSION = 1


class BudgetStatus(enum.StrEnum):
    """The judgement of one budget."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not_applicable"
    """The budget cannot apply to this target (no spec, no metrics, no websocket): never a pass."""
    NOT_ENOUGH_SAMPLES = "not_enough_samples"
    """A percentile too rarely sampled to judge, in a wildcard family that does not block on it: never a pass."""


class Outcome(enum.StrEnum):
    """The judgement of the whole run."""

    PASS = "pass"
    BREACHED = "breached"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    """Nothing breached, but the harness failed (a bug, or bad usage found mid-run): exit 3 or 4."""


_CODES = {Outcome.PASS: ExitCode.OK, Outcome.BREACHED: ExitCode.BREACHED, Outcome.INCONCLUSIVE: ExitCode.INCONCLUSIVE}


@dataclasses.dataclass(frozen=True)
class RunError:
    """An error met during the run, with the exit code it stands for (2, 3 or 4); not a measurement."""

    code: ExitCode
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        return {"code": int(self.code), "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunError:
        """Rebuild from `to_dict` output."""
        return cls(ExitCode(int(data["code"])), str(data["message"]))


@dataclasses.dataclass(frozen=True)
class BudgetResult:
    """One budget judged against one concrete metric (a wildcard budget yields one per match)."""

    budget: str
    """The budget's id in the budget file, e.g. ``api_p95``; with the endpoint for wildcard budgets."""
    metric: str
    stage: str
    level: str
    """``fail`` or ``warn``: a breached warn-level budget never fails the run."""
    comparison: str
    """``max`` (observed must be <= limit), ``min`` (>=), or ``max_regression_pct`` (vs baseline)."""
    limit: float
    observed: float | None
    status: BudgetStatus
    message: str
    baseline: float | None = None
    change_pct: float | None = None
    description: str = ""
    reason: str = ""
    """For a not-applicable budget: why it cannot apply to this target, in its stage's words."""
    samples: int | None = None
    """How many samples a percentile was judged on (None: not a percentile, or no count known)."""
    ci_low: float | None = None
    """The percentile's distribution-free lower and upper bound, each one-sided at ``confidence`` (None:
    too few samples for that bound)."""
    ci_high: float | None = None
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BudgetResult:
        """Rebuild from `to_dict` output."""
        return cls(**{**data, "status": BudgetStatus(data["status"])})


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The gate's decision for one run, written as ``verdict.json``."""

    outcome: Outcome
    profile: str
    budgets: tuple[BudgetResult, ...]
    notes: tuple[str, ...] = ()
    """Run-level reasons for the outcome, e.g. "run interrupted: load stage incomplete"."""
    errors: tuple[RunError, ...] = ()
    """Errors met during the run (stage crashes, a report that failed): they decide the code when nothing breached."""
    stages: tuple[str, ...] = ()
    """The run's stages in the order it ran them (run.json's list, then any other result): the order every
    report lists stages in. The gate fills it from the saved run, so it holds plugins too."""
    generated_at: str = dataclasses.field(default_factory=now_iso)
    schema_version: int = VERDICT_SCHEMA_VERSION

    @property
    def exit_code(self) -> ExitCode:
        """The process exit code of `harness run` / `harness gate` for this verdict (README "Exit codes")."""
        if self.outcome is Outcome.ERROR:
            return max((e.code for e in self.errors), default=ExitCode.HARNESS_ERROR)
        return _CODES[self.outcome]

    def with_errors(self, errors: Iterable[RunError], *, run_complete: bool) -> Verdict:
        """This verdict with ``errors`` added (also as notes) and its outcome decided again."""
        merged = tuple(dict.fromkeys((*self.errors, *errors)))
        notes = tuple(dict.fromkeys((*self.notes, *(f"error: {e.message}" for e in merged))))
        outcome = decide(self.budgets, run_complete=run_complete, errors=merged)
        return dataclasses.replace(self, outcome=outcome, errors=merged, notes=notes)

    def counts(self) -> dict[str, int]:
        """How many budgets ended in each status."""
        counts = {status.value: 0 for status in BudgetStatus}
        for result in self.budgets:
            counts[result.status.value] += 1
        return counts

    def judged_stages(self) -> list[str]:
        """Stages with at least one budget judged on a measurement (pass, warn or fail), in run order."""
        judged = (BudgetStatus.PASS, BudgetStatus.WARN, BudgetStatus.FAIL)
        return self.in_run_order({b.stage for b in self.budgets if b.status in judged})

    def not_applicable_stages(self) -> list[str]:
        """Stages all of whose budgets were not applicable to the target, in run order."""
        stages = {b.stage for b in self.budgets}
        return self.in_run_order(
            s for s in stages if all(b.status is BudgetStatus.NOT_APPLICABLE for b in self.budgets if b.stage == s)
        )

    def not_applicable_reasons(self) -> dict[str, list[str]]:
        """Stage -> the distinct reasons its budgets did not apply, stages in run order."""
        reasons: dict[str, dict[str, None]] = {}
        for budget in self.budgets:
            if budget.status is BudgetStatus.NOT_APPLICABLE:
                reasons.setdefault(budget.stage, {})[budget.reason] = None
        return {stage: list(reasons[stage]) for stage in self.in_run_order(reasons)}

    def in_run_order(self, stages: Iterable[str]) -> list[str]:
        """Stage names in the order the run ran them (`stages`; any other name last, sorted)."""
        rank = {stage: i for i, stage in enumerate(self.stages)}
        return sorted(stages, key=lambda s: (rank.get(s, len(rank)), s))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of ``verdict.json``."""
        return {
            "schema_version": self.schema_version,
            "outcome": self.outcome.value,
            "exit_code": int(self.exit_code),
            "profile": self.profile,
            "generated_at": self.generated_at,
            "stages": list(self.stages),
            "counts": self.counts(),
            "judged_stages": self.judged_stages(),
            "not_applicable_stages": self.not_applicable_stages(),
            "notes": list(self.notes),
            "errors": [e.to_dict() for e in self.errors],
            "budgets": [b.to_dict() for b in self.budgets],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        """Rebuild from ``verdict.json``."""
        return cls(
            outcome=Outcome(data["outcome"]),
            profile=data["profile"],
            budgets=tuple(BudgetResult.from_dict(b) for b in data["budgets"]),
            notes=tuple(data.get("notes", ())),
            errors=tuple(RunError.from_dict(e) for e in data.get("errors", ())),
            stages=tuple(data.get("stages", ())),
            generated_at=data.get("generated_at", now_iso()),
        )


def decide(budgets: tuple[BudgetResult, ...], *, run_complete: bool, errors: Iterable[RunError] = ()) -> Outcome:
    """The run outcome, one precedence (README "Exit codes"): a measured breach (a fail-level budget)
    wins over everything, also in an interrupted run; else a harness or usage error (exit 3 or 4);
    else anything unmeasured (an interrupted run, an inconclusive budget, an error that voids a
    measurement) is inconclusive; else it passes. Warn never changes the outcome, nor does a
    not-applicable or not-enough-samples budget: but a run in which no budget applied judged nothing, so it is
    inconclusive (like a run with no budgets)."""
    statuses = {b.status for b in budgets}
    codes = {e.code for e in errors}
    if BudgetStatus.FAIL in statuses:
        return Outcome.BREACHED
    if codes - {ExitCode.INCONCLUSIVE}:
        return Outcome.ERROR
    if not run_complete or codes or BudgetStatus.INCONCLUSIVE in statuses:
        return Outcome.INCONCLUSIVE
    if not statuses - {BudgetStatus.NOT_APPLICABLE, BudgetStatus.NOT_ENOUGH_SAMPLES}:
        return Outcome.INCONCLUSIVE
    return Outcome.PASS
