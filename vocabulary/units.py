"""Metric values in words: the unit a metric's name ends in (``_ms``, ``_s``, ``_ratio``) and a compact
number with it, as every report and the load stage's live Budgets tab show them."""

from __future__ import annotations

import math


def unit_of(metric: str) -> str:
    """The unit from a metric's last segment: ``ms``, ``s``, ``%`` (ratios) or ``""``."""
    last = metric.rsplit(".", 1)[-1]
    for suffix, unit in (("_ms", "ms"), ("_s", "s"), ("_ratio", "%")):
        if last.endswith(suffix):
            return unit
    return ""


def number(value: float | None, digits: int = 3) -> str:
    """A compact number: ``—`` for missing, thousands separated, at most two decimals above 1."""
    if value is None or math.isnan(value):
        return "—"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.{digits}g}"


def value(metric: str, amount: float | None) -> str:
    """A metric value with its unit; ratios shown as percentages."""
    if amount is None:
        return "—"
    unit = unit_of(metric)
    if unit == "%":
        return f"{number(amount * 100)} %"
    return f"{number(amount)} {unit}".rstrip()
