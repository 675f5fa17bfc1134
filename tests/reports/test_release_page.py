"""The release manager's page on a real smoke load result with a constructed verdict: the verdict box
names what breached, met budgets fold, the latency chart draws its limit, endpoints carry their status,
security findings group by rule, count axes start at zero, trends follow the budgets and mark outcomes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import history, html, trend_view
from reports.blocks import Chart, Fold, Table, ViewContext, anchor_of
from reports.registry import RunView
from reports.views import findings_by_rule, stage_blocks, tools_used
from tests.reports.samples import budget, write_run
from vocabulary.records import Finding, Severity, StageResult, Status

RECORDED = Path(__file__).resolve().parent.parent / "data" / "recorded" / "smoke_load.json"
SLOW = "GET /api/models?category"


def _load() -> StageResult:
    return StageResult.from_dict(json.loads(RECORDED.read_text(encoding="utf-8")))


def _security() -> StageResult:
    def finding(rule: str, name: str, where: str, severity: Severity) -> Finding:
        return Finding(rule, severity, f"{name} on {where}", where, f"{rule}{where}", extra={"name": name, "cwe": 693})

    findings = [finding("10038", "CSP Header Not Set", f"GET /p{i}", Severity.MEDIUM) for i in range(6)]
    findings += [finding("10021", "X-Content-Type-Options Header Missing", "GET /", Severity.LOW)]
    versions = {"httpx": "0.28", "zapv2": "0.6.0"}  # ZAP itself did not run: no "zap" version
    return StageResult("security", Status.PASSED, "", "smoke", findings=findings, tool_versions=versions)


def _budgets(load: StageResult) -> list[BudgetResult]:
    p95 = load.metrics["load.http.p95_ms"]
    slow = load.metrics[f'load.endpoint["{SLOW}"].p95_ms']
    return [
        budget("api_p95", "load.http.p95_ms", "load", 10, p95, BudgetStatus.FAIL, description="overall p95"),
        budget(f"endpoint_p95[{SLOW}]", f'load.endpoint["{SLOW}"].p95_ms', "load", 10, slow, BudgetStatus.FAIL),
        budget(
            "endpoint_p95[GET /api/wiki]", 'load.endpoint["GET /api/wiki"].p95_ms', "load", 100, 14.3, BudgetStatus.PASS
        ),
        budget("error_ratio", "load.http.error_ratio", "load", 0.001, 0.0, BudgetStatus.PASS),
        budget("security_blocking", "security.findings.blocking", "security", 0, 6, BudgetStatus.FAIL),
        budget("security_grade", "security.grade_score", "security", 100, None, BudgetStatus.INCONCLUSIVE),
    ]


@pytest.fixture
def run(tmp_path: Path) -> RunView:
    load = _load()
    return RunView.load(write_run(tmp_path / "out" / "breached", [load, _security()], _budgets(load)))


def test_verdict_box_names_the_breached_budgets_with_links(run: RunView) -> None:
    page = html.render_html(run).replace("&#34;", '"')
    box = page[page.index('id="verdict"') : page.index('id="budgets"')]
    assert "What needs attention" in box
    for breached in ("api_p95", f"endpoint_p95[{SLOW}]", "security_blocking", "security_grade"):
        assert f'href="#{anchor_of(breached)}" class="id">{breached}</a>' in box
        assert f'id="{anchor_of(breached)}"' in page  # the link lands on the budget's row
    assert "12.76 ms against ≤ 10 ms; overall p95" in box
    assert "endpoint_p95[GET /api/wiki]" not in box and "error_ratio" not in box


def test_met_budgets_fold_per_stage_and_the_open_table_holds_the_rest(run: RunView) -> None:
    blocks = html.budget_blocks(run)
    assert isinstance(blocks[0], Table) and len(blocks[0].rows) == 4  # 3 breached + 1 inconclusive
    folds = [b for b in blocks if isinstance(b, Fold)]
    assert [f.summary for f in folds] == ["load: all 2 budgets met — endpoint_p95, error_ratio"]
    page = html.render_html(run)
    assert '<details class="fold"><summary class="st st-met">load: all 2 budgets met' in page
    assert 'th[id^="budget-"], a.id { white-space: nowrap; }' in page  # ids never wrap mid-word


def test_latency_chart_draws_the_limit_and_the_baseline(run: RunView) -> None:
    load = run.results["load"]
    context = ViewContext(baseline=load, budgets=[b for b in run.verdict.budgets if b.stage == "load"])
    charts = [b for b in stage_blocks(load, context) if isinstance(b, Chart)]
    latency = next(c.svg for c in charts if "Latency percentiles" in c.svg)
    assert "p95_ms limit (api_p95)" in latency and "baseline p95_ms" in latency
    assert "dasharray:8,5" in latency  # the overlays are dashed
    bare = next(c.svg for c in stage_blocks(load, None) if isinstance(c, Chart))
    assert "limit" not in bare and "baseline" not in bare


def test_count_charts_start_at_zero(run: RunView) -> None:
    charts = [b.svg for b in stage_blocks(run.results["load"], None) if isinstance(b, Chart)]
    rps = next(svg for svg in charts if "Requests per second" in svg)
    assert re.search(r'class="axis y[^"]*".*?<text[^>]*>0</text>', rps, re.DOTALL)  # y axis labels begin at 0


def test_endpoint_table_has_a_budget_status_column(run: RunView) -> None:
    context = ViewContext(budgets=run.verdict.budgets)
    table = next(b for b in stage_blocks(run.results["load"], context) if isinstance(b, Table))
    assert table.headers[-1] == "Budget status"
    status = {row[0].text: row[-1] for row in table.rows}
    assert status[SLOW].text == "breached" and status[SLOW].href == f"#{anchor_of(f'endpoint_p95[{SLOW}]')}"
    assert status["GET /api/wiki"].text == "met" and status["GET /api/categories"].text == "no budget"


def test_security_findings_grouped_by_rule_with_locations_folded(run: RunView) -> None:
    table = findings_by_rule(run.results["security"].findings)
    assert table.caption == "Security findings by rule (2 rules, 7 findings), highest risk first"
    first = table.rows[0]
    assert first[0].text == "CSP Header Not Set (10038)" and first[2].text == "6"
    assert first[3].text == "6 locations" and len(first[3].items) == 6
    assert "Solution" not in table.headers  # no finding recorded one
    page = html.render_html(run)
    assert "<details><summary>6 locations</summary><ul><li>GET /p0</li>" in page


def test_zap_client_version_only_when_zap_ran(run: RunView) -> None:
    security = run.results["security"]
    assert tools_used(security) == {"httpx": "0.28"}
    assert "zapv2" not in html.render_html(run)  # neither on the stage card nor in the run's tool versions
    security.tool_versions["zap"] = "2.16.0"
    assert tools_used(security) == {"httpx": "0.28", "zap": "2.16.0", "zapv2": "0.6.0"}


def test_stage_headings_carry_the_budget_outcome(run: RunView) -> None:
    page = html.render_html(run)
    assert re.search(r'Load <small class="st st-breached">\(ran, 2 budgets breached, 2 met\)</small>', page)


def test_trends_follow_the_budgets_and_mark_breached_runs(run: RunView, tmp_path: Path) -> None:
    out = run.out
    for i, (outcome, p95) in enumerate((("pass", 8.0), ("inconclusive", 9.0))):
        row = {
            "run_id": f"old{i}",
            "time": f"2026-02-0{i + 1}T10:00:00Z",
            "profile": "smoke",
            "outcome": outcome,
            "load.http.p95_ms": p95,
            "security.findings.blocking": 0.0,
            "budgets.fail": 0,
        }
        history.append(out, row | ({"faults": ["slow-catalogue"]} if i else {}))
    history.render(run)
    blocks = trend_view.blocks(out, run.verdict)
    table = blocks[0]
    assert isinstance(table, Table) and table.caption == "Verdict history (last 3 runs), newest first"
    assert [r[3].text for r in table.rows] == ["breached", "inconclusive", "pass"]
    assert table.rows[1][-1].text == "slow-catalogue"
    charts = [b.svg for b in blocks if isinstance(b, Chart)]
    titles = [re.search(r"<title id=[^>]*>([^<]*)</title>", svg)[1] for svg in charts]  # type: ignore[index]
    assert titles == ["load.http.p95_ms", "security.findings.blocking"]  # a security breach has its trend
    chart = charts[0]
    assert "limit (api_p95)" in chart and "#a4161a" in chart and "#6b3fa0" in chart  # breached red, inconclusive purple
    assert "02-02 10:00 ? ⚑" in chart and "✗" in chart  # the marks in words too
