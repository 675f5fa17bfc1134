"""The contracts stage with real Schemathesis against the real bundled app on loopback."""

from __future__ import annotations

import dataclasses
import datetime
import re
import secrets
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
import psutil
import pytest

from contracts import stage
from harness import gate
from perf_budgets.verdict import BudgetStatus
from stagekit.description import AuthRecipe, TargetDescription, bundled_description
from stagekit.target import AppProcess
from target_app import DEMO_PASSWORD, DEMO_USERNAME
from tests.contracts.conftest import stage_context
from tests.fixtures.gate import judge, not_passing
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

pytestmark = pytest.mark.slow

MODEL_DETAIL = "GET /api/models/{model_id}"
TESTER_PASSWORD = "tester-" + secrets.token_hex(12)
_BEARER_VALUE = re.compile(r"Bearer [A-Za-z0-9_\-.]{8,}")


def _with_auth(**recipe: object) -> TargetDescription:
    """The bundled app's description with another auth recipe (the login one, changed by ``recipe``)."""
    described = bundled_description()
    return dataclasses.replace(described, auth=dataclasses.replace(described.auth, **recipe))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def clean_run(clean_app: AppProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[StageResult, Path]:
    """One smoke run of the whole stage on the clean app, shared by the tests that read it."""
    run_dir = tmp_path_factory.mktemp("clean-run")
    # A fresh account, so the credential check below is not fooled by the schema's demo examples.
    account = {"username": "contracts-tester", "email": "ct@example.com", "password": TESTER_PASSWORD}
    httpx.post(f"{clean_app.url}/api/auth/register", json=account).raise_for_status()
    started = time.monotonic()
    described = _with_auth(body={"username": "contracts-tester", "password": TESTER_PASSWORD})
    result = stage.run(stage_context(run_dir, clean_app.url, description=described))
    print(f"\ncontracts smoke stage on the bundled app: {time.monotonic() - started:.1f} s")
    return result, run_dir


def test_clean_app_has_no_contract_failures(clean_run: tuple[StageResult, Path]) -> None:
    result, _ = clean_run
    failures = [f"{f.rule} on {f.location}: {f.message}\n  {f.evidence}" for f in result.findings]
    assert failures == [], "\n".join(failures)
    assert result.status is Status.PASSED


def test_clean_run_tests_every_operation_with_auth(clean_run: tuple[StageResult, Path]) -> None:
    result, _ = clean_run
    assert all(check.ok for check in result.validity), result.validity
    metrics = result.metrics
    assert metrics["contracts.failures.total"] == len(result.findings)
    assert metrics["contracts.operations.tested"] == metrics["contracts.operations.total"] > 0
    assert metrics["contracts.operations.tested_ratio"] == 1.0
    assert metrics['contracts.check["ignored_auth"].failures'] == 0
    assert metrics['contracts.check["use_after_free"].failures'] == 0
    assert result.details["seed"] == 20240101 and result.details["auth"] == "login"
    assert result.tool_versions["schemathesis"].startswith("4.")


def test_clean_run_passes_every_contracts_budget_of_the_shipped_file(clean_run: tuple[StageResult, Path]) -> None:
    result, _ = clean_run
    assert result.details["left_untested"] == {}
    assert not_passing(judge({"contracts": result})) == {}


def test_artifacts_hold_no_credentials_and_junit_names_are_unique(clean_run: tuple[StageResult, Path]) -> None:
    result, run_dir = clean_run
    texts = {name: (run_dir / rel).read_text(encoding="utf-8") for name, rel in result.artifacts.items()}
    assert {"junit", "schemathesis_events", "schemathesis_report", "openapi"} <= set(texts)
    for name, text in texts.items():
        assert not _BEARER_VALUE.search(text), name
        assert TESTER_PASSWORD not in text, name
    root = ElementTree.fromstring(texts["junit"].encode())
    names = [case.get("name") for case in root.iter("testcase")]
    assert len(names) == len(set(names)) > 0
    assert "GET /api/me :: ignored_auth" in names
    assert f"{MODEL_DETAIL} :: response_schema_conformance" in names


@pytest.fixture(scope="module")
def faulty_run(faulty_app: AppProcess, tmp_path_factory: pytest.TempPathFactory) -> tuple[StageResult, Path]:
    """The detail operation of the faulty app, tested until error-rate's 1-in-50 500 must occur."""
    run_dir = tmp_path_factory.mktemp("faulty-run")
    ctx = stage_context(run_dir, faulty_app.url, include=[r"^GET /api/models/\{model_id\}$"], max_examples=80)
    result = stage.run(ctx)
    RunDir(run_dir).write_result(result)  # validates it against the stage-result schema
    return result, run_dir


def test_schema_violation_and_error_rate_faults_are_found(faulty_run: tuple[StageResult, Path]) -> None:
    result, _ = faulty_run
    assert result.status is Status.FAILED
    found = {(f.rule, f.location): f for f in result.findings}
    assert set(found) == {("response_schema_conformance", MODEL_DETAIL), ("not_a_server_error", MODEL_DETAIL)}
    violation = found[("response_schema_conformance", MODEL_DETAIL)]
    assert "rating_avg" in violation.extra["detail"]
    assert violation.evidence.startswith("curl -X GET ") and "/api/models/" in violation.evidence
    assert violation.extra["reproduction"] == violation.evidence
    assert found[("not_a_server_error", MODEL_DETAIL)].extra["status_code"] == 500
    assert result.metrics['contracts.check["response_schema_conformance"].failures'] == 1
    assert result.metrics['contracts.check["not_a_server_error"].failures'] == 1
    assert result.metrics["contracts.failures.total"] == 2
    assert result.metrics["contracts.operations.selected"] == 1


def _known_entry(check: str, expires: datetime.date) -> str:
    return (
        f'[[known]]\nstage = "contracts"\nrule = "{check}"\nlocation = "{MODEL_DETAIL}"\n'
        f'reason = "tracked in API-7"\nexpires = {expires.isoformat()}\n'
    )


@pytest.mark.parametrize(
    ("listed", "days_left", "status", "named"),
    [
        (("response_schema_conformance", "not_a_server_error"), 30, BudgetStatus.PASS, ""),
        (
            ("response_schema_conformance", "not_a_server_error"),
            -1,
            BudgetStatus.FAIL,
            "Known failures past their expiry",
        ),
        (("not_a_server_error",), 30, BudgetStatus.FAIL, f"response_schema_conformance at {MODEL_DETAIL}"),
        ((), 30, BudgetStatus.FAIL, f"response_schema_conformance at {MODEL_DETAIL}"),
    ],
    ids=["listed-passes", "expired-fails", "new-fails", "no-known-file-entry-fails"],
)
def test_gate_applies_known_contract_failures(
    faulty_run: tuple[StageResult, Path],
    tmp_path: Path,
    listed: tuple[str, ...],
    days_left: int,
    status: BudgetStatus,
    named: str,
) -> None:
    _, run_dir = faulty_run
    expires = datetime.date.today() + datetime.timedelta(days=days_left)
    known = tmp_path / "known-failures.toml"
    known.write_text("\n".join(_known_entry(check, expires) for check in listed), encoding="utf-8")
    verdict = gate.judge(RunDir(run_dir), gate.load_inputs(None, known, None), profile="smoke")
    blocking = next(b for b in verdict.budgets if b.budget == "contracts_blocking")
    assert blocking.status is status, blocking.message
    assert named in blocking.message


def test_clean_run_notes_say_what_the_harness_set(clean_run: tuple[StageResult, Path]) -> None:
    result, run_dir = clean_run
    notes = result.details["notes"]
    assert "seed = 20240101 (replayable)" in notes and "generation.max-examples = 5" in notes
    assert any(n.startswith("auth.dynamic.openapi.") and "${HARNESS_CONTRACTS_LOGIN_1}" in n for n in notes)
    assert f"--url {result.target_url}" in notes
    config = (run_dir / result.artifacts["schemathesis_config"]).read_text(encoding="utf-8")
    assert "${HARNESS_CONTRACTS_LOGIN_1}" in config and TESTER_PASSWORD not in config
    assert "GET /api/models/{model_id}" in result.details["operations"]


def test_failed_login_stops_the_stage(clean_app: AppProcess, tmp_path: Path) -> None:
    described = _with_auth(body={"username": DEMO_USERNAME, "password": "not-the-password"})
    result = stage.run(stage_context(tmp_path, clean_app.url, description=described))
    assert result.status is Status.ERROR
    assert result.error is not None
    assert "login at POST /api/auth/login failed: HTTP 401" in result.error
    assert result.metrics == {} and result.findings == []


def _bearer(token_env: str) -> TargetDescription:
    return dataclasses.replace(
        bundled_description(), auth=AuthRecipe(kind="bearer", token_env=token_env, probe_path="/api/me")
    )


def test_rejected_token_stops_the_stage(clean_app: AppProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTS_TEST_TOKEN", "not-a-valid-token")
    result = stage.run(stage_context(tmp_path, clean_app.url, description=_bearer("CONTRACTS_TEST_TOKEN")))
    assert result.status is Status.ERROR
    assert result.error is not None
    assert (
        "the target rejects the credentials of its auth recipe (bearer): GET /api/me answered HTTP 401" in result.error
    )


def test_a_fixed_token_is_used_and_logout_is_not_called(
    clean_app: AppProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login = httpx.post(f"{clean_app.url}/api/auth/login", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    token = login.json()["access_token"]
    monkeypatch.setenv("CONTRACTS_TEST_TOKEN", token)
    ctx = stage_context(
        tmp_path, clean_app.url, description=_bearer("CONTRACTS_TEST_TOKEN"), include=["^GET /api/me$", "logout"]
    )
    result = stage.run(ctx)
    assert result.details["auth"] == "fixed"
    assert result.metrics["contracts.operations.selected"] == 1
    assert result.findings == []
    assert result.details["operations"] == ["GET /api/me"]
    me = httpx.get(f"{clean_app.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, "the stage must not revoke a token it cannot renew"


def test_cancel_stops_schemathesis_and_leaves_no_process(clean_app: AppProcess, tmp_path: Path) -> None:
    ctx = stage_context(tmp_path, clean_app.url)
    timer = threading.Timer(4.0, ctx.cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        result = stage.run(ctx)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 20
    assert result.status is Status.INCOMPLETE
    leftovers = [p for p in psutil.Process().children(recursive=True) if "schemathesis" in " ".join(p.cmdline())]
    assert leftovers == []
