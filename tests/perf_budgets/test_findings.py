"""Findings policy and the known-failures file, as the gate applies them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from perf_budgets.evaluator import evaluate
from perf_budgets.known import load_known
from perf_budgets.model import Action, Budget, BudgetFile, Comparison, FindingsPolicy
from perf_budgets.verdict import BudgetStatus, Outcome, Verdict
from tests.perf_budgets.conftest import stage_result, write
from vocabulary.errors import HarnessError
from vocabulary.records import Finding, Severity, Status

TODAY = datetime.date(2025, 6, 1)
BLOCKING = Budget(id="sec", metric="security.findings.blocking", comparison=Comparison.MAX, limit=0)
CSP = Finding("10038", Severity.MEDIUM, "CSP header not set", "http://127.0.0.1:8123/models", "fp-csp")
HSTS = Finding("10035", Severity.LOW, "HSTS not set", "http://127.0.0.1:8123/", "fp-hsts")
XCTO = Finding("10021", Severity.HIGH, "X-Content-Type-Options missing", "http://127.0.0.1:8123/", "fp-xcto")

KNOWN = """
[[known]]
stage = "security"
rule = "10038"
location = "/models"
reason = "CSP rollout, WEB-12"
expires = {csp_expires}

[[known]]
stage = "security"
rule = "10098"
fingerprint = "fp-gone"
reason = "fixed upstream soon"
expires = 2030-01-01
"""


def _gate(
    tmp_path: Path, findings: list[Finding], csp_expires: str = "2030-01-01", status: Status = Status.PASSED
) -> Verdict:
    """Gate one security result against the blocking budget with the KNOWN file."""
    known = load_known(write(tmp_path, KNOWN.format(csp_expires=csp_expires), "known.toml"))
    budgets = BudgetFile(path=Path("b.toml"), budgets=(BLOCKING,))
    result = stage_result("security", {"security.grade_score": 90.0}, findings=findings, status=status)
    return evaluate(budgets, "smoke", {"security": result}, known=known, today=TODAY)


def test_listed_finding_is_accepted(tmp_path: Path) -> None:
    verdict = _gate(tmp_path, [CSP, HSTS])
    (result,) = verdict.budgets
    assert (result.status, result.observed) == (BudgetStatus.PASS, 0.0)
    assert "Accepted as known failures: 1" in result.message
    assert verdict.outcome is Outcome.PASS


def test_expired_entry_blocks_again(tmp_path: Path) -> None:
    verdict = _gate(tmp_path, [CSP], csp_expires="2025-05-31")
    (result,) = verdict.budgets
    assert (result.status, result.observed) == (BudgetStatus.FAIL, 1.0)
    assert "past their expiry (blocking again): 10038 at /models" in result.message
    assert any("expired on 2025-05-31 (CSP rollout, WEB-12)" in note for note in verdict.notes)


def test_expiry_day_itself_still_accepts(tmp_path: Path) -> None:
    assert _gate(tmp_path, [CSP], csp_expires="2025-06-01").outcome is Outcome.PASS


def test_new_finding_blocks_and_is_named(tmp_path: Path) -> None:
    verdict = _gate(tmp_path, [CSP, XCTO])
    (result,) = verdict.budgets
    assert result.status is BudgetStatus.FAIL
    assert "Counted: 10021 at http://127.0.0.1:8123/." in result.message
    assert "Actual: 1 / Limit: 0" in result.message


def test_absent_listed_finding_is_reported_fixed(tmp_path: Path) -> None:
    verdict = _gate(tmp_path, [CSP])
    assert any("10098 at fingerprint fp-gone no longer occurs" in note for note in verdict.notes)
    assert "fixed" in verdict.budgets[0].message


def test_incomplete_stage_reports_nothing_as_fixed(tmp_path: Path) -> None:
    verdict = _gate(tmp_path, [], status=Status.INCOMPLETE)
    assert not any("no longer occurs" in note for note in verdict.notes)
    assert verdict.budgets[0].status is BudgetStatus.INCONCLUSIVE


def test_many_blocking_findings_are_listed_up_to_five(tmp_path: Path) -> None:
    findings = [Finding(f"r{i}", Severity.HIGH, "x", f"/p{i}", f"fp{i}") for i in range(8)]
    message = _gate(tmp_path, findings).budgets[0].message
    assert "r4 at /p4 and 3 more" in message and "r5 at" not in message


def test_policy_rule_overrides_severity() -> None:
    policy = FindingsPolicy(rules={"10021": Action.IGNORE, "10035": Action.FAIL})
    assert policy.action_for(XCTO) is Action.IGNORE
    assert policy.action_for(HSTS) is Action.FAIL
    assert policy.action_for(CSP) is Action.FAIL


def test_warning_counts_are_derived_too() -> None:
    warn_budget = Budget(id="w", metric="security.findings.warning", comparison=Comparison.MAX, limit=0)
    budgets = BudgetFile(path=Path("b.toml"), budgets=(warn_budget,))
    verdict = evaluate(budgets, "smoke", {"security": stage_result("security", findings=[HSTS])})
    assert (verdict.budgets[0].observed, verdict.budgets[0].status) == (1.0, BudgetStatus.FAIL)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[[known]]\nstage = "security"\nrule = "1"\nreason = "r"\nexpires = 2030-01-01\n', "'location' or"),
        ('[[known]]\nstage = "security"\nrule = "1"\nlocation = "/"\nreason = "r"\nexpires = "soon"\n', "TOML date"),
        ('[[known]]\nstage = "security"\nrule = "1"\nlocation = "/"\nreasn = "r"\nexpires = 2030-01-01\n', "'reason'"),
    ],
)
def test_known_file_mistakes_are_precise(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(HarnessError) as caught:
        load_known(write(tmp_path, "# known failures\n" + text, "known.toml"))
    assert caught.value.message.startswith(f"{tmp_path}/known.toml:")
    assert fragment in caught.value.render()
