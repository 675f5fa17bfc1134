"""junit.xml: valid against the Jenkins JUnit schema, one unique test case per budget."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema

from perf_budgets.verdict import BudgetStatus
from reports import junit
from reports.registry import RunView
from tests.reports.conftest import SAMPLES

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "junit-10.xsd")


@pytest.mark.parametrize("name", SAMPLES)
def test_junit_validates_and_has_one_case_per_budget(report_run: Callable[[str], Path], name: str) -> None:
    run = RunView.load(report_run(name))
    path = junit.render(run)
    SCHEMA.validate(str(path))
    cases = ET.parse(path).getroot().findall("./testsuite/testcase")
    assert len(cases) == len(run.verdict.budgets)
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == len(cases)


def test_breach_is_failure_with_budget_message(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("breach"))
    root = ET.fromstring(junit.render_xml(run))
    failed = next(b for b in run.verdict.budgets if b.status is BudgetStatus.FAIL)
    case = root.find(f"./testsuite/testcase[@name='{failed.budget}']")
    assert case is not None and case.get("classname") == "load"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == failed.message
    assert root.get("failures") == "1" and root.get("errors") == "0"
    warned = root.find("./testsuite/testcase[@name='ws_p95']")
    assert warned is not None and warned.find("failure") is None
    assert "warning: load.ws.p95_ms is close" in (warned.findtext("system-out") or "")


def test_inconclusive_is_an_error_not_a_skip(report_run: Callable[[str], Path]) -> None:
    root = ET.fromstring(junit.render_xml(RunView.load(report_run("inconclusive"))))
    case = root.find("./testsuite/testcase[@name='api_p95']")
    assert case is not None and case.find("skipped") is None
    error = case.find("error")
    assert error is not None and "was not measured" in (error.get("message") or "")
    assert root.get("errors") == "1"


def test_duplicate_budget_ids_get_unique_names_and_control_chars_are_dropped(
    report_run: Callable[[str], Path],
) -> None:
    run = RunView.load(report_run("breach"))
    first = run.verdict.budgets[0]
    twin = dataclasses.replace(first, metric="load.http.p99_ms", message="bad\x00\x1bchars")
    run = dataclasses.replace(run, verdict=dataclasses.replace(run.verdict, budgets=(first, twin, twin)))
    text = junit.render_xml(run)
    SCHEMA.validate(text)
    names = [c.get("name") for c in ET.fromstring(text).iter("testcase")]
    assert names == ["api_p95", "api_p95 (load.http.p99_ms)", "api_p95 (load.http.p99_ms)#2"]
