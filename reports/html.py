"""``report.html``: one self-contained page (inline CSS and SVG, no network) to decide "ship or not".

Order: the verdict in words, run notes, the budgets table, a section per stage, trends over the
last runs, and the run's metadata. A tiny inline script makes tables sortable; without it every
table is already in a useful order (slowest, riskiest, worst first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from harness import atomic
from harness.errors import HarnessError
from harness.records import STAGES, StageResult
from harness.rundir import RunDir
from perf_budgets.verdict import BudgetResult
from reports import format as fmt
from reports import history
from reports.blocks import Block, Cell, Chart, Facts, Note, Section, Table, num
from reports.charts import line_chart
from reports.junit import duration_s
from reports.registry import RunView, handler
from reports.views import stage_blocks

FILE = "report.html"
TREND_RUNS = 20
_STAGE_TITLES = {
    "load": "Load",
    "e2e": "End-to-end workflows and Web Vitals",
    "contracts": "API contracts",
    "security": "Security",
    "accessibility": "Accessibility",
    "coverage": "Coverage",
}
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
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def budgets_table(run: RunView) -> Table:
    """Every budget, worst first, with its message."""
    headers = ("Budget", "Stage", "Profile", "Limit", "Observed", "Baseline", "Change", "Status", "Message")

    def row(b: BudgetResult) -> list[Cell]:
        return [
            Cell(b.budget),
            Cell(b.stage),
            Cell(run.verdict.profile),
            Cell(fmt.limit(b), b.limit),
            Cell(fmt.observed(b), b.observed),
            num(b.metric, b.baseline),
            Cell(fmt.change(b), b.change_pct),
            Cell(fmt.STATUS_WORDS[b.status]),
            Cell(b.message),
        ]

    rows = [row(b) for b in fmt.ordered(run.verdict.budgets)]
    return Table(f"Budgets ({len(rows)}), worst first", headers, rows, sortable=True)


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
    """One section per stage that ran, in the run order."""
    baseline, problem = _baseline_results(run)
    found = []
    for stage in STAGES:
        result = run.results.get(stage)
        if result is None:
            continue
        blocks: list[Block] = [Note(problem)] if problem and stage == "load" else []
        blocks += stage_blocks(result, baseline.get(stage))
        words = fmt.stage_words(result, run.verdict.budgets)
        found.append(Section(stage, _STAGE_TITLES.get(stage, stage), words, blocks))
    return found


def trend_blocks(run: RunView) -> list[Block]:
    """Small charts of the key metrics recorded in two or more of the last runs."""
    frame = history.trends(run.out, history.KEY_METRICS, TREND_RUNS)
    labels = [str(t)[5:16].replace("T", " ") for t in frame["time"]] if "time" in frame.columns else []
    blocks: list[Block] = []
    for metric in history.KEY_METRICS:
        if metric not in frame.columns or frame[metric].notna().sum() < 2:
            continue
        values = [None if v != v else float(v) for v in frame[metric]]
        desc = f"{metric} over the last {len(values)} runs, oldest first; latest {fmt.value(metric, values[-1])}."
        svg = line_chart(metric, desc, range(len(values)), {metric: values}, x_labels=labels, size=(560, 260))
        blocks.append(Chart(svg))
    return blocks or [Note("Trends appear once a metric is recorded in two or more runs (history.jsonl).")]


def metadata(run: RunView) -> list[Facts]:
    """The run's metadata, known keys first, then tool versions across stages."""
    meta = {"profile": run.verdict.profile, "run_id": run.run_id, **run.meta}
    items = [(label, _plain(meta[key])) for key, label in _META_LABELS if meta.get(key) not in (None, "", [])]
    known = {key for key, _ in _META_LABELS} | {"tool_versions", "notes"}
    items += [(key, _plain(v)) for key, v in sorted(meta.items()) if key not in known and not isinstance(v, dict)]
    items += [(f"{r.stage} duration", f"{duration_s(r):.1f} s") for r in run.results.values()]
    tools: dict[str, str] = dict(meta.get("tool_versions") or {})
    for result in run.results.values():
        tools.update(result.tool_versions)
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
        budgets=budgets_table(run),
        sections=sections(run),
        trends=trend_blocks(run),
        metadata=metadata(run),
        status_words={word: word.replace(" ", "-") for word in fmt.STATUS_WORDS.values()},
    )


@handler("html")
def render(run: RunView) -> Path:
    """Write ``report.html`` into the run folder."""
    target = run.path / FILE
    atomic.write_text(target, render_html(run))
    return target
