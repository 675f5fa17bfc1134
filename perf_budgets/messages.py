"""Budget messages: what, where, "Actual: 812.00 ms / Limit: 100.00 ms", then a tip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from perf_budgets.model import Budget, Comparison, Level
from vocabulary.records import StageResult, ValidityCheck

_DEFAULT_TIPS = {
    Comparison.MAX: "look at the slowest or failing requests in the stage's artifacts; if the "
    "target changed on purpose, change the limit in the budget file",
    Comparison.MIN: "check what the stage measured in its artifacts; if the target changed on "
    "purpose, change the limit in the budget file",
    Comparison.MAX_REGRESSION_PCT: "compare the two runs' artifacts to find what got slower",
}
_FINDINGS_TIP = (
    "fix the findings, or accept one for a limited time with a [[known]] entry (reason and expiry) "
    "in the known-failures file"
)


def value(metric: str, number: float) -> str:
    """A value in the metric's unit: ``812.00 ms``, ``1.50 s``, ``0.20%``, ``3``, ``91.50``."""
    if metric.endswith("_ms"):
        return f"{number:.2f} ms"
    if metric.endswith("_s"):
        return f"{number:.2f} s"
    if metric.endswith(("_ratio", ".ratio")):
        return f"{number * 100:.2f}%"
    return f"{number:.0f}" if float(number).is_integer() else f"{number:.2f}"


def percent(number: float) -> str:
    """A signed relative change: ``+12.50%``."""
    return f"{number:+.2f}%"


def tip_for(budget: Budget, metric: str) -> str:
    """The budget's own tip, else one that fits the metric."""
    if budget.tip:
        return budget.tip
    if ".findings." in metric:
        return _FINDINGS_TIP
    return _DEFAULT_TIPS[budget.comparison]


def numbers(budget: Budget, metric: str, observed: float, warn: bool = False) -> str:
    """``Actual: 812.00 ms / Limit: 100.00 ms`` (with the warn threshold when it was crossed)."""
    if budget.comparison is Comparison.MAX_REGRESSION_PCT:
        return f"Actual: {percent(observed)} / Limit: {percent(budget.limit)}"
    text = f"Actual: {value(metric, observed)}"
    if warn and budget.warn_limit is not None:
        text += f" / Warn at: {value(metric, budget.warn_limit)}"
    return f"{text} / Limit: {value(metric, budget.limit)}"


_BREACH = {
    Comparison.MAX: "is above its maximum",
    Comparison.MIN: "is below its minimum",
    Comparison.MAX_REGRESSION_PCT: "regressed more than allowed against the baseline",
}


def breach(budget: Budget, metric: str, stage: str, observed: float, extra: str = "") -> str:
    """A breached budget (fail or warn level)."""
    head = f"{metric} {_BREACH[budget.comparison]} (budget '{budget.id}', {stage} stage)"
    if budget.level is Level.WARN:
        head += "; warn-level budget, so the run does not fail"
    return _join(head, numbers(budget, metric, observed), extra, f"Tip: {tip_for(budget, metric)}")


def warning(budget: Budget, metric: str, stage: str, observed: float, extra: str = "") -> str:
    """A value past the warn threshold but within the limit."""
    head = f"{metric} is within budget '{budget.id}' ({stage} stage) but past its warning threshold"
    tip = f"Tip: {tip_for(budget, metric)}"
    return _join(head, numbers(budget, metric, observed, warn=True), extra, tip)


def passed(budget: Budget, metric: str, stage: str, observed: float, extra: str = "") -> str:
    """A met budget."""
    head = f"{metric} is within budget '{budget.id}' ({stage} stage)"
    return _join(head, numbers(budget, metric, observed), extra)


def inconclusive(budget: Budget, metric: str, reason: str, tip: str) -> str:
    """A budget that could not be judged, and what to do about it."""
    return _join(f"{metric} could not be judged against budget '{budget.id}': {reason}", f"Tip: {tip}")


def invalid(result: StageResult, failed: Sequence[ValidityCheck]) -> str:
    """Why a stage's measurement cannot judge a budget: the real cause first (every request failed,
    the endpoints do not exist, the target never answered readiness), then every failed validity
    check that guards the metric, not only the first."""
    causes = [cause for cause in (_requests_failed(result), _never_ready(failed)) if cause]
    if len(failed) == 1:
        causes.append(f"validity check '{failed[0].name}' failed: {failed[0].detail}")
    elif failed:
        causes.append("validity checks failed: " + "; ".join(f"'{c.name}' ({c.detail})" for c in failed))
    return "; ".join(causes)


_NOT_FOUND = ("404", "Not Found")
"""Words of a failure message that say the requested path does not exist on the target."""


def _requests_failed(result: StageResult) -> str:
    """How the stage's requests failed: "100 % of the 14 requests failed (most often: …)", or that
    the endpoints do not exist when most answered 404; empty when they mostly succeeded."""
    ratio = result.metrics.get(f"{result.stage}.http.error_ratio")
    requests = result.metrics.get(f"{result.stage}.http.requests", 0.0)
    errors = _error_counts(result.details.get("http"))
    top = max(errors, key=errors.__getitem__) if errors else ""
    if top and any(word in top for word in _NOT_FOUND) and errors[top] * 2 >= requests > 0:
        share = errors[top] / requests * 100
        return f"the scenario's endpoints do not exist on this target ({share:.0f} % of requests: {top})"
    if ratio is None or ratio < 1 or not requests:
        return ""
    most = f" (most often: {top}, {errors[top]} times)" if top else ""
    return f"100 % of the {requests:.0f} requests failed{most}"


def _error_counts(http: Any) -> dict[str, int]:
    """The stage's failure messages with their counts (``details["http"]["errors"]``), if it gave them."""
    errors = http.get("errors") if isinstance(http, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {str(message): int(count) for message, count in errors.items() if isinstance(count, int | float)}


def _never_ready(failed: Sequence[ValidityCheck]) -> str:
    """The target never answered its readiness path (the availability probe's check failed)."""
    for check in failed:
        if check.name == "target-reachable":
            return f"the target never answered its readiness path ({check.detail})"
    return ""


def not_applicable(budget: Budget, reason: str) -> str:
    """A budget that cannot apply to this target (no spec, no metrics, no websocket)."""
    return _join(f"{budget.metric} does not apply to this target (budget '{budget.id}'): {reason}")


def _join(*parts: str) -> str:
    """Sentences joined with ". " (empty parts dropped)."""
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts if p)
