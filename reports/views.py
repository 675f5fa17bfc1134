"""One HTML section per stage, built defensively from ``StageResult`` fields and known ``details`` keys.

What each stage may put in its result (every key optional; see ``reports/README.md``):

- e2e: ``details["workflows"]`` rows ``{id, name, outcome, duration_s, failed_step, trace, screenshot}``
  (trace/screenshot relative to the run folder), ``details["pages"]`` rows
  ``{path, load_ms, ttfb_ms, fcp_ms, lcp_ms, cls, inp_ms}``.
- contracts: findings with ``extra["reproduction"]`` (a curl command) and ``extra["operation"]``.
- security: findings (severity = risk) with ``extra["solution"]``, ``extra["cwe"]``;
  ``details["grade"]`` (e.g. ``"A+"``) and the ``security.grade_score`` metric.
- accessibility: findings with ``extra["impact"]``, ``extra["page"]``, ``extra["selector"]``
  (or ``extra["target"]`` list), ``extra["tags"]``, ``extra["help_url"]``.
- coverage: ``details["modules"]`` rows ``{path, statements, covered_lines, branches, covered_branches,
  line_ratio}``, ``details["operations_matrix"]`` rows ``{operation, stages: {stage: bool}}``,
  ``details["uncovered_operations"]`` (list of "METHOD /path").
- any other stage (a plugin): the generic view, its findings; `stage_blocks` adds every metric, the
  validity checks and the artifacts to each view.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from reports import format as fmt
from reports import load_view
from reports.blocks import (
    Block,
    Cell,
    Facts,
    Note,
    Table,
    ViewContext,
    artifacts_table,
    findings_table,
    metrics_table,
    num,
    present,
    rows_of,
    text,
    validity_table,
)
from reports.junit import duration_s
from vocabulary.records import Finding, Severity, StageResult, Status

View = Callable[[StageResult, ViewContext], list[Block]]

_SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}
_IMPACT_OF = {"critical": "critical", "high": "serious", "medium": "moderate", "low": "minor", "info": "minor"}
_IMPACT_RANK = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
_PAGE_METRIC = re.compile(r'^e2e\.page\["(?P<path>.+)"\]\.(?P<field>\w+)$')
_CLIENT_OF = {"zapv2": "zap"}
"""A client library → the tool it drives: the library's version is shown only if the tool ran."""
_VITALS = (
    ("Load", "load_ms"),
    ("TTFB", "ttfb_ms"),
    ("FCP", "fcp_ms"),
    ("LCP", "lcp_ms"),
    ("CLS", "cls"),
    ("INP", "inp_ms"),
)


def _extra(key: str, *fallbacks: str) -> Callable[[Finding], Any]:
    def get(finding: Finding) -> Any:
        for name in (key, *fallbacks):
            value = finding.extra.get(name)
            if value:
                return ", ".join(map(str, value)) if isinstance(value, list) else value
        return None

    return get


def impact(finding: Finding) -> str:
    """An axe impact from ``extra["impact"]``, else mapped from the severity."""
    return str(finding.extra.get("impact") or _IMPACT_OF[finding.severity.value])


def _counts(title: str, labels: list[str], order: list[str]) -> Facts:
    return Facts(title, [(name, str(labels.count(name))) for name in order])


def contracts(result: StageResult, _: ViewContext) -> list[Block]:
    """Contract failures with the request that reproduces each."""
    columns = (
        ("Check", lambda f: f.rule),
        ("Operation", lambda f: f.extra.get("operation") or f.location),
        ("Severity", lambda f: f.severity.value),
        ("Failure", lambda f: f.message),
        ("Reproduce with", _extra("reproduction", "curl")),
    )
    if not result.findings:
        return [Note("No contract failures.")]
    return [findings_table(f"Contract failures ({len(result.findings)})", result.findings, columns)]


def _grade(result: StageResult) -> list[Block]:
    """The grade as facts (letter and score) plus its tests when the stage recorded them."""
    grade = result.details.get("grade")
    info: dict[str, Any] = grade if isinstance(grade, dict) else {"letter": grade}
    score = info.get("score", result.metrics.get("security.grade_score"))
    letter = info.get("letter") or "—"
    facts = Facts("Grade", [("Grade", str(letter)), ("Score", "—" if score is None else f"{score:g}")])
    tests = rows_of(info, "tests")
    rows = [[text(t.get("test")), text(t.get("result")), num("modifier", t.get("modifier"))] for t in tests]
    table = Table("Grade tests", ("Test", "Result", "Score modifier"), rows, True) if rows else None
    return present([facts, table])


def _rule_name(finding: Finding) -> str:
    """The rule by name with its id, e.g. "CSP Header Not Set (10038)"; the id alone without a name."""
    name = finding.extra.get("name")
    return f"{name} ({finding.rule})" if name and name != finding.rule else finding.rule


