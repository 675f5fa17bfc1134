"""``summary.md``: the verdict for a CI step summary or a pull-request comment.

GitHub rejects comments over 65,536 characters, so the summary is built to stay far below
`MAX_CHARS`: per-label budgets (one per endpoint or page) that passed collapse into
"… and N more", the attention list is capped, and a final guard cuts at a line boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness import atomic
from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from reports.registry import RunView, handler

FILE = "summary.md"
MAX_CHARS = 50_000
"""Well under GitHub's 65,536-character comment limit, leaving room for a wrapper comment."""
MAX_ATTENTION = 30
"""Breached, inconclusive and warned budgets listed with their messages."""
PASSED_PER_GROUP = 3
"""Passing rows shown per labelled budget family before they collapse."""
MAX_CELL = 200

_ICONS = {
    BudgetStatus.FAIL: "❌",
    BudgetStatus.INCONCLUSIVE: "❓",
    BudgetStatus.WARN: "⚠️",
    BudgetStatus.PASS: "✅",
    BudgetStatus.NOT_APPLICABLE: "⚪",
    BudgetStatus.NOT_ENOUGH_SAMPLES: "🔹",
}
_SETTLED = (BudgetStatus.PASS, BudgetStatus.NOT_APPLICABLE, BudgetStatus.NOT_ENOUGH_SAMPLES)
"""Statuses that need no attention (a not-applicable budget gets its own section, with the reason; one
with too few samples keeps its row in the table, whose Observed cell shows the count)."""
_HEADER = ("Budget", "Stage", "Limit", "Observed", "Baseline", "Change", "Status")


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, bounded length."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= MAX_CELL else flat[: MAX_CELL - 1] + "…"


def status(budget: BudgetResult) -> str:
    """Icon plus the status in words."""
    return f"{_ICONS[budget.status]} {fmt.STATUS_WORDS[budget.status]}"


def _row(budget: BudgetResult) -> str:
    values = (
        f"`{budget.budget}`",
        budget.stage,
        fmt.limit(budget),
        fmt.observed(budget),
        fmt.value(budget.metric, budget.baseline),
        fmt.change(budget),
        status(budget),
    )
    return "| " + " | ".join(cell(v) for v in values) + " |"


def _heading(run: RunView) -> list[str]:
    verdict = run.verdict
    facts = [f"profile `{verdict.profile}`"]
    for key, label in (("target_url", "target"), ("git_revision", "git")):
        if run.meta.get(key):
            facts.append(f"{label} `{cell(str(run.meta[key]))}`")
    facts.append(f"run `{run.run_id}`")
    lines = [f"## Release budgets: {verdict.outcome.value}", "", f"**{fmt.headline(verdict)}**", ""]
    lines += [f"Stages: {cell(fmt.stages_sentence(verdict))}", ""]
    lines += [" · ".join(facts), ""]
    lines += [f"> {cell(note)}" for note in verdict.notes]
    return lines + ([""] if verdict.notes else [])


def _attention(budgets: list[BudgetResult]) -> list[str]:
    flagged = [b for b in budgets if b.status not in _SETTLED]
    if not flagged:
        return []
    lines = ["### Needs attention", ""]
    for budget in flagged[:MAX_ATTENTION]:
        lines.append(f"- {status(budget)} `{cell(budget.budget)}` ({budget.stage}): {cell(budget.message)}")
    if len(flagged) > MAX_ATTENTION:
        lines.append(f"- … and {len(flagged) - MAX_ATTENTION} more (see `report.html`)")
    return [*lines, ""]


def _not_applicable(budgets: tuple[BudgetResult, ...]) -> list[str]:
    """One line per stage and reason: the budgets that cannot apply to this target, and why."""
    groups = fmt.not_applicable_groups(budgets)
    if not groups:
        return []
    icon = _ICONS[BudgetStatus.NOT_APPLICABLE]
    lines = ["### Not applicable to this target", ""]
    for stage, reason, ids in groups:
        lines.append(f"- {icon} {cell(', '.join(f'`{i}`' for i in ids))} ({stage}): {cell(reason)}")
    return [*lines, ""]


def _families(budgets: Iterable[BudgetResult]) -> list[list[BudgetResult]]:
    """Budgets grouped by family (the id without its label), worst family first."""
    groups: dict[str, list[BudgetResult]] = {}
    for budget in budgets:
        groups.setdefault(fmt.label_of(budget.budget)[0], []).append(budget)
    ranked = [fmt.ordered(tuple(members)) for members in groups.values()]
    rank = {status: i for i, status in enumerate(fmt.STATUS_ORDER)}
    return sorted(ranked, key=lambda m: (rank[m[0].status], m[0].stage, m[0].budget))


def _collapsed(budgets: Iterable[BudgetResult]) -> list[str]:
    """Table rows per budget family: every non-passing row, a few passing ones, then a count."""
    rows: list[str] = []
    for members in _families(budgets):
        passed = [b for b in members if b.status is BudgetStatus.PASS]
        shown = [b for b in members if b.status is not BudgetStatus.PASS] + passed[:PASSED_PER_GROUP]
        rows += [_row(b) for b in shown]
        hidden = len(passed) - PASSED_PER_GROUP
        if hidden > 0:
            family = fmt.label_of(members[0].budget)[0]
            rows.append(f"| … and {hidden} more `{cell(family)}` budgets, all met | | | | | | |")
    return rows


def _table(budgets: list[BudgetResult]) -> list[str]:
    head = ["### All budgets", "", "| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    return head + _collapsed(budgets) + [""]


def _bounded(lines: list[str]) -> str:
    """Join ``lines``, cutting at a line boundary with a note if the text would exceed `MAX_CHARS`."""
    note = "\n_Summary truncated to stay within the comment size limit; see `report.html`._\n"
    text = "\n".join(lines) + "\n"
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS - len(note))
    return text[: cut + 1] + note


def render_text(run: RunView) -> str:
    """The Markdown summary as a string."""
    budgets = fmt.ordered(run.verdict.budgets)
    lines = _heading(run) + _attention(budgets) + _not_applicable(run.verdict.budgets) + _table(budgets)
    lines.append("Full report: `report.html` · JUnit: `junit.xml`")
    return _bounded(lines)


@handler("markdown")
def render(run: RunView) -> Path:
    """Write ``summary.md`` into the run folder."""
    target = run.path / FILE
    atomic.write_text(target, render_text(run))
    return target
