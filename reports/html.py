"""``report.html``: one self-contained page (inline CSS and SVG, no network) to decide "ship or not".

Order: the verdict in words, run notes, the budgets table, a section per stage, trends over the
last runs, and the run's metadata. A tiny inline script makes tables sortable; without it every
table is already in a useful order (slowest, riskiest, worst first).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import jinja2

from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from reports import trend_view
from reports.blocks import Block, Cell, Facts, Fold, Note, Section, Table, ViewContext, anchor_of, num
from reports.junit import duration_s
from reports.registry import RunView, handler
from reports.views import stage_blocks, tools_used, view_of
from vocabulary import atomic
from vocabulary.errors import HarnessError
from vocabulary.records import StageResult
from vocabulary.rundir import RunDir

FILE = "report.html"
_META_LABELS = (
    ("target_url", "Target"),
    ("profile", "Profile"),
    ("run_id", "Run"),
    ("git_revision", "Git revision"),
    ("started_at", "Started"),
    ("finished_at", "Finished"),
    ("complete", "Complete"),
    ("stages", "Stages"),
    ("harness_version", "Harness version"),
    ("budgets_file", "Budget file"),
    ("baseline_run", "Baseline run"),
    ("faults", "Fault switches"),
    ("python", "Python"),
)

_env = jinja2.Environment(
    loader=jinja2.PackageLoader(__package__ or "reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


MAX_NAMED = 5
"""Budgets the verdict box names (worst first) before "and N more"."""
_OPEN = (BudgetStatus.FAIL, BudgetStatus.INCONCLUSIVE, BudgetStatus.WARN)
"""Statuses listed openly in the budgets table; the others fold (met per stage, the rest by status)."""


def budgets_table(run: RunView, caption: str, budgets: list[BudgetResult]) -> Table:
    """``budgets`` in the given order with their message; each id is an anchor the page links to."""
    headers = ("Budget", "Stage", "Profile", "Limit", "Observed", "Baseline", "Change", "Status", "Message")

    def row(b: BudgetResult) -> list[Cell]:
        return [
            Cell(b.budget, anchor=anchor_of(b.budget)),
            Cell(b.stage, href=f"#stage-{b.stage}"),
            Cell(run.verdict.profile),
            Cell(fmt.limit(b).replace(" ", "\u00a0"), b.limit),  # "≤ 100 ms" stays on one line
            Cell(fmt.observed(b), b.observed),
            num(b.metric, b.baseline),
            Cell(fmt.change(b), b.change_pct),
            Cell(fmt.STATUS_WORDS[b.status]),
            Cell(b.message),
        ]

    return Table(caption, headers, [row(b) for b in budgets], sortable=True)


def budget_blocks(run: RunView) -> list[Block]:
    """What needs attention as an open table, worst first; met budgets folded per stage (the summary
    names their families), then not-enough-samples and not-applicable budgets folded by status."""
    budgets = fmt.ordered(run.verdict.budgets)
    shown = [b for b in budgets if b.status in _OPEN]
    blocks: list[Block] = []
    if shown:
        caption = f"Budgets breached, inconclusive or warning ({len(shown)}), worst first"
        blocks.append(budgets_table(run, caption, shown))
    for stage in run.verdict.in_run_order({b.stage for b in budgets if b.status is BudgetStatus.PASS}):
        met = [b for b in budgets if b.stage == stage and b.status is BudgetStatus.PASS]
        families = Counter(fmt.label_of(b.budget)[0] for b in met)
        named = ", ".join(f"{family} (x{n})" if n > 1 else family for family, n in families.items())
        table = budgets_table(run, f"{stage}: budgets met ({len(met)})", met)
        blocks.append(Fold(f"{stage}: {fmt.budget_counts(met)} — {named}", [table], "met"))
    for status in (BudgetStatus.NOT_ENOUGH_SAMPLES, BudgetStatus.NOT_APPLICABLE):
        rest = [b for b in budgets if b.status is status]
        if rest:
            word = fmt.STATUS_WORDS[status]
            table = budgets_table(run, f"Budgets {word} ({len(rest)})", rest)
            blocks.append(Fold(f"{len(rest)} {word}", [table], word))
    return blocks


def named_budgets(run: RunView) -> tuple[list[BudgetResult], int]:
    """The worst few breached or inconclusive budgets for the verdict box, and how many more there are."""
    worst = [b for b in fmt.ordered(run.verdict.budgets) if b.status in (BudgetStatus.FAIL, BudgetStatus.INCONCLUSIVE)]
    return worst[:MAX_NAMED], max(len(worst) - MAX_NAMED, 0)


def _baseline_results(run: RunView) -> tuple[dict[str, StageResult], str | None]:
    """The baseline run's results named in ``run.json`` (``baseline_run``), with a note if unreadable."""
    settings = run.meta.get("settings")
    location = run.meta.get("baseline_run") or (settings.get("baseline") if isinstance(settings, dict) else None)
    if not location:
        return {}, None
    path = Path(str(location))
    path = path if path.exists() else run.path / path
    try:
        return RunDir.open(path).results(), None
    except HarnessError as exc:
        return {}, f"Baseline run could not be read: {exc.message}"