def _where(finding: Finding) -> str:
    return f"{finding.location}: {finding.evidence}" if finding.evidence else finding.location


def findings_by_rule(findings: list[Finding]) -> Table:
    """One row per rule, highest risk first, then most found: its count and its locations folded."""
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: _SEVERITY_RANK[f.severity.value]):
        groups.setdefault(finding.rule, []).append(finding)
    ranked = sorted(groups.values(), key=lambda g: (_SEVERITY_RANK[g[0].severity.value], -len(g)))
    rows = [
        [
            Cell(_rule_name(group[0])),
            Cell(group[0].severity.value),
            Cell(str(len(group)), len(group)),
            Cell(f"{len(group)} location{'s' if len(group) > 1 else ''}", items=[_where(f) for f in group]),
            text(group[0].message),
            text(_extra("cwe")(group[0])),
        ]
        for group in ranked
    ]
    headers = ["Rule", "Risk", "Findings", "Where", "Finding", "CWE"]
    solutions = [_extra("solution")(group[0]) for group in ranked]
    if any(solutions):
        headers.append("Solution")
        rows = [[*row, text(solution)] for row, solution in zip(rows, solutions, strict=True)]
    caption = f"Security findings by rule ({len(rows)} rules, {len(findings)} findings), highest risk first"
    return Table(caption, headers, rows, True)


def security(result: StageResult, _: ViewContext) -> list[Block]:
    """The header/cookie grade, findings counted by risk, and grouped by rule."""
    summary = _counts("Findings by risk", [f.severity.value for f in result.findings], [s.value for s in Severity])
    table = findings_by_rule(result.findings) if result.findings else Note("No security findings.")
    return [*_grade(result), summary, table]


def accessibility(result: StageResult, _: ViewContext) -> list[Block]:
    """Violations by impact with the page and the element's selector."""
    findings = sorted(result.findings, key=lambda f: _IMPACT_RANK.get(impact(f), 9))
    summary = _counts("Violations by impact", [impact(f) for f in findings], list(_IMPACT_RANK))
    columns = (
        ("Impact", impact),
        ("Rule", lambda f: f.rule),
        ("Page", lambda f: _extra("page", "url")(f) or f.location),
        ("Element", _extra("selector", "target")),
        ("Problem", lambda f: f.message),
        ("WCAG", _extra("tags")),
    )
    table = findings_table(f"Accessibility violations ({len(findings)}), most severe first", findings, columns)
    return [summary, table if findings else Note("No accessibility violations.")]


def _link(value: Any) -> Cell:
    return Cell(str(value), href=str(value)) if isinstance(value, str) and value else Cell("—")


def _vital(row: dict[str, Any], key: str) -> Any:
    """A page value at the row's top level or under ``median`` (the e2e stage's shape)."""
    median = row.get("median")
    return row.get(key, median.get(key) if isinstance(median, dict) else None)


def page_rows(result: StageResult) -> list[dict[str, Any]]:
    """Per-page Web Vitals rows from details, else rebuilt from ``e2e.page[...]`` metrics."""
    rows = rows_of(result.details, "pages")
    if rows:
        return [
            {
                "path": r.get("path") or r.get("name"),
                **{k: _vital(r, k) for _, k in _VITALS},
                "score": r.get("score"),
                "error": r.get("error"),
            }
            for r in rows
        ]
    rebuilt: dict[str, dict[str, Any]] = {}
    for metric, value in result.metrics.items():
        match = _PAGE_METRIC.match(metric)
        if match:
            rebuilt.setdefault(match["path"], {"path": match["path"]})[match["field"]] = value
    return list(rebuilt.values())


def e2e(result: StageResult, _: ViewContext) -> list[Block]:
    """Workflows with their trace and screenshot, then Web Vitals per page."""
    flows = rows_of(result.details, "workflows")
    flow_rows = [
        [
            text(w.get("name") or w.get("id")),
            text(w.get("outcome")),
            num("duration_s", w.get("duration_s")),
            text(w.get("failed_step")),
            _link(w.get("trace")),
            _link(w.get("screenshot")),
        ]
        for w in flows
    ]
    headers = ("Workflow", "Outcome", "Duration", "Failed step", "Trace", "Screenshot")
    pages = page_rows(result)
    vitals = [
        [text(p.get("path"))]
        + [num(key, p.get(key)) for _, key in _VITALS]
        + [num("score", p.get("score")), text(p.get("error"))]
        for p in pages
    ]
    return present(
        [
            Table(f"Workflows ({len(flows)})", headers, flow_rows) if flows else None,
            Table(
                "Web Vitals per page (median of loads)",
                ["Page", *(h for h, _ in _VITALS), "Score", "Error"],
                vitals,
                True,
            )
            if pages
            else None,
        ]
    )


def _ratio(covered: Any, total: Any) -> float | None:
    if isinstance(covered, int | float) and isinstance(total, int | float) and total:
        return float(covered) / float(total)
    return None


