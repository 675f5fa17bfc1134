"""Audits after each e2e workflow step: the e2e stage writes them, the accessibility stage judges them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from accessibility.stage import run as run_accessibility
from accessibility.step_results import STEP_OBSERVER
from accessibility.steps import folder_name
from e2e import stage as e2e_stage
from stagekit import stages
from stagekit.stages import StageContext
from stagekit.step_observers import StepObserver
from stagekit.target import AppProcess
from target_app.e2e.workflows import STEPS
from tests.accessibility.conftest import stage_context
from tests.fixtures.target import bundled_info
from vocabulary.errors import HarnessError
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

# A catalogue, a form with its states, a page after an upload (and the upload's second tab).
WORKFLOWS = ("test_browse", "test_feedback", "test_upload")
UPLOAD = "test_upload.py::test_upload[chromium]"
"""A workflow is a test of the bundled app's own folder, named by its pytest node id."""
STEPS_ONLY: dict[str, list[str]] = {"pages": [], "auth_pages": [], "states": []}
QUICK_VITALS = {"pages": ["/"], "vitals_runs": 1}


def e2e_context(run: RunDir, url: str, **options: object) -> StageContext:
    """A context like `harness run` builds for the e2e stage."""
    return StageContext(
        stage="e2e",
        profile="smoke",
        target=bundled_info(url),
        openapi=f"{url}/openapi.json",
        run_dir=run.path,
        artifacts=run.artifacts("e2e"),
        options=options,
    )


def run_e2e_then_accessibility(
    run: RunDir, url: str, tests: tuple[str, ...], pages: list[str] | None = None
) -> tuple[StageResult, StageResult]:
    """The e2e stage over these tests (step audits on: accessibility follows), then the accessibility stage."""
    run.write_meta({"stages": ["e2e", "accessibility"]})
    e2e = e2e_stage.run(e2e_context(run, url, select=" or ".join(tests), **QUICK_VITALS))
    run.write_result(e2e)
    options = {**STEPS_ONLY, "pages": pages or []}
    return e2e, run_accessibility(stage_context(run.path, bundled_info(url), options=options))


@dataclasses.dataclass(frozen=True)
class Ran:
    """The run folder and both stage results."""

    run: Path
    e2e: StageResult
    a11y: StageResult


