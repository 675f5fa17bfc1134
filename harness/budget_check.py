"""A budget file checked against the metrics the stages declare, before any traffic.

The budget loader (`perf_budgets.loader`) knows the file format and nothing about stages; this
check adds what only the stage registry knows (plugins included): a metric prefix no stage has
(``lod.http.p95_ms``) or a known failure of no stage would judge nothing, a budget on a metric
no stage publishes (``load.http.p59_ms``) would only turn inconclusive after the whole run, and a
limit no result can meet (``max = -5`` on a time) or none can breach (``min = -1`` on a count,
``max = 1.5`` on a ratio: a percentage written as a ratio) would judge nothing. All are usage errors
naming the file, line and key, with the nearest name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from perf_budgets.known import KnownFailures
from perf_budgets.model import Budget, BudgetFile, Comparison
from stagekit import stages
from stagekit.stage_metrics import ANY_LABEL, StageMetric, Unit, labels, published_by, unlabelled
from vocabulary.source import KeyPath, Source
from vocabulary.suggest import closest

KeyOf = Callable[[str], KeyPath]
"""Where a key of one budget is written."""
_LIMIT_KEYS = {Comparison.MAX: ("max", "warn_max"), Comparison.MIN: ("min", "warn_min")}


def check_budgets(budgets: BudgetFile) -> None:
    """Refuse a budget whose metric no stage publishes or whose limit no result can meet or breach, and a
    known failure of no stage."""
    declared = stages.published()
    source = Source.read(budgets.path)
    prefixes = set(stages.prefixes().values())
    for budget, key_of in _placed(budgets, source):
        prefix = budget.metric.split(".", 1)[0]
        if prefix not in prefixes:
            raise source.unknown(key_of("metric"), prefix, prefixes, "metric prefix")
        matched = _matched(budget, declared, source)
        if matched:
            _check_limits(budget, matched, source, key_of)
    if budgets.known is not None:
        _check_known(budgets.known)


def _check_known(known: KnownFailures) -> None:
    """Every known-failures entry names a stage (a misspelt one would accept nothing)."""
    names = stages.names()
    for index, entry in enumerate(known.entries):
        if entry.stage not in names:
            raise Source.read(known.path).unknown(("known", index, "stage"), entry.stage, names, "stage")


def _placed(budgets: BudgetFile, source: Source) -> Iterator[tuple[Budget, KeyOf]]:
    """Every budget (each profile's override too) with where its keys are written."""
    for budget in budgets.budgets:
        yield budget, _key_of(budget.id, "", {})
    profiles = source.data.get("profiles", {})
    for profile, changed in budgets.overrides.items():
        for bid, budget in changed.items():
            yield budget, _key_of(bid, profile, profiles[profile]["budgets"][bid])


def _key_of(bid: str, profile: str, changes: Mapping[str, Any]) -> KeyOf:
    """A key of budget ``bid``: in the profile's override table if it changes it, else in the base table."""

    def key_of(key: str) -> KeyPath:
        return ("profiles", profile, "budgets", bid, key) if key in changes else ("budgets", bid, key)

    return key_of


def _matched(budget: Budget, declared: Sequence[StageMetric], source: Source) -> list[StageMetric]:
    """The declared metrics the budget's pattern can match; an error when its stage publishes none of them."""
    matched = published_by(budget.metric, declared)
    prefix = budget.metric.split(".", 1)[0]
    of_stage = [metric.name for metric in declared if metric.prefix == prefix]
    if matched or not of_stage:  # a stage that declares nothing (a plugin) is not checked
        return matched
    raise source.error(
        ("budgets", budget.id, "metric"),
        f"no stage publishes {budget.metric!r}.{_suggestion(budget.metric, of_stage)}",
        tip=f"`harness metrics` lists the {len(of_stage)} metrics of {prefix} and every other stage's",
    )


def _suggestion(pattern: str, names: Sequence[str]) -> str:
    """`` Did you mean 'x'?`` with the budget's own labels put back into the family's ``["*"]``."""
    nearest = closest(unlabelled(pattern), names)
    if nearest is None:
        return ""
    for label in labels(pattern):
        nearest = nearest.replace(ANY_LABEL, label, 1)
    return f" Did you mean {nearest!r}?"


def _check_limits(budget: Budget, matched: Sequence[StageMetric], source: Source, key_of: KeyOf) -> None:
    """A max/min (and its warn threshold) some result could meet and some could breach."""
    keys = _LIMIT_KEYS.get(budget.comparison)
    if keys is None:  # a regression limit is a percentage of change, whatever the unit
        return
    for key, limit in zip(keys, (budget.limit, budget.warn_limit), strict=True):
        if limit is None:
            continue
        problems = [_problem(budget.comparison, limit, metric) for metric in matched]
        if all(problems):  # a wildcard over several units is refused only when no unit fits
            metric = matched[0]
            raise source.error(
                key_of(key),
                f"{key} = {limit:g} {problems[0]}: {metric.name} is {_kind(metric)} ({metric.shown_bounds})",
                tip=_tip(metric),
            )


def _problem(comparison: Comparison, limit: float, metric: StageMetric) -> str:
    """Why no result of ``metric`` can be judged against ``limit``; empty when one can."""
    low, high = metric.bounds
    if (comparison is Comparison.MAX and limit < low) or (comparison is Comparison.MIN and limit > high):
        return "can never be met"
    if (comparison is Comparison.MAX and limit > high) or (comparison is Comparison.MIN and limit < low):
        return "can never be breached"
    return ""


_KINDS = {
    Unit.MS: "a time in ms",
    Unit.S: "a time in s",
    Unit.RATIO: "a ratio",
    Unit.COUNT: "a count",
    Unit.SCORE: "a score",
    Unit.PER_S: "a rate per second",
    Unit.MB: "a size in MB",
    Unit.NUMBER: "a number",
}


def _kind(metric: StageMetric) -> str:
    return _KINDS[metric.unit]


def _tip(metric: StageMetric) -> str:
    if metric.unit is Unit.RATIO:
        return "a ratio is written from 0 to 1: 0.1 % is 0.001, 80 % is 0.8"
    if math.isinf(metric.bounds[1]):
        return f"{metric.name} is never negative"
    return f"{metric.name} lies between {metric.bounds[0]:g} and {metric.bounds[1]:g}"
