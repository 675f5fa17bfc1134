"""Typed records of a loaded budget file: budgets, per-profile overrides, findings policy."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from pathlib import Path

from perf_budgets.known import KnownFailures
from vocabulary.records import Finding, Severity

BUDGETS_SCHEMA_VERSION = 1


class Comparison(enum.StrEnum):
    """How a budget's limit is compared with the observed value."""

    MAX = "max"
    MIN = "min"
    MAX_REGRESSION_PCT = "max_regression_pct"


class Level(enum.StrEnum):
    """What a breach does to the run: ``fail`` breaches it, ``warn`` only reports."""

    FAIL = "fail"
    WARN = "warn"


class Action(enum.StrEnum):
    """What a finding does, as in ZAP's baseline ``rules.tsv``."""

    IGNORE = "IGNORE"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclasses.dataclass(frozen=True)
class Sampling:
    """How a percentile budget weighs its samples (``[sampling]``, or the same keys on one budget)."""

    confidence: float = 0.95
    """Of the percentile's distribution-free bounds: a breach or a pass must hold at this level."""
    min_samples: int = 0
    """Fewer samples than this are not judged either way (0: the bounds alone decide)."""


@dataclasses.dataclass(frozen=True)
class Budget:
    """One limit on one metric (or on every metric a wildcard pattern matches)."""

    id: str
    metric: str
    comparison: Comparison
    limit: float
    level: Level = Level.FAIL
    warn_limit: float | None = None
    """``warn_max`` / ``warn_min``: crossing it (but not the limit) gives WARN."""
    better: str = "lower"
    """For ``max_regression_pct``: which direction of change is an improvement."""
    profiles: tuple[str, ...] = ()
    """Empty means every profile."""
    description: str = ""
    tip: str = ""
    required: bool | None = None
    """Unset: a missing metric is inconclusive unless its stage says it does not apply to the target.
    True: inconclusive even then. False: a missing metric is only noted."""
    enabled: bool = True
    sampling: Sampling = Sampling()
    """The file's ``[sampling]`` with this budget's own ``confidence`` / ``min_samples`` merged in."""

    @property
    def is_wildcard(self) -> bool:
        """Does the metric pattern expand to several metrics?"""
        return "*" in self.metric

    @property
    def blocks_when_undersampled(self) -> bool:
        """Does "not enough samples" make the run inconclusive? For a named metric or ``required = true``
        yes; a wildcard family member too rarely hit to judge (or ``required = false``) is only reported."""
        return self.required is True or (self.required is None and not self.is_wildcard)

    def applies_to(self, profile: str) -> bool:
        """Is this budget judged in ``profile``?"""
        return self.enabled and (not self.profiles or profile in self.profiles)


DEFAULT_SEVERITY_ACTIONS: Mapping[Severity, Action] = {
    Severity.CRITICAL: Action.FAIL,
    Severity.HIGH: Action.FAIL,
    Severity.MEDIUM: Action.FAIL,
    Severity.LOW: Action.WARN,
    Severity.INFO: Action.IGNORE,
}


@dataclasses.dataclass(frozen=True)
class FindingsPolicy:
    """Rule id -> action, falling back to an action by severity."""

    default: Mapping[Severity, Action] = dataclasses.field(default_factory=lambda: dict(DEFAULT_SEVERITY_ACTIONS))
    rules: Mapping[str, Action] = dataclasses.field(default_factory=dict)

    def action_for(self, finding: Finding) -> Action:
        """The action for ``finding``: its rule's entry, else its severity's default."""
        return self.rules.get(finding.rule, self.default[finding.severity])


@dataclasses.dataclass(frozen=True)
class BudgetFile:
    """A validated budget file with every profile's overrides already applied."""

    path: Path
    budgets: tuple[Budget, ...]
    overrides: Mapping[str, Mapping[str, Budget]] = dataclasses.field(default_factory=dict)
    """Profile -> budget id -> the budget with that profile's override merged in."""
    findings: FindingsPolicy = dataclasses.field(default_factory=FindingsPolicy)
    known: KnownFailures | None = None
    """The known-failures file named by ``known_failures``, loaded."""

    def for_profile(self, profile: str) -> tuple[Budget, ...]:
        """The budgets judged in ``profile``, overrides applied, in file order."""
        changed = self.overrides.get(profile, {})
        merged = (changed.get(b.id, b) for b in self.budgets)
        return tuple(b for b in merged if b.applies_to(profile))
