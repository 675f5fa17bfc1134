"""From the sidecar and the journeys' report to metrics, and what the stage plans for a description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from e2e import results
from e2e.lighthouse import Page
from e2e.plan import Options, plan_for
from stagekit.description import TargetDescription
from vocabulary.errors import HarnessError
from vocabulary.records import StageResult, Status


def _result() -> StageResult:
    return StageResult("e2e", Status.PASSED, "http://127.0.0.1:9", "smoke")


def _test(nodeid: str, outcome: str, pages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"nodeid": nodeid, "outcome": outcome, "duration_s": 1.0, "failed_step": None, "steps": [],
            "error": "boom" if outcome != "passed" else "", "pages": pages or [], "operations": []}  # fmt: skip


def _sample(path: str, lcp_ms: float) -> dict[str, Any]:
    return {"path": path, "ttfb_ms": 10.0, "fcp_ms": lcp_ms, "lcp_ms": lcp_ms, "cls": 0.0, "load_ms": None,
            "inp_ms": None}  # fmt: skip


def test_the_pass_ratio_counts_tests_that_ran_to_an_outcome() -> None:
    result = _result()
    sidecar = {"tests": [_test("t.py::a", "passed"), _test("t.py::b", "error"), _test("t.py::c", "skipped")]}
    results.add_workflows(result, sidecar, lambda path: path)
    assert result.metrics["e2e.workflows.total"] == 2
    assert result.metrics["e2e.workflows.pass_ratio"] == 0.5
    (finding,) = result.findings
    assert (finding.location, finding.message) == ("t.py::b", "workflow 't.py::b' failed")
    assert [w["outcome"] for w in result.details["workflows"]] == ["passed", "error", "skipped"]


def test_only_skipped_tests_leave_the_workflow_metrics_unmeasured() -> None:
    result = _result()
    results.add_workflows(result, {"tests": [_test("t.py::c", "skipped")]}, lambda path: path)
    assert "e2e.workflows.pass_ratio" not in result.metrics
    assert [c.ok for c in result.validity] == [False]


def test_pages_the_tests_opened_fill_in_where_no_journey_went() -> None:
    result = _result()
    journeys = {"pages": [
        {"name": "/", "median": {"lcp_ms": 900.0, "cls": 0.0}, "error": None, "skipped": None},
        {"name": "/gone", "median": {}, "error": "GET /gone answered 404", "skipped": None},
        {"name": "/file.zip", "median": {}, "error": None, "skipped": "a file download"},
    ]}  # fmt: skip
    tests = [
        _test("t.py::a", "passed", [_sample("/", 5000.0), _sample("/cart", 1000.0), _sample("/cart", 3000.0)]),
        _test("t.py::b", "passed", [_sample("/cart", 2000.0), _sample("/gone", 100.0)]),
    ]
    results.add_pages(result, journeys, tests)
    assert result.metrics['e2e.page["/"].lcp_ms'] == 900.0, "a journey's cold load is the page's measure"
    assert result.metrics['e2e.page["/cart"].lcp_ms'] == 2000.0, "the median of what the tests saw"
    assert 'e2e.page["/gone"].lcp_ms' not in result.metrics, "a page the journeys could not load stays failed"
    assert [f.location for f in result.findings] == ["/gone"]
    assert result.details["skipped_pages"] == [{"name": "/file.zip", "reason": "a file download"}]
    assert not [metric for metric in result.metrics if "score" in metric], "only Lighthouse scores pages"
    # Lighthouse takes the journeys' pages first, then each route the tests opened at a path they saw.
    assert results.to_score(result) == [Page("/", "/"), Page("/cart", "/cart")]


def test_pages_each_run_creates_are_one_route() -> None:
    result = _result()
    tests = [
        _test("t.py::a", "passed", [_sample("/wiki/e2e-edit-a3893de1/edit", 100.0), _sample("/models/5001", 300.0)]),
        _test("t.py::b", "passed", [_sample("/wiki/e2e-edit-77c0ffee/edit", 300.0), _sample("/models/7", 500.0)]),
    ]
    results.add_pages(result, {"pages": []}, tests)
    pages = sorted(key for key in result.metrics if key.endswith(".lcp_ms"))
    assert pages == ['e2e.page["/models/[id]"].lcp_ms', 'e2e.page["/wiki/[id]/edit"].lcp_ms']
    assert result.metrics['e2e.page["/models/[id]"].lcp_ms'] == 400.0
    assert [page.path for page in results.to_score(result)] == ["/models/5001", "/wiki/e2e-edit-a3893de1/edit"]
    assert results.page_route("/wiki/getting-started-10") == "/wiki/getting-started-10", "a slug is no id"


def test_operations_are_the_distinct_requests_of_tests_and_journeys() -> None:
    tests = [{"operations": ["GET /", "POST /login"]}, {"operations": ["GET /"]}]
    assert results.operations(tests, {"operations": ["GET /about"]}) == ["GET /", "GET /about", "POST /login"]


def test_without_tests_or_pages_the_journeys_crawl(tmp_path: Path) -> None:
    plan = plan_for(TargetDescription(), Options())
    assert (plan.tests, plan.crawl, plan.journeys) == (None, True, True)


def test_the_pages_option_replaces_the_description_and_keeps_signed_in_pages_signed_in(tmp_path: Path) -> None:
    described = TargetDescription(
        pages=("/", "/models"), auth_pages=("/dashboard",), playwright_tests=tmp_path, source=str(tmp_path / "x.toml")
    )
    plan = plan_for(described, Options(pages=("/", "/dashboard")))
    assert (plan.pages, plan.auth_pages, plan.crawl, plan.project) == (("/",), ("/dashboard",), False, tmp_path)
    assert plan_for(described, Options(pages=())).journeys is False


def test_a_missing_test_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="not a folder"):
        plan_for(TargetDescription(playwright_tests=tmp_path / "nope"), Options())
