"""The building blocks of the HTML report: cells, tables, charts and facts, filled by `reports.views`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from perf_budgets.verdict import BudgetResult
from reports import format as fmt
from vocabulary.records import Finding, StageResult


@dataclasses.dataclass(frozen=True)
class Cell:
    """A table cell: text, an optional numeric sort key, an optional link (relative to the run or
    ``#anchor``), an optional ``anchor`` (its id, for links into the page) and optional ``items``
    (a list folded under the text, e.g. a finding's locations)."""

    text: str
    sort: float | None = None
    href: str | None = None
    anchor: str | None = None
    items: Sequence[str] = ()


@dataclasses.dataclass(frozen=True)
class Table:
    """A captioned data table; ``sortable`` adds header buttons (the page reads fine without them)."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    sortable: bool = False
    kind: str = "table"


@dataclasses.dataclass(frozen=True)
class Chart:
    """An inline SVG chart (already titled and described)."""

    svg: str
    kind: str = "chart"


@dataclasses.dataclass(frozen=True)
class Facts:
    """A definition list of label → value."""

    title: str
    items: Sequence[tuple[str, str]]
    kind: str = "facts"


@dataclasses.dataclass(frozen=True)
class Note:
    """A paragraph of text."""

    text: str
    kind: str = "note"


@dataclasses.dataclass(frozen=True)
class Fold:
    """Blocks folded under a one-line summary (``<details>``); ``status`` colours the summary."""

    summary: str
    blocks: Sequence[Block]
    status: str = ""
    kind: str = "fold"


Block = Table | Chart | Facts | Note | Fold


@dataclasses.dataclass(frozen=True)
class Section:
    """One stage's part of the report."""

    anchor: str
    title: str
    status: str
    blocks: Sequence[Block]
    worst: str = ""
    """The worst status word of the stage's budgets ("breached", "met"…), "" without budgets."""


@dataclasses.dataclass(frozen=True)
class ViewContext:
    """What a stage's view may show besides its own result: the baseline run's result of the same
    stage (``--baseline``) and the verdict's budgets of this stage."""

    baseline: StageResult | None = None
    budgets: Sequence[BudgetResult] = ()


def anchor_of(budget_id: str) -> str:
    """The page id of a budget's row, e.g. ``budget-api_p95-GET-api-books`` for ``api_p95["GET /api/books"]``."""
    return "budget-" + re.sub(r"[^A-Za-z0-9_]+", "-", budget_id).strip("-")


def num(metric: str, amount: Any) -> Cell:
    """A numeric cell formatted with the unit of ``metric``; missing or non-numeric values show ``—``."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return Cell("—")
    return Cell(fmt.value(metric, float(amount)), float(amount))


def text(value: Any) -> Cell:
    """A text cell; ``None`` shows ``—``."""
    return Cell("—" if value is None or value == "" else str(value))


def rows_of(details: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """``details[key]`` as a list of dict rows, ignoring anything of another shape."""
    value = details.get(key)
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, dict)]


def metrics_table(result: StageResult, caption: str) -> Table:
    """The generic fallback: every metric of a stage (labelled ones included), sorted by name."""
    rows = [[Cell(name), num(name, value)] for name, value in sorted(result.metrics.items())]
    return Table(caption, ("Metric", "Value"), rows)


def validity_table(result: StageResult) -> Table | None:
    """The stage's validity checks, failed first."""
    if not result.validity:
        return None
    checks = sorted(result.validity, key=lambda v: v.ok)
    rows = [[Cell(c.name), Cell("ok" if c.ok else "FAILED"), Cell(c.detail)] for c in checks]
    return Table(f"{result.stage}: validity checks", ("Check", "Result", "Detail"), rows)


def artifacts_table(result: StageResult) -> Table | None:
    """Links to the stage's raw artifacts."""
    if not result.artifacts:
        return None
    rows = [[Cell(name), Cell(path, href=path)] for name, path in sorted(result.artifacts.items())]
    return Table(f"{result.stage}: raw artifacts", ("Artifact", "File"), rows)


def findings_table(caption: str, findings: Iterable[Finding], columns: Sequence[tuple[str, Any]]) -> Table:
    """Findings with the given ``(header, getter)`` columns."""
    rows = [[text(get(f)) for _, get in columns] for f in findings]
    return Table(caption, [h for h, _ in columns], rows, sortable=len(rows) > 5)


def present(blocks: Iterable[Block | None]) -> list[Block]:
    """Drop the blocks a stage had no data for."""
    return [b for b in blocks if b is not None]
