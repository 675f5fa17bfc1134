"""Axe JSON -> findings and metrics: fingerprints, severity mapping, gated vs best practice."""

from __future__ import annotations

from typing import Any

from accessibility.results import (
    AuditRecord,
    fingerprint,
    normalise_selector,
    rule_findings,
    selector_text,
    wcag_criteria,
)
from accessibility.stage import validity
from accessibility.summary import AuditSummary
from tests.accessibility.axe_samples import CONTRAST, IMAGE_ALT, REGION, axe_result, node, rule
from vocabulary.records import Severity


def _record(axe: dict[str, Any], name: str = "/models", kind: str = "page", status: int | None = 200) -> AuditRecord:
    return AuditRecord(name=name, kind=kind, url=f"http://127.0.0.1:1{name}", status=status, axe=axe)


def test_selectors_keep_their_shape_but_lose_data_dependent_numbers() -> None:
    assert normalise_selector("#model-1234 > img") == "#model-N > img"
    assert normalise_selector("li:nth-child(3)  >  h2") == "li:nth-child(N) > h2"
    assert normalise_selector('a[href$="/models/4999"]') == 'a[href$="/models/N"]'


def test_iframe_and_shadow_chains_become_one_selector() -> None:
    assert selector_text(["iframe", "img"]) == "iframe >> img"
    assert selector_text([["#host", "button"]]) == "#host >>> button"


def test_fingerprint_is_stable_across_data_but_not_across_pages_or_rules() -> None:
    assert fingerprint("image-alt", "/models", "#model-7 img") == fingerprint("image-alt", "/models", "#model-42 img")
    assert fingerprint("image-alt", "/models", "img") != fingerprint("image-alt", "/", "img")
    assert fingerprint("image-alt", "/models", "img") != fingerprint("label", "/models", "img")
    assert fingerprint("label", "state:login-failed", "#q") == "a11y:label:state:login-failed:#q"


def test_wcag_tags_name_success_criteria() -> None:
    assert wcag_criteria(["wcag2a", "wcag111", "wcag1410", "best-practice"]) == ["1.1.1", "1.4.10"]


def test_each_distinct_element_is_its_own_finding_with_everything_a_report_needs() -> None:
    violation = rule(
        "image-alt",
        "critical",
        IMAGE_ALT,
        [
            node(["#model-1 img"], '<img src="a.svg">'),
            node(["#model-2 img"]),
            node(["header img"]),
        ],
    )
    findings = rule_findings(_record(axe_result([violation])), violation)
    assert [f.extra["selector"] for f in findings] == ["#model-N img", "header img"]
    first = findings[0]
    assert (first.rule, first.severity, first.location) == ("image-alt", Severity.CRITICAL, "/models #model-N img")
    assert first.extra["nodes"] == 2
    assert first.extra["help_url"].endswith("/image-alt")
    assert first.extra["html"] == '<img src="a.svg">'
    assert first.extra["wcag"] == ["1.1.1"]
    assert "image-alt help" in first.message and "/models" in first.message


def test_summary_gates_wcag_rules_and_reports_best_practice_apart() -> None:
    summary = AuditSummary()
    summary.add(
        _record(
            axe_result(
                violations=[
                    rule("color-contrast", "serious", CONTRAST, [node(["p.low"])]),
                    rule("region", "moderate", REGION, [node(["div.banner"])]),
                ],
                incomplete=[rule("color-contrast", "serious", CONTRAST, [node(["span.over-image"])])],
            )
        )
    )
    summary.add(_record(axe_result(), name="state:login-failed", kind="state", status=None))
    metrics = summary.metrics()
    assert [f.rule for f in summary.findings] == ["color-contrast"]
    assert summary.findings[0].severity is Severity.HIGH
    assert metrics["a11y.violations.serious"] == 1
    assert metrics["a11y.violations.critical"] == 0 and metrics["a11y.violations.minor"] == 0
    assert metrics["a11y.best_practice.violations.moderate"] == 1
    assert metrics["a11y.incomplete"] == 1
    assert (metrics["a11y.pages.audited"], metrics["a11y.states.audited"]) == (1, 1)
    assert metrics["a11y.rules.applied"] == 5  # 3 passing rules + color-contrast + region


def test_validity_fails_when_nothing_or_not_everything_was_audited() -> None:
    empty = {c.name: c.ok for c in validity(AuditSummary())}
    assert empty == {
        "pages_audited": False,
        "rules_applied": False,
        "all_targets_audited": True,
    }
    summary = AuditSummary()
    summary.add(_record(axe_result(), name="/models"))
    summary.add_failure("state:upload-done", "Timeout 30000ms exceeded")
    checks = {c.name: c for c in validity(summary)}
    assert checks["pages_audited"].ok and checks["rules_applied"].ok
    assert not checks["all_targets_audited"].ok and "state:upload-done" in checks["all_targets_audited"].detail


def test_a_page_that_answers_an_error_is_not_audited_and_is_named_for_the_budget() -> None:
    summary = AuditSummary()
    summary.add(_record(axe_result(), name="/models"))
    summary.add_unanswered("/gone", "http://127.0.0.1:1/gone", 500)
    metrics = summary.metrics()
    assert (metrics["a11y.pages.audited"], metrics["a11y.pages.unanswered"]) == (1, 1)
    assert metrics['a11y.page["/models"].audited'] == 1 and metrics['a11y.page["/gone"].audited'] == 0
    assert metrics["a11y.pages.audited_ratio"] == 0.5
    assert summary.details()["unanswered"] == [{"name": "/gone", "url": "http://127.0.0.1:1/gone", "status": 500}]
    assert all(check.ok for check in validity(summary))  # a measured product defect, not an invalid run
