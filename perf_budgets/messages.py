"""Budget messages: what, where, "Actual: 812.00 ms / Limit: 100.00 ms", then a tip."""

from __future__ import annotations

from perf_budgets.model import Budget, Comparison, Level

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


def not_applicable(budget: Budget, reason: str) -> str:
    """A budget that cannot apply to this target (no spec, no metrics, no websocket)."""
    return _join(f"{budget.metric} does not apply to this target (budget '{budget.id}'): {reason}")


def _join(*parts: str) -> str:
    """Sentences joined with ". " (empty parts dropped)."""
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts if p)
