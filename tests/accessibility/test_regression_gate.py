"""Fault ``a11y-regression``: the catalogue's violations are found, and the gate judges them.

The gate side covers the known-violations file: a listed violation passes, an expired one fails,
a new one fails, and a listed one that no longer occurs is reported as fixed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.records import Severity, StageResult, Status
from harness.target import BundledTarget
from perf_budgets.evaluator import evaluate
from perf_budgets.known import load_known
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import Outcome, Verdict
from tests.accessibility.conftest import stage_context

TODAY = datetime.date(2026, 6, 1)
BUDGETS = """schema_version = 1

[budgets.a11y_blocking]
metric = "a11y.findings.blocking"
max = 0
description = "No new WCAG 2.1 A/AA violation"
"""
REGRESSION = ("image-alt", "label", "color-contrast")


@pytest.fixture(scope="module")
def regression(target_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StageResult]:
    """One audit of the catalogue page of the app with the ``a11y-regression`` fault."""
    from accessibility.stage import run

    folder = tmp_path_factory.mktemp("a11y-regression")
    with BundledTarget(folder / "target.log", faults=("a11y-regression",), data_dir=target_data_dir) as app:
        options = {"pages": ["/models"], "auth_pages": [], "states": []}
        yield run(stage_context(folder / "run", app.url, bundled=True, options=options))


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
    listed = "".join(_entry(rule, "/models *") for rule in REGRESSION)
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
    listed = _entry("image-alt", "/models *") + _entry("label", "/models #q")
    verdict = _gate(regression, tmp_path, listed)
    assert verdict.outcome is Outcome.BREACHED
    message = verdict.budgets[0].message
    assert "color-contrast at /models " in message
    assert "image-alt at" not in message.split("Accepted")[0]
