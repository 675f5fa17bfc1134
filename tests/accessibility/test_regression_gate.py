"""Fault ``a11y-regression``: the catalogue's violations are found, and the gate judges them.

One run shared by the module: the bundled app's ``test_browse`` workflow (audited after each step) and the
accessibility stage over ``/models``, so the violations show up on the page and on workflow steps.
The gate side covers the known-violations file: a listed violation passes, an expired one fails,
a new one fails, a listed one that no longer occurs is reported as fixed, and an entry naming a
workflow step accepts that step's violation only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from perf_budgets.evaluator import evaluate
from perf_budgets.known import load_known
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import Outcome, Verdict
from stagekit.target import bundled_app
from tests.accessibility.test_workflow_steps import run_e2e_then_accessibility
from vocabulary.records import Severity, StageResult, Status
from vocabulary.rundir import RunDir

TODAY = datetime.date(2026, 6, 1)
BUDGETS = """schema_version = 1

[budgets.a11y_blocking]
metric = "a11y.findings.blocking"
max = 0
description = "No new WCAG 2.1 A/AA violation"
"""
REGRESSION = ("image-alt", "label", "color-contrast")
BROWSE = "test_catalogue.py::test_browse[chromium]"
"""The workflow: a test of the bundled app's own Playwright folder, named by its pytest node id."""


@pytest.fixture(scope="module")
def regression(target_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StageResult]:
    """The browse workflow's steps and the catalogue page, audited on the app with the fault."""
    folder = tmp_path_factory.mktemp("a11y-regression")
    with bundled_app(folder / "target.log", faults=("a11y-regression",), data_dir=target_data_dir) as app:
        run = RunDir.create(folder, "smoke")
        e2e, a11y = run_e2e_then_accessibility(run, app.url, ("test_browse",), pages=["/models"])
        assert e2e.status is Status.PASSED, e2e.error
        yield a11y


def _gate(result: StageResult, tmp_path: Path, known: str | None = None) -> Verdict:
    budgets_file = tmp_path / "budgets.toml"
    budgets_file.write_text(BUDGETS, encoding="utf-8")
    known_file = None
    if known is not None:
        known_file = tmp_path / "known.toml"
        known_file.write_text(known, encoding="utf-8")
    budgets = load_budgets(budgets_file)
    known_failures = load_known(known_file) if known_file else None
    return evaluate(budgets, "smoke", {"accessibility": result}, known=known_failures, today=TODAY)


def _entry(rule: str, location: str, expires: str = "2026-12-31") -> str:
    """One ``[[known]]`` table of the known-violations file."""
    return (
        f'[[known]]\nstage = "accessibility"\nrule = "{rule}"\nlocation = "{location}"\n'
        f'reason = "ticket A11Y-1"\nexpires = {expires}\n'
    )


@pytest.mark.slow
def test_fault_violations_are_found_by_rule_page_and_element(regression: StageResult) -> None:
    assert regression.status is Status.PASSED, regression.error
    on_catalogue = {f.rule: f for f in regression.findings if f.extra["page"] == "/models"}
    assert set(REGRESSION) <= set(on_catalogue)
    assert on_catalogue["image-alt"].severity is Severity.CRITICAL
    assert on_catalogue["label"].extra["selector"] == "#q"
    assert on_catalogue["color-contrast"].severity is Severity.HIGH
    assert "low-contrast" in on_catalogue["color-contrast"].extra["html"]
    assert all(on_catalogue[r].extra["help_url"].startswith("https://dequeuniversity.com/") for r in REGRESSION)
    assert regression.metrics["a11y.violations.critical"] >= 2
    assert regression.metrics["a11y.violations.serious"] >= 1


@pytest.mark.slow
def test_gate_fails_naming_each_rule_and_the_page(regression: StageResult, tmp_path: Path) -> None:
    verdict = _gate(regression, tmp_path)
    assert verdict.outcome is Outcome.BREACHED
    message = verdict.budgets[0].message
    for rule in REGRESSION:
        assert f"{rule} at /models " in message


@pytest.mark.slow
def test_listed_violations_pass_and_a_listed_but_absent_one_is_reported_fixed(
    regression: StageResult, tmp_path: Path
) -> None:
    listed = "".join(_entry(rule, "/models *") + _entry(rule, f"{BROWSE}/* *") for rule in REGRESSION)
    verdict = _gate(regression, tmp_path, listed + _entry("document-title", "/models *"))
    assert verdict.outcome is Outcome.PASS, verdict.budgets[0].message
    assert any("document-title at /models *" in note and "no longer occurs" in note for note in verdict.notes)


@pytest.mark.slow
def test_an_expired_listing_fails_again(regression: StageResult, tmp_path: Path) -> None:
    listed = _entry("image-alt", "/models *", expires="2026-01-31") + _entry("label", "/models *")
    listed += _entry("color-contrast", "/models *")
    verdict = _gate(regression, tmp_path, listed)
    assert verdict.outcome is Outcome.BREACHED
    assert "image-alt" in verdict.budgets[0].message and "expired" in " ".join(verdict.notes)


@pytest.mark.slow
def test_a_new_violation_fails_even_when_others_on_the_page_are_listed(regression: StageResult, tmp_path: Path) -> None:
    listed = _entry("image-alt", "*") + _entry("label", "*#q")
    verdict = _gate(regression, tmp_path, listed)
    assert verdict.outcome is Outcome.BREACHED
    message = verdict.budgets[0].message
    assert "color-contrast at /models " in message
    assert "image-alt at" not in message.split("Accepted")[0]


PAGE_LISTED = "".join(_entry(rule, "/models *") for rule in REGRESSION)
"""Accepts the page list's violations, so only the workflow steps' ones are left to judge."""


@pytest.mark.slow
def test_gate_fails_naming_the_rule_and_the_workflow_step(regression: StageResult, tmp_path: Path) -> None:
    on_step = {f.rule: f for f in regression.findings if f.location.startswith(f"{BROWSE}/open catalogue ")}
    assert set(REGRESSION) <= set(on_step)
    assert on_step["label"].extra["kind"] == "step" and on_step["label"].extra["selector"] == "#q"
    assert regression.metrics["a11y.steps.audited"] >= 2 and regression.metrics["a11y.pages.audited"] == 1
    verdict = _gate(regression, tmp_path, PAGE_LISTED)
    assert verdict.outcome is Outcome.BREACHED
    message = verdict.budgets[0].message
    for rule in REGRESSION:
        assert f"{rule} at {BROWSE}/open catalogue " in message


@pytest.mark.slow
def test_a_listed_step_accepts_exactly_that_steps_violation(regression: StageResult, tmp_path: Path) -> None:
    known_file = tmp_path / "known.toml"
    known_file.write_text(PAGE_LISTED + _entry("label", f"{BROWSE}/open catalogue #q"), encoding="utf-8")
    triage = load_known(known_file).triage("accessibility", regression.findings, TODAY)
    on_steps = [(f.rule, f.location) for f, _ in triage.accepted if f.extra["kind"] == "step"]
    assert on_steps == [("label", f"{BROWSE}/open catalogue #q")]
    new = {(f.rule, f.location) for f in triage.new}
    assert ("label", f"{BROWSE}/next page #q") in new, "the same rule on another step must still block"
    assert ("image-alt", f'{BROWSE}/open catalogue img[src="/thumbnails/N.svg"]') in new
    assert _gate(regression, tmp_path, known_file.read_text(encoding="utf-8")).outcome is Outcome.BREACHED