def sections(run: RunView) -> list[Section]:
    """One section per stage that ran (plugins included), in the run order."""
    baseline, problem = _baseline_results(run)
    found = []
    for stage in run.verdict.in_run_order(run.results):
        result = run.results[stage]
        blocks: list[Block] = [Note(problem)] if problem and stage == "load" else []
        own = [b for b in run.verdict.budgets if b.stage == stage]
        blocks += stage_blocks(result, ViewContext(baseline.get(stage), own))
        words = fmt.stage_words(result, run.verdict.budgets)
        worst = fmt.STATUS_WORDS[fmt.ordered(tuple(own))[0].status] if own else ""
        found.append(Section(stage, view_of(stage).title, words, blocks, worst))
    return found


def metadata(run: RunView) -> list[Facts]:
    """The run's metadata, known keys first, then tool versions across stages."""
    meta = {"profile": run.verdict.profile, "run_id": run.run_id, **run.meta}
    items = [(label, _plain(meta[key])) for key, label in _META_LABELS if meta.get(key) not in (None, "", [])]
    known = {key for key, _ in _META_LABELS} | {"tool_versions", "notes"}
    items += [(key, _plain(v)) for key, v in sorted(meta.items()) if key not in known and not isinstance(v, dict)]
    items += [(f"{r.stage} duration", f"{duration_s(r):.1f} s") for r in run.results.values()]
    tools: dict[str, str] = dict(meta.get("tool_versions") or {})
    for result in run.results.values():
        tools.update(tools_used(result))
    return [Facts("Run", items), Facts("Tool versions", sorted(tools.items()))]


def _plain(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def render_html(run: RunView) -> str:
    """The report page as a string."""
    template = _env.get_template("report.html.j2")
    return template.render(
        verdict=run.verdict,
        outcome_words=fmt.outcome_words(run.verdict),
        counts=fmt.counts_sentence(run.verdict),
        stages=fmt.stages_sentence(run.verdict),
        run_id=run.run_id,
        target=run.meta.get("target_url", ""),
        budgets=budget_blocks(run),
        named=named_budgets(run),
        anchor_of=anchor_of,
        status_of=fmt.STATUS_WORDS,
        observed_of=lambda b: fmt.value(b.metric, b.observed),
        limit_of=fmt.limit,
        sections=sections(run),
        trends=trend_view.blocks(run.out, run.verdict),
        metadata=metadata(run),
        status_words={word: word.replace(" ", "-") for word in (*fmt.STATUS_WORDS.values(), "no budget")},
    )


@handler("html")
def render(run: RunView) -> Path:
    """Write ``report.html`` into the run folder."""
    target = run.path / FILE
    atomic.write_text(target, render_html(run))
    return target