@pytest.fixture(scope="module")
def ran(bundled_target: AppProcess, tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """One e2e + accessibility run over three workflows of the app without faults."""
    run = RunDir.create(tmp_path_factory.mktemp("a11y-steps"), "smoke")
    return Ran(run.path, *run_e2e_then_accessibility(run, bundled_target.url, WORKFLOWS))


@pytest.mark.slow
def test_every_step_is_audited_and_free_of_serious_and_critical_violations(ran: Ran) -> None:
    assert ran.e2e.status is Status.PASSED, ran.e2e.error
    assert ran.a11y.status is Status.PASSED, ran.a11y.error
    assert [c for c in ran.a11y.validity if not c.ok] == []
    audited = {item["name"] for item in ran.a11y.details["audited"]}
    covered = audited | {r["name"] for r in ran.a11y.details["step_repeats"]}
    ran_tests = {flow["id"]: flow["id"].split("::")[1].split("[")[0] for flow in ran.e2e.details["workflows"]}
    assert sorted(ran_tests.values()) == sorted(WORKFLOWS)
    declared = {f"{nodeid}/{step}" for nodeid, test in ran_tests.items() for step in STEPS[test]}
    assert declared <= covered
    assert any(name.endswith("(tab 2)") for name in covered), "the upload's watcher tab was not audited"
    metrics = ran.a11y.metrics
    assert metrics["a11y.steps.audited"] == len(audited) >= 6
    assert metrics["a11y.steps.repeated"] == len(covered) - len(audited) >= 1
    assert metrics["a11y.pages.audited"] == 0 and metrics["a11y.rules.applied"] >= 15
    blocking = [f for f in ran.a11y.findings if f.extra["impact"] in ("serious", "critical")]
    assert not blocking, "\n".join(f"{f.rule} at {f.location}: {f.extra['html']}" for f in blocking)
    assert ran.a11y.details["notes"] == []


@pytest.mark.slow
def test_step_results_are_raw_axe_json_named_by_workflow_and_step(ran: Ran) -> None:
    assert ran.e2e.artifacts["a11y_steps"] == ran.a11y.artifacts["step_axe_results"] == "e2e/a11y"
    audited = {item["name"]: item for item in ran.a11y.details["audited"]}
    after_upload = audited[f"{UPLOAD}/submit upload"]
    assert after_upload["artifact"] == f"e2e/a11y/{folder_name(UPLOAD)}/05-submit-upload.json"
    raw = json.loads((ran.run / after_upload["artifact"]).read_text(encoding="utf-8"))
    assert (raw["workflow"], raw["step"], raw["kind"]) == (UPLOAD, "submit upload", "step")
    assert "uploaded" in raw["url"] and raw["axe"]["testEngine"]["name"] == "axe-core"
    sidecar = json.loads((ran.run / ran.e2e.artifacts["workflows"]).read_text(encoding="utf-8"))
    audit_s = [step["observers_s"] for test in sidecar["tests"] for step in test["steps"]]
    assert len(audit_s) == sum(len(STEPS[test]) for test in WORKFLOWS)
    assert ran.e2e.details["step_observers_s"] == pytest.approx(sum(audit_s), abs=0.1)


def test_without_e2e_in_the_run_the_stage_says_so_and_does_not_fail(tmp_path: Path) -> None:
    result = run_accessibility(stage_context(tmp_path / "run", bundled_info("http://127.0.0.1:9"), options=STEPS_ONLY))
    assert result.status is Status.PASSED
    assert result.details["notes"] == ["the e2e stage did not run in this run: workflow steps were not audited"]
    assert {c.name: c.ok for c in result.validity}["pages_audited"] is False
    assert result.metrics["a11y.steps.audited"] == 0


@pytest.mark.parametrize(
    ("stages", "option", "expected"),
    [
        (["e2e", "accessibility"], None, True),
        (["accessibility", "e2e"], None, False),
        (["e2e"], None, False),
        ([], None, False),
        (["e2e"], True, True),
        (["e2e", "accessibility"], False, False),
    ],
)
def test_step_audits_are_on_when_accessibility_runs_after_e2e(
    tmp_path: Path, stages: list[str], option: bool | None, expected: bool
) -> None:
    run = RunDir.create(tmp_path, "smoke")
    if stages:
        run.write_meta({"stages": stages})
    options = {} if option is None else {"a11y_steps": option}
    ctx = e2e_context(run, "http://127.0.0.1:9", **options)
    observers = e2e_stage.step_observers(ctx, e2e_stage.Options.from_mapping(ctx.options))
    assert observers == ((STEP_OBSERVER,) if expected else ())


def test_a_plugin_stage_after_e2e_observes_the_steps_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shots = StepObserver(plugin="shots.steps", option="--shots", folder="shots", artifact="step_screenshots")
    for table in ("_registry", "_step_observers"):
        monkeypatch.setattr(stages, table, dict(getattr(stages, table)))
    stages.register("shots", "shots.stage:run", step_observer=shots)
    run = RunDir.create(tmp_path, "smoke")
    run.write_meta({"stages": ["e2e", "shots"]})
    ctx = e2e_context(run, "http://127.0.0.1:9")
    assert e2e_stage.step_observers(ctx, e2e_stage.Options.from_mapping({})) == (shots,)
    assert e2e_stage.step_observers(ctx, e2e_stage.Options.from_mapping({"a11y_steps": True})) == (STEP_OBSERVER, shots)


def test_a_non_boolean_a11y_steps_option_is_a_config_error() -> None:
    with pytest.raises(HarnessError, match="e2e option 'a11y_steps' expects bool, got 'no'"):
        e2e_stage.Options.from_mapping({"a11y_steps": "no"})
