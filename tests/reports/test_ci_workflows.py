"""The shipped CI files (ci/) are valid YAML with the keys GitHub Actions and GitLab CI require, and wire the gate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

CI = Path(__file__).resolve().parents[2] / "ci"
RUN_COPY = "release-gate-run"
"""The plain copy of the run folder both files upload (``harness-runs/latest`` is a symlink)."""


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", "github/release-gate.yml"), ("vendor.gitlab-ci", "gitlab/release-gate.gitlab-ci.yml")],
)
def test_ci_files_validate_against_the_schemas_of_their_ci_system(schema: str, path: str) -> None:
    """SchemaStore's schemas of a GitHub workflow and of .gitlab-ci.yml, as vendored by check-jsonschema."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(CI / path)]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _github_steps() -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    workflow = _load(CI / "github" / "release-gate.yml")
    jobs = workflow["jobs"]
    assert len(jobs) == 1
    job = next(iter(jobs.values()))
    return workflow, job["steps"]


def test_github_workflow_has_the_keys_actions_requires() -> None:
    workflow, steps = _github_steps()
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step), step  # exactly one of them
        if "uses" in step:
            action, _, ref = step["uses"].partition("@")
            assert action.count("/") >= 1 and ref, step["uses"]  # owner/repo[/path]@ref


def test_github_workflow_gates_then_uploads_the_run_sarif_and_junit() -> None:
    workflow, steps = _github_steps()
    uses = {step["uses"].partition("@")[0]: step for step in steps if "uses" in step}
    runs = [step["run"] for step in steps if "run" in step]
    gate = next(i for i, step in enumerate(steps) if "harness run" in step.get("run", ""))
    assert all("always()" in step["if"] for step in steps[gate + 1 :]), "reports must be kept when the gate fails"
    assert any(f"cp -rL harness-runs/latest {RUN_COPY}" in run for run in runs)
    assert uses["actions/upload-artifact"]["with"]["path"].startswith(RUN_COPY)
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == f"{RUN_COPY}/security.sarif"
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == f"{RUN_COPY}/junit.xml"
    assert workflow["permissions"]["security-events"] == "write" and workflow["permissions"]["checks"] == "write"


def test_gitlab_job_has_the_keys_gitlab_requires_and_publishes_junit() -> None:
    config = _load(CI / "gitlab" / "release-gate.gitlab-ci.yml")
    job = config["release-gate"]
    assert isinstance(job["script"], list) and any("harness run" in line for line in job["script"])
    assert any("merge_request_event" in rule["if"] for rule in job["rules"])
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always" and f"{RUN_COPY}/" in artifacts["paths"]
    assert artifacts["reports"]["junit"] == f"{RUN_COPY}/junit.xml"
    assert any(f"cp -rL harness-runs/latest {RUN_COPY}" in line for line in job["after_script"])
    # GitLab rejects a job whose name is one of its global keywords.
    assert not {"image", "services", "stages", "variables", "cache", "include", "default", "workflow"} & set(config)
