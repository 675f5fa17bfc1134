"""``junit.xml``: one test case per budget, so any CI shows budgets like tests.

Mapping: one ``<testsuite>`` per stage; ``classname`` = stage, ``name`` = budget id with its
label (made unique with the metric if two budgets share an id). A breached budget is a
``<failure>`` whose message is the budget message; a warned budget passes with the warning in
``<system-out>``. An **inconclusive** budget is an ``<error>``, not ``<skipped>``: JUnit's error
means "the test could not reach a judgement", and CI systems count errors as not passing, while
skipped would show a run that measured nothing as green (exit code 2 must stay visible). A
**not applicable** budget (it cannot apply to this target) is ``<skipped message="not applicable:
reason">``: neither passed nor failed, which is exactly what it is, and the exit code ignores it too.
Errors the run met (a stage crash, a harness bug: `Verdict.errors`) are one more suite,
``harness``, with an ``<error>`` per error, so CI shows them beside the budgets they did not void.
Validated in tests against the Jenkins xunit-plugin ``junit-10.xsd``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from reports.registry import RunView, handler
from vocabulary import atomic
from vocabulary.records import StageResult

FILE = "junit.xml"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without the control characters XML 1.0 forbids."""
    return _XML_INVALID.sub("", text)


def duration_s(result: StageResult | None) -> float:
    """Wall time of a stage from its timestamps, 0 when unknown."""
    if result is None or not result.finished_at:
        return 0.0
    start = datetime.fromisoformat(result.started_at.replace("Z", "+00:00"))
    end = datetime.fromisoformat(result.finished_at.replace("Z", "+00:00"))
    return max((end - start).total_seconds(), 0.0)


def unique_names(budgets: Iterable[BudgetResult]) -> dict[int, str]:
    """A test name per budget (by position) that is unique within its stage."""
    names: dict[int, str] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, budget in enumerate(budgets):
        name = budget.budget
        key = (budget.stage, name)
        if key in seen:
            name = f"{budget.budget} ({budget.metric})"
        while (budget.stage, name) in seen:
            name = f"{name}#{index}"
        seen[(budget.stage, name)] = index
        names[index] = name
    return names


def _testcase(suite: ET.Element, budget: BudgetResult, name: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=budget.stage, name=clean(name), time="0")
    message = clean(budget.message)
    if budget.status is BudgetStatus.FAIL:
        ET.SubElement(case, "failure", type="budget-breached", message=message).text = message
    elif budget.status is BudgetStatus.INCONCLUSIVE:
        ET.SubElement(case, "error", type="budget-inconclusive", message=message).text = message
    elif budget.status is BudgetStatus.NOT_ENOUGH_SAMPLES:
        ET.SubElement(case, "skipped", type="budget-not-enough-samples", message=message).text = message
    elif budget.status is BudgetStatus.NOT_APPLICABLE:
        reason = clean(f"not applicable: {budget.reason}")
        ET.SubElement(case, "skipped", type="budget-not-applicable", message=reason).text = message
    facts = (
        f"metric: {budget.metric}\nlimit: {fmt.limit(budget)}\n"
        f"observed: {fmt.observed(budget)}\n"
        f"status: {fmt.STATUS_WORDS[budget.status]}\n"
    )
    if budget.status is BudgetStatus.WARN:
        facts += f"warning: {message}\n"
    ET.SubElement(case, "system-out").text = clean(facts)


def _suite(root: ET.Element, stage: str, budgets: list[tuple[BudgetResult, str]], run: RunView) -> None:
    counts = {status: sum(1 for b, _ in budgets if b.status is status) for status in BudgetStatus}
    suite = ET.SubElement(
        root,
        "testsuite",
        name=stage,
        tests=str(len(budgets)),
        failures=str(counts[BudgetStatus.FAIL]),
        errors=str(counts[BudgetStatus.INCONCLUSIVE]),
        skipped=str(counts[BudgetStatus.NOT_APPLICABLE] + counts[BudgetStatus.NOT_ENOUGH_SAMPLES]),
        time=f"{duration_s(run.results.get(stage)):.3f}",
        timestamp=run.verdict.generated_at,
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="profile", value=run.verdict.profile)
    ET.SubElement(props, "property", name="outcome", value=run.verdict.outcome.value)
    for budget, name in budgets:
        _testcase(suite, budget, name)


def _error_suite(root: ET.Element, run: RunView) -> None:
    """The ``harness`` suite: one errored test case per error the run met."""
    errors = run.verdict.errors
    count = str(len(errors))
    attrs = {"name": "harness", "tests": count, "failures": "0", "errors": count, "skipped": "0", "time": "0"}
    suite = ET.SubElement(root, "testsuite", attrs, timestamp=run.verdict.generated_at)
    for index, error in enumerate(errors, start=1):
        case = ET.SubElement(suite, "testcase", classname="harness", name=f"error {index} (exit {int(error.code)})")
        message = clean(error.message)
        ET.SubElement(case, "error", type="harness-error", message=message).text = message


def render_xml(run: RunView) -> str:
    """The JUnit XML document as a string."""
    budgets = run.verdict.budgets
    names = unique_names(budgets)
    by_stage: dict[str, list[tuple[BudgetResult, str]]] = {}
    for index, budget in enumerate(budgets):
        by_stage.setdefault(budget.stage, []).append((budget, names[index]))
    counts = run.verdict.counts()
    errors = run.verdict.errors
    root = ET.Element(
        "testsuites",
        name=f"release budgets ({run.verdict.profile})",
        tests=str(len(budgets) + len(errors)),
        failures=str(counts[BudgetStatus.FAIL.value]),
        errors=str(counts[BudgetStatus.INCONCLUSIVE.value] + len(errors)),
    )
    for stage, members in by_stage.items():
        _suite(root, stage, members, run)
    if errors:
        _error_suite(root, run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@handler("junit")
def render(run: RunView) -> Path:
    """Write ``junit.xml`` into the run folder."""
    target = run.path / FILE
    atomic.write_text(target, render_xml(run))
    return target
