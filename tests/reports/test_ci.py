"""GitHub Actions wiring: the step summary is appended, breaches and warnings become annotations at their line."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

from perf_budgets.loader import SHIPPED, load_budgets
from reports import ci, markdown
from reports.registry import RunView
from vocabulary.records import Finding, Severity, StageResult, Status

REPO = Path(__file__).resolve().parents[2]
"""The workspace of these tests: the shipped budget file lies in it, as a team's own does in theirs."""


def _publish(folder: Path, env: dict[str, str]) -> list[str]:
    out = io.StringIO()
    ci.publish(folder, load_budgets(SHIPPED), env={"GITHUB_WORKSPACE": str(REPO), **env}, out=out)
    return out.getvalue().splitlines()


def test_step_summary_is_appended(report_run: Callable[[str], Path], tmp_path: Path) -> None:
    folder = report_run("breach")
    markdown.render(RunView.load(folder))
    summary = tmp_path / "step_summary.md"
    summary.write_text("## An earlier step\n", encoding="utf-8")
    assert _publish(folder, {"GITHUB_STEP_SUMMARY": str(summary)}) == []  # not on Actions: no annotations
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## An earlier step\n## Release budgets: breached")
    assert text.endswith((folder / "summary.md").read_text(encoding="utf-8"))


def test_breach_and_warning_are_annotations_at_their_budget_line(report_run: Callable[[str], Path]) -> None:
    lines = _publish(report_run("breach"), {"GITHUB_ACTIONS": "true"})
    budget_lines = (REPO / "perf_budgets" / "budgets.toml").read_text(encoding="utf-8").splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    props, message = error.removeprefix("::error ").split("::", 1)
    fields = dict(field.split("=", 1) for field in props.split(","))
    assert fields["file"] == "perf_budgets/budgets.toml"
    assert budget_lines[int(fields["line"]) - 1] == "[budgets.endpoint_p95]"
    assert fields["title"] == "Budget breached%3A endpoint_p95[GET /api/models] (load)"
    assert message.startswith('load.endpoint["GET /api/models"].p95_ms breached')
    warning = next(line for line in lines if line.startswith("::warning "))
    assert "title=Budget warning%3A ws_p95 (load)" in warning and "file=perf_budgets/budgets.toml" in warning


def test_a_budget_file_outside_the_workspace_gives_no_file(report_run: Callable[[str], Path], tmp_path: Path) -> None:
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path)}
    ci.publish(report_run("breach"), load_budgets(SHIPPED), env=env, out=out)
    assert out.getvalue().startswith("::error title=Budget breached")


def test_a_blocking_finding_in_a_workspace_file_is_annotated_there(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("all_stages"))
    test_file = Path(__file__).relative_to(REPO).as_posix()
    failed = Finding(
        "workflow-failed",
        Severity.HIGH,
        "workflow failed at step 'pay'",
        "checkout / pay",
        "wf",
        extra={"test": f"{test_file}::test_checkout[chromium]", "step": "pay"},
    )
    e2e = StageResult("e2e", Status.FAILED, "http://127.0.0.1:1", "smoke", findings=[failed])
    run = dataclasses.replace(run, results={**run.results, "e2e": e2e})
    found = ci.collect(run, load_budgets(SHIPPED), REPO)
    located = [a for a in found if a.file == test_file]
    assert [(a.level, a.title) for a in located] == [("error", "e2e: workflow-failed")]
    # The other findings name no workspace file: their budgets' annotations speak for them.
    assert all(a.file in (None, "perf_budgets/budgets.toml", test_file) for a in found)


def test_annotations_are_capped_per_level_with_a_count_of_the_rest() -> None:
    found = [ci.Annotation("error", f"e{i}", "m") for i in range(25)] + [ci.Annotation("warning", "w", "m")]
    shown = list(ci.capped(found))
    errors = [a for a in shown if a.level == "error"]
    assert len(errors) == ci.MAX_PER_LEVEL and errors[-1].title == "16 more errors"
    assert [a.title for a in shown if a.level == "warning"] == ["w"]


def test_commands_escape_newlines_and_property_separators() -> None:
    command = ci.Annotation("error", "a: b, c", "100%\nTip: x", "f,1.toml", 3).command()
    assert command == "::error file=f%2C1.toml,line=3,title=a%3A b%2C c::100%25%0ATip: x"
