"""The one shape of a published metric: name (or labelled family), unit and meaning, declared once next to
the stage's options.

Each stage declares ``METRICS: tuple[StageMetric, ...]`` beside its ``OPTIONS`` (registered in
`harness.stages`), so a budget on a metric no stage publishes (``load.http.p59_ms``) or a limit no
result can meet (a ratio above 1, a negative time) is refused before any traffic, and
``harness metrics`` lists them all. A labelled family is written with ``["*"]`` for its label,
``load.endpoint["*"].p95_ms``; every other segment is spelt out.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
from collections.abc import Iterable, Sequence


class Unit(enum.StrEnum):
    """What a metric's number is, which decides the values it can take."""

    MS = "ms"
    S = "s"
    RATIO = "ratio"
    COUNT = "count"
    SCORE = "score"
    PER_S = "per second"
    MB = "MB"
    NUMBER = "number"


_BOUNDS: dict[Unit, tuple[float, float]] = {
    Unit.MS: (0.0, math.inf),
    Unit.S: (0.0, math.inf),
    Unit.RATIO: (0.0, 1.0),
    Unit.COUNT: (0.0, math.inf),
    Unit.SCORE: (0.0, 100.0),
    Unit.PER_S: (0.0, math.inf),
    Unit.MB: (-math.inf, math.inf),
    Unit.NUMBER: (0.0, math.inf),
}
"""The values a result in each unit can take (a memory growth can be negative)."""
_LABEL = re.compile(r'"[^"]*"')
ANY_LABEL = '"*"'


@dataclasses.dataclass(frozen=True)
class StageMetric:
    """One metric (or labelled family) a stage publishes, with its unit and meaning."""

    name: str
    unit: Unit
    help: str
    high: float | None = None
    """The highest value a result can take, when not the unit's (an Observatory score exceeds 100)."""

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest value a result can take."""
        low, high = _BOUNDS[self.unit]
        return low, high if self.high is None else self.high

    @property
    def shown_bounds(self) -> str:
        """``0 to 1``, ``>= 0`` or ``any number``."""
        low, high = self.bounds
        if math.isinf(low):
            return "any number"
        return f">= {low:g}" if math.isinf(high) else f"{low:g} to {high:g}"

    @property
    def prefix(self) -> str:
        """The first name segment: the stage's metric prefix."""
        return self.name.split(".", 1)[0]


def family(template: str, names: Iterable[str], unit: Unit, help: str) -> tuple[StageMetric, ...]:
    """One metric per name filled into ``template`` (``"load.http.{}_ms"``), all with one unit and meaning."""
    return tuple(StageMetric(template.format(name), unit, help) for name in names)


def findings_counts(prefix: str) -> tuple[StageMetric, ...]:
    """The findings counts the gate derives for every stage (its findings policy and known failures applied)."""
    return (
        StageMetric(f"{prefix}.findings.blocking", Unit.COUNT, "findings the policy fails on, known failures removed"),
        StageMetric(f"{prefix}.findings.warning", Unit.COUNT, "findings the policy warns on, known failures removed"),
    )


def unlabelled(pattern: str) -> str:
    """``pattern`` with every quoted label replaced by ``"*"``: how a family is declared."""
    return _LABEL.sub(ANY_LABEL, pattern)


def labels(pattern: str) -> list[str]:
    """The quoted labels of ``pattern``, quotes included, in order."""
    return _LABEL.findall(pattern)


def published_by(pattern: str, declared: Sequence[StageMetric]) -> list[StageMetric]:
    """The declared metrics a budget's ``pattern`` can match (``*`` spans a segment or a whole label).

    Any label matches a family's ``["*"]``, so ``load.endpoint["GET /x"].p95_ms`` and
    ``load.endpoint["*"].p95_ms`` both find ``load.endpoint["*"].p95_ms``.
    """
    parts = re.split(r'("\*")', unlabelled(pattern))
    body = "".join(re.escape(part) if part == ANY_LABEL else re.escape(part).replace(r"\*", r"[^.]*") for part in parts)
    regex = re.compile(f"^{body}$")
    return [metric for metric in declared if regex.match(metric.name)]
