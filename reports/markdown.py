"""``summary.md``: the verdict for a CI step summary or a pull-request comment.

Written for GitHub's renderer (cmark-gfm): every note is its own paragraph, free text is escaped so a
message never turns into emphasis or HTML, long messages are shortened at a word and keep their tip,
the budgets that need attention are shown in their own table and the full table is folded in
``<details>``, and findings are named by their rule (ZAP's alert name, not its number).

GitHub rejects comments over 65,536 characters, so the summary is built to stay far below
`MAX_CHARS`: the attention list and the findings are capped, the full table falls back to a few
met rows per labelled family ("… and N more") when it would not fit, and a final guard cuts at a
line boundary.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from reports.registry import RunView, handler
from vocabulary import atomic
from vocabulary.records import Finding, Severity

FILE = "summary.md"
MAX_CHARS = 50_000
"""Well under GitHub's 65,536-character comment limit, leaving room for a wrapper comment."""
MAX_TABLE_CHARS = 30_000
"""The full budget table's share of `MAX_CHARS`; a bigger table collapses met rows per family."""
MAX_ATTENTION = 30
"""Breached, inconclusive and warned budgets listed with their messages."""
PASSED_PER_GROUP = 3
"""Passing rows shown per labelled budget family when the full table would not fit."""
MAX_CELL = 200
MAX_MESSAGE = 400
"""A message's length before its tip; longer ones are shortened at a word."""
MAX_TIP = 300
MAX_FINDING_RULES = 15
"""Rules listed under "Findings", worst first."""
LOCATIONS_PER_RULE = 3

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
_TIP = " Tip: "
_MARKUP = re.compile(r"[\\`*<>\[\]~|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
"""Characters GFM would read as markup in free text (``_`` only at a word's edge: ``p95_ms`` stays)."""
_BLOCK_START = re.compile(r"^(\d*)([#+=.)-])")
"""A note's start GFM would read as a heading or a list item inside its quote (``# ``, ``- ``, ``1. ``)."""
_LITERAL = r"\1\\\2"
"""The block-start character escaped, after the digits of a would-be ordered-list number."""
_SEVERITY_RANK = {severity: i for i, severity in enumerate(Severity)}


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` characters (with "…")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:.") + "…"


def escape(text: str) -> str:
    """Inline free text that GFM shows as written: its markup characters escaped."""
    return _MARKUP.sub(lambda m: "\\" + m.group(0), text)


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, markup escaped, shortened at a word."""
    return escape(shorten(text, MAX_CELL))


def code(text: str, *, in_table: bool = False) -> str:
    """An inline code span for an id (a pipe in a table cell must be escaped even inside code)."""
    flat = " ".join(text.split())
    fence = "``" if "`" in flat else "`"
    body = f" {flat} " if fence == "``" else flat
    return fence + (body.replace("|", "\\|") if in_table else body) + fence


def status(budget: BudgetResult) -> str:
    """Icon plus the status in words."""
    return f"{_ICONS[budget.status]} {fmt.STATUS_WORDS[budget.status]}"


def _row(budget: BudgetResult) -> str:
    values = (
        fmt.limit(budget),
        fmt.observed(budget),
        fmt.value(budget.metric, budget.baseline),
        fmt.change(budget),
        status(budget),
    )
    cells = [code(budget.budget, in_table=True), cell(budget.stage), *(cell(v) for v in values)]
    return "| " + " | ".join(cells) + " |"


def _table_head() -> list[str]:
    return ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]


def _heading(run: RunView) -> list[str]:
    verdict = run.verdict
    facts = [f"profile {code(verdict.profile)}"]
    for key, label in (("target_url", "target"), ("git_revision", "git")):
        if run.meta.get(key):
            facts.append(f"{label} {code(shorten(str(run.meta[key]), MAX_CELL))}")
    facts.append(f"run {code(run.run_id)}")
    lines = [f"## Release budgets: {verdict.outcome.value}", "", f"**{escape(fmt.headline(verdict))}**", ""]
    lines += [f"Stages: {cell(fmt.stages_sentence(verdict))}", ""]
    lines += [" · ".join(facts), ""]
    return lines + _notes(verdict.notes)


def _notes(notes: Iterable[str]) -> list[str]:
    """One quoted paragraph per note: lines of one paragraph would run together into one sentence."""
    paragraphs = [f"> {_BLOCK_START.sub(_LITERAL, escape(shorten(note, MAX_MESSAGE)), count=1)}" for note in notes]
    if not paragraphs:
        return []
    return [*"\n>\n".join(paragraphs).split("\n"), ""]


def message(text: str) -> str:
    """A budget message as Markdown: its body shortened at a word, then its tip on a line of its own
    (a hard line break: the tip is what a reader acts on, so it is never the part that is cut)."""
    body, sep, tip = text.rpartition(_TIP)
    if not sep:
        return escape(shorten(text, MAX_MESSAGE))
    return f"{escape(shorten(body, MAX_MESSAGE))}\\\n  **Tip:** {escape(shorten(tip, MAX_TIP))}"


def _attention(budgets: list[BudgetResult]) -> list[str]:
    """The budgets that need attention: their rows first, then what each message says."""
    flagged = [b for b in budgets if b.status not in _SETTLED]
    if not flagged:
        return []
    shown = flagged[:MAX_ATTENTION]
    lines = ["### Needs attention", "", *_table_head(), *(_row(b) for b in shown), ""]
    for budget in shown:
        lines.append(f"- {status(budget)} {code(budget.budget)} ({escape(budget.stage)}): {message(budget.message)}")
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
        lines.append(f"- {icon} {', '.join(code(i) for i in ids)} ({escape(stage)}): {cell(reason)}")
    return [*lines, ""]


def _findings(run: RunView) -> list[str]:
    """Findings grouped by stage and rule, each rule by its name, worst severity first."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for stage, result in run.results.items():
        for finding in result.findings:
            groups.setdefault((stage, finding.rule), []).append(finding)
    if not groups:
        return []

    def rank(item: tuple[tuple[str, str], list[Finding]]) -> tuple[int, int, str, str]:
        (stage, rule), found = item
        return (min(_SEVERITY_RANK[f.severity] for f in found), -len(found), stage, rule)

    ranked = sorted(groups.items(), key=rank)
    lines = ["### Findings", ""]
    for (stage, _), found in ranked[:MAX_FINDING_RULES]:
        lines.append(f"- **{escape(stage)}** · {_finding_group(found)}")
    if len(ranked) > MAX_FINDING_RULES:
        lines.append(f"- … and {len(ranked) - MAX_FINDING_RULES} more rules (see `report.html`)")
    return [*lines, ""]


def _finding_group(found: list[Finding]) -> str:
    """``CSP Header Not Set (`10038`, medium): 3 places: `GET /`, `GET /wiki`, … and 1 more``."""
    first = min(found, key=lambda f: _SEVERITY_RANK[f.severity])
    name = str(first.extra.get("name") or "")
    title = f"{escape(shorten(name, MAX_CELL))} ({code(first.rule)}, " if name else f"{code(first.rule)} ("
    places = list(dict.fromkeys(f.location for f in found))
    listed = ", ".join(code(shorten(p, MAX_CELL)) for p in places[:LOCATIONS_PER_RULE])
    more = len(places) - LOCATIONS_PER_RULE
    where = listed + (f" and {more} more" if more > 0 else "")
    count = f"{len(places)} place" + ("s" if len(places) != 1 else "")
    return f"{title}{first.severity.value}): {count}: {where}"


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
            rows.append(f"| … and {hidden} more {code(family, in_table=True)} budgets, all met | | | | | | |")
    return rows


def _table(budgets: list[BudgetResult]) -> list[str]:
    """Every budget, folded: the rows that need attention are already shown above it."""
    rows = [_row(b) for b in budgets]
    if sum(len(r) + 1 for r in rows) > MAX_TABLE_CHARS:
        rows = _collapsed(budgets)
    counts = {s: sum(1 for b in budgets if b.status is s) for s in fmt.STATUS_ORDER}
    words = ", ".join(f"{n} {fmt.STATUS_WORDS[s]}" for s, n in counts.items() if n)
    # Inside an HTML block GFM reads no Markdown: the summary is HTML-escaped, and a blank line ends the
    # block so the table is Markdown again.
    summary = f"<summary>{html.escape(f'{len(budgets)} budgets: {words}')}</summary>"
    return ["### All budgets", "", "<details>", summary, "", *_table_head(), *rows, "", "</details>", ""]


def _bounded(lines: list[str]) -> str:
    """Join ``lines``, cutting at a line boundary with a note if the text would exceed `MAX_CHARS`
    (closing a ``<details>`` the cut left open, so the note is not folded away)."""
    note = "\n_Summary truncated to stay within the comment size limit; see `report.html`._\n"
    text = "\n".join(lines) + "\n"
    if len(text) <= MAX_CHARS:
        return text
    closing = "\n</details>\n"
    cut = text.rfind("\n", 0, MAX_CHARS - len(note) - len(closing))
    kept = text[: cut + 1]
    if kept.count("<details>") > kept.count("</details>"):
        kept += closing
    return kept + note


def render_text(run: RunView) -> str:
    """The Markdown summary as a string."""
    budgets = fmt.ordered(run.verdict.budgets)
    lines = _heading(run) + _attention(budgets) + _findings(run) + _not_applicable(run.verdict.budgets)
    lines += _table(budgets)
    lines.append("Full report: `report.html` · JUnit: `junit.xml`")
    return _bounded(lines)


@handler("markdown")
def render(run: RunView) -> Path:
    """Write ``summary.md`` into the run folder."""
    target = run.path / FILE
    atomic.write_text(target, render_text(run))
    return target
