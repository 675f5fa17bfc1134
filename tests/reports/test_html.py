"""report.html rendered offline: self-contained, verdict first, every budget and stage section present."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reports import html
from reports.blocks import Chart, Table, anchor_of
from reports.registry import RunView
from reports.views import stage_blocks
from tests.reports.conftest import SAMPLES
from vocabulary.records import StageResult, Status

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("name", SAMPLES)
def test_report_is_self_contained_and_lists_every_budget(report_run: Callable[[str], Path], name: str) -> None:
    run = RunView.load(report_run(name))
    page = html.render_html(run)
    assert not _EXTERNAL.search(page), "the report must not load anything over the network"
    assert "<script src" not in page and "<link" not in page and "xlink:href" not in page
    assert page.count("<h1") == 1
    assert page.index("Release verdict: " + run.verdict.outcome.value) < page.index('id="budgets"')
    for budget in run.verdict.budgets:
        assert f'<th scope="row" id="{anchor_of(budget.budget)}">{budget.budget}</th>' in page.replace("&#34;", '"')
    for stage in run.results:
        assert f'id="stage-{stage}"' in page


def test_missing_baseline_run_is_noted(report_run: Callable[[str], Path]) -> None:
    page = html.render_html(RunView.load(report_run("all_stages")))  # its baseline ../breach is absent
    assert "Baseline run could not be read" in page


def test_all_stages_sections_show_their_data(report_run: Callable[[str], Path]) -> None:
    report_run("breach")  # all_stages names ../breach as its baseline run
    page = html.render_html(RunView.load(report_run("all_stages")))
    assert page.count('role="img"') == 3  # latency, throughput/users and errors over time
    assert "<title id=" in page and "<desc id=" in page
    assert "p95 against the baseline run" in page and "improvement" in page
    assert "curl -X GET" in page  # contract failure reproduction
    assert "Findings by risk" in page and "CSP Header Not Set" in page
    assert "Violations by impact" in page and "img.card" in page
    assert 'href="e2e/upload/trace.zip"' in page and 'href="e2e/upload/failure.png"' in page
    assert "Web Vitals per page" in page and "Code coverage per module" in page
    assert "API operations exercised, by stage" in page
    assert "API operations no stage exercised" in page and "DELETE /api/models/{model_id}" in page
    assert "Git revision" in page and "7c6fd36" in page and "schemathesis version" in page


def test_stage_without_details_falls_back_to_every_metric() -> None:
    bare = StageResult(
        "load",
        Status.PASSED,
        "http://127.0.0.1:1",
        "smoke",
        metrics={"load.http.p95_ms": 80.0, 'load.endpoint["GET /x"].p95_ms': 90.0},
    )
    blocks = stage_blocks(bare, None)
    assert not any(isinstance(b, Chart) for b in blocks)
    tables = {b.caption: b for b in blocks if isinstance(b, Table)}
    endpoints = tables["Endpoints (1), slowest p95 first; latencies in ms"]
    assert endpoints.rows[0][0].text == "GET /x" and endpoints.rows[0][4].text == "90 ms"
    unknown = StageResult("coverage", Status.PASSED, "", "smoke", metrics={'coverage.file["a"].line_ratio': 0.5})
    metrics = [b for b in stage_blocks(unknown, None) if isinstance(b, Table)]
    assert metrics[0].rows[0][1].text == "50 %"


def test_malformed_details_do_not_break_the_report() -> None:
    odd = StageResult("e2e", Status.PASSED, "", "smoke", details={"workflows": "oops", "pages": [1, {"path": "/"}]})
    blocks = stage_blocks(odd, None)
    assert [b.caption for b in blocks if isinstance(b, Table)] == ["Web Vitals per page (median of loads)"]