def coverage(result: StageResult, _: ViewContext) -> list[Block]:
    """Operations no stage exercised, the operation x stage matrix, and per-module code coverage."""
    matrix = rows_of(result.details, "operations_matrix")
    stages = sorted({stage for row in matrix for stage in (row.get("stages") or {})})
    uncovered = [str(op) for op in result.details.get("uncovered_operations") or []]
    blocks: list[Block] = []
    if uncovered or matrix:
        blocks.append(Facts("API operations no stage exercised", [("Operations", ", ".join(uncovered) or "none")]))
    if matrix:
        rows = [
            [text(row.get("operation")), *(text("yes" if (row.get("stages") or {}).get(s) else "no") for s in stages)]
            for row in matrix
        ]
        blocks.append(Table("API operations exercised, by stage", ("Operation", *stages), rows, True))
    modules = rows_of(result.details, "modules")
    module_rows = [
        [
            text(m.get("path")),
            num("coverage.line_ratio", m.get("line_ratio")),
            num("coverage.branch_ratio", _ratio(m.get("covered_branches"), m.get("branches"))),
            text(f"{m.get('covered_lines')}/{m.get('statements')}"),
        ]
        for m in sorted(modules, key=lambda m: m.get("line_ratio") or 0.0)
    ]
    if module_rows:
        blocks.append(
            Table(
                "Code coverage per module, lowest first", ("Module", "Lines", "Branches", "Covered"), module_rows, True
            )
        )
    return blocks


def generic(result: StageResult, _: ViewContext) -> list[Block]:
    """A stage without a view of its own (a plugin): its findings, highest severity first."""
    findings = sorted(result.findings, key=lambda f: _SEVERITY_RANK[f.severity.value])
    columns = (
        ("Rule", _rule_name),
        ("Severity", lambda f: f.severity.value),
        ("Location", lambda f: f.location),
        ("Finding", lambda f: f.message),
    )
    return [findings_table(f"{result.stage}: findings ({len(findings)})", findings, columns)] if findings else []


@dataclasses.dataclass(frozen=True)
class StageView:
    """How the report shows one stage: its section title and its own blocks."""

    title: str
    blocks: View


VIEWS: dict[str, StageView] = {
    "load": StageView("Load", load_view.blocks),
    "e2e": StageView("End-to-end workflows and Web Vitals", e2e),
    "contracts": StageView("API contracts", contracts),
    "security": StageView("Security", security),
    "accessibility": StageView("Accessibility", accessibility),
    "coverage": StageView("Coverage", coverage),
}
"""The stages with a view of their own; every other stage gets `view_of`'s generic one."""


def view_of(stage: str) -> StageView:
    """The stage's own view, else the generic one titled by its name (a plugin stage)."""
    return VIEWS.get(stage) or StageView(stage, generic)


def tools_used(result: StageResult) -> dict[str, str]:
    """The stage's tool versions, without a client library whose tool did not run (the ZAP client
    ``zapv2`` is installed in every run, ZAP itself only used when it was reachable)."""
    return {
        tool: version
        for tool, version in result.tool_versions.items()
        if _CLIENT_OF.get(tool, tool) in result.tool_versions
    }


def overview(result: StageResult) -> Facts:
    """Status, time, tool versions, error, and what does not apply to the target, of one stage."""
    items = [("Status", fmt.stage_status(result)), ("Duration", f"{duration_s(result):.1f} s")]
    items += [(f"{tool} version", version) for tool, version in sorted(tools_used(result).items())]
    # A stage that does not apply keeps its reason in ``error``; the status already says it.
    if result.error and result.status is not Status.NOT_APPLICABLE:
        items.append(("Error", result.error))
    items += [(f"Not applicable: {pattern}", reason) for pattern, reason in result.not_applicable.items()]
    return Facts("Stage", items)


def stage_blocks(result: StageResult, context: ViewContext | None = None) -> list[Block]:
    """The stage's own view (`view_of`), then its run-level metrics, validity checks and artifacts.

    Without a stage-specific table (details missing, or the generic view) every metric is listed.
    A stage that does not apply shows only why: its view would read "no failures", a pass in disguise.
    """
    if result.status is Status.NOT_APPLICABLE:
        return present([overview(result), artifacts_table(result)])
    view = view_of(result.stage).blocks
    specific = view(result, context or ViewContext())
    has_data = view is not generic and any(isinstance(b, Table) for b in specific)
    metrics = metrics_table(result, f"{result.stage}: metrics")
    if has_data:
        metrics = Table(metrics.caption, metrics.headers, [r for r in metrics.rows if "[" not in r[0].text])
    return present(
        [
            overview(result),
            *specific,
            metrics if metrics.rows else None,
            validity_table(result),
            artifacts_table(result),
        ]
    )
