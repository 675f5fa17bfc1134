"""The budgets as a rich table for the terminal (`harness run`, `harness gate`)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from perf_budgets.verdict import BudgetStatus, Outcome, Verdict
from reports import format as fmt

_STYLES = {
    BudgetStatus.PASS: "green",
    BudgetStatus.WARN: "yellow",
    BudgetStatus.FAIL: "bold red",
    BudgetStatus.INCONCLUSIVE: "magenta",
    BudgetStatus.NOT_APPLICABLE: "cyan",
    BudgetStatus.NOT_ENOUGH_SAMPLES: "blue",
}
_OUTCOME_STYLES = {
    Outcome.PASS: "bold green",
    Outcome.BREACHED: "bold red",
    Outcome.INCONCLUSIVE: "bold magenta",
    Outcome.ERROR: "bold yellow",
}


def budget_table(verdict: Verdict) -> Table:
    """One row per budget, worst first; the status column is a word, colour only adds to it."""
    table = Table(title=fmt.headline(verdict), title_justify="left", expand=False)
    for name, justify in (
        ("Budget", "left"),
        ("Stage", "left"),
        ("Limit", "right"),
        ("Observed", "right"),
        ("Baseline", "right"),
        ("Change", "right"),
        ("Status", "left"),
    ):
        # Fold, never truncate: a CI log must show the whole budget and endpoint name.
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for budget in fmt.ordered(verdict.budgets):
        # Text cells, not strings: rich would read "[id]" in a request name as markup and drop it.
        cells = (
            budget.budget,
            budget.stage,
            fmt.limit(budget),
            fmt.observed(budget),
            fmt.value(budget.metric, budget.baseline),
            fmt.change(budget),
        )
        table.add_row(*map(Text, cells), Text(fmt.STATUS_WORDS[budget.status], style=_STYLES[budget.status]))
    return table


def print_verdict(verdict: Verdict, run_path: Path | None = None, console: Console | None = None) -> None:
    """The budgets table, the messages of every budget not met, why others did not apply, the stages
    that judged the release, the outcome, then where the reports are."""
    # A CI log is not a terminal: rich would assume 80 columns and squeeze the table.
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    console.print(budget_table(verdict))
    for budget in fmt.ordered(verdict.budgets):
        # Too few samples: the table row already says so, with the count.
        if budget.status not in (BudgetStatus.PASS, BudgetStatus.NOT_APPLICABLE, BudgetStatus.NOT_ENOUGH_SAMPLES):
            word = fmt.STATUS_WORDS[budget.status]
            console.print(Text.assemble((f"{word}: {budget.budget}: ", _STYLES[budget.status]), budget.message))
    # One line per reason, not per budget: a target without an OpenAPI document is one fact.
    for stage, reason, ids in fmt.not_applicable_groups(verdict.budgets):
        head = (f"not applicable: {', '.join(ids)} ({stage}): ", _STYLES[BudgetStatus.NOT_APPLICABLE])
        console.print(Text.assemble(head, reason))
    for note in verdict.notes:
        console.print(Text(f"note: {note}"))
    console.print(Text(fmt.stages_sentence(verdict)))
    console.print(Text(fmt.outcome_words(verdict), style=_OUTCOME_STYLES[verdict.outcome]))
    if run_path is not None:
        console.print(Text(f"report: {run_path / 'report.html'}"))
