"""The accessibility stage: axe audits of pages, iframes, scripted states and e2e steps -> one StageResult.

The pages and scripted states of the target description are audited here, in a subprocess; the
signed-in ones with the credentials of the description's auth recipe (`stagekit.auth`, signed in
once here, handed over in the environment). The workflow steps were audited earlier in the same
run by this stage's step observer (`accessibility.steps`), a pytest plugin the e2e stage loaded into
its tests; their results are read here from the run folder (`accessibility.step_results`).

The stage reports; it never judges. Violations become findings (the gate applies the findings
policy and the known-violations file) and counts by impact become metrics (the gate applies
budgets). The status says only whether the audit ran: passed, error (crashed, timed out, or
measured nothing), or incomplete (cancelled).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from accessibility import runner
from accessibility.plan import AuditPlan, build_plan, options_with_defaults
from accessibility.results import AuditRecord
from accessibility.step_results import read_steps, steps_folder
from accessibility.summary import AuditSummary
from stagekit.auth import ENV as AUTH_ENV
from stagekit.auth import Credentials, authenticate
from stagekit.browser import find_browser
from stagekit.stages import StageContext
from vocabulary.code_scanning import CodeScanning
from vocabulary.records import StageResult, Status, ValidityCheck
from vocabulary.rundir import RunDir

CODE_SCANNING = CodeScanning(
    "release-harness accessibility", "https://github.com/dequelabs/axe-core", ("accessibility",)
)
"""Accessibility violations in ``security.sarif``: tagged with their WCAG criteria, not security alerts."""


def run(ctx: StageContext) -> StageResult:
    """Audit the target and return the stage result (written partially as the audit goes)."""
    result = ctx.result(status=Status.INCOMPLETE, tool_versions=tool_versions())
    CODE_SCANNING.declare(result)
    plan = build_plan(ctx.target.url, ctx.target.description, ctx.options)
    find_browser()  # a missing browser is an environment error, raised before anything starts
    summary = AuditSummary()
    outcome = runner.Outcome(returncode=0)
    if _planned(plan) != 0:
        outcome = _audit(ctx, plan, _credentials(ctx, plan), summary, result)
    # Steps after pages, so budget messages name the page list's violations first.
    steps = _add_steps(ctx, summary)
    if steps is not None:
        result.artifacts["step_axe_results"] = _relative(ctx, steps)
    _fill(ctx, result, summary)
    return result.finish(_status(outcome, result, _timeout_s(ctx), ctx.artifacts / "audit.log"))


def _credentials(ctx: StageContext, plan: AuditPlan) -> Credentials:
    """Sign in with the description's auth recipe when the plan has signed-in pages or states.

    A recipe that fails stops the stage (`AuthError`): auditing only the public pages would pass unseen.
    Without a recipe the audit reports each signed-in target as not audited, naming the cause.
    """
    recipe = ctx.target.description.auth
    if not (plan.needs_auth and recipe.enabled):
        return Credentials()
    return authenticate(recipe, ctx.target.url)


def _audit(
    ctx: StageContext, plan: AuditPlan, credentials: Credentials, summary: AuditSummary, result: StageResult
) -> runner.Outcome:
    """Run the audit subprocess over the plan's pages and states, folding in each result as it comes."""
    raw = ctx.artifacts / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    plan_file = ctx.artifacts / "plan.json"
    plan.write(plan_file)
    outcome = runner.Outcome()
    stream = runner.events(
        runner.audit_command(plan_file, raw), env=_environment(credentials),
        log=ctx.artifacts / "audit.log", timeout_s=_timeout_s(ctx), cancel=ctx.cancel, outcome=outcome,
    )  # fmt: skip
    planned = _planned(plan)
    ctx.progress.start("accessibility: axe audits", total=planned)
    done = 0
    with contextlib.closing(stream):
        for event in stream:
            if _apply(ctx, summary, raw, event):
                done += 1
                ctx.progress.advance()
                pages = f"page {done} of {planned:.0f}" if planned else f"{done} pages"
                ctx.progress.figures(f"{pages}, {len(summary.findings)} WCAG findings")
            _fill(ctx, result, summary)
            RunDir(ctx.run_dir).write_result(result)
    return outcome


def _environment(credentials: Credentials) -> dict[str, str]:
    """Ours, with this run's credentials only (never ones inherited from whoever started the harness)."""
    inherited = {name: value for name, value in os.environ.items() if name != AUTH_ENV}
    return {**inherited, **credentials.to_env()}


def _timeout_s(ctx: StageContext) -> float:
    return float(options_with_defaults(ctx.options)["timeout_s"])


def _add_steps(ctx: StageContext, summary: AuditSummary) -> Path | None:
    """Fold in the e2e stage's audits after each workflow step of this run; their folder, if any."""
    folder, note = steps_folder(ctx.run_dir)
    if folder is None:
        summary.notes.append(str(note))
        ctx.progress.log(f"accessibility: {note}")
        return None
    for step in read_steps(folder):
        if step.error is not None:
            summary.add_failure(step.record.name, step.error)
        elif step.same_as is not None:
            summary.add_repeat(step.record.name, step.same_as)
        else:
            summary.add(step.record, _relative(ctx, step.file))
    return folder


def _planned(plan: AuditPlan) -> float | None:
    """Progress total: unknown when crawling (links decide how many pages there are)."""
    if plan.crawl_depth and plan.pages:
        return None
    return len(plan.pages) + len(plan.auth_pages) + len(plan.states) + len(plan.auth_states)


def _apply(ctx: StageContext, summary: AuditSummary, raw: Path, event: dict[str, Any]) -> bool:
    """Fold one event of the audit subprocess into the summary; True when it finished a page."""
    if event["event"] == "audited":
        file = raw / str(event["file"])
        summary.add(AuditRecord(**json.loads(file.read_text(encoding="utf-8"))), _relative(ctx, file))
    elif event["event"] == "failed":
        summary.add_failure(str(event["name"]), str(event["error"]))
        ctx.progress.log(f"accessibility: could not audit {event['name']}: {event['error']}")
    elif event["event"] == "unanswered":
        summary.add_unanswered(str(event["name"]), str(event["url"]), int(event["status"]))
        ctx.progress.log(f"accessibility: {event['name']} answered HTTP {event['status']}: not audited")
    elif event["event"] == "skipped":
        summary.add_skipped(str(event["name"]), str(event["reason"]))
    elif event["event"] == "done":
        summary.operations = [str(name) for name in event["operations"]]
    return event["event"] in ("audited", "failed", "unanswered")


def _fill(ctx: StageContext, result: StageResult, summary: AuditSummary) -> None:
    """Copy the summary so far into the result (metrics, findings, validity, details)."""
    result.metrics = summary.metrics()
    result.findings = list(summary.findings)
    result.validity = validity(summary)
    result.details = summary.details()
    found = {
        "axe_results": ctx.artifacts / "raw",
        "audit_log": ctx.artifacts / "audit.log",
        "plan": ctx.artifacts / "plan.json",
    }
    result.artifacts.update({name: _relative(ctx, path) for name, path in found.items() if path.exists()})


def validity(summary: AuditSummary) -> list[ValidityCheck]:
    """Did the audit look at what it claims? Any failed check makes the a11y budgets inconclusive."""
    audited = summary.count("page") + summary.count("state") + summary.count("step")
    failed = [f"{f['name']}: {f['error']}" for f in summary.failed]
    return [
        ValidityCheck("pages_audited", audited > 0, f"{summary.count('page')} pages, {summary.count('state')} states, "
                      f"{summary.count('step')} workflow steps"),
        ValidityCheck("rules_applied", bool(summary.rules_applied), f"{len(summary.rules_applied)} axe rules applied"),
        ValidityCheck("all_targets_audited", not failed, "; ".join(failed) or "every planned page, state and step"),
    ]  # fmt: skip


def _status(outcome: runner.Outcome, result: StageResult, timeout_s: float, log: Path) -> Status:
    """passed when the audit ran to its end; error or incomplete otherwise (with the reason)."""
    if outcome.cancelled:
        result.error = "cancelled; the result holds the pages audited so far"
        return Status.INCOMPLETE
    if outcome.timed_out:
        result.error = f"the audit did not finish within timeout_s={timeout_s:g} s; partial result"
        return Status.ERROR
    if outcome.returncode != 0:
        result.error = f"the audit process exited with code {outcome.returncode}\n{_log_tail(log)}"
        return Status.ERROR
    return Status.PASSED


def _log_tail(path: Path, lines: int = 15) -> str:
    """The end of the audit's stderr log, for error messages."""
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


def _relative(ctx: StageContext, path: Path) -> str:
    return str(path.relative_to(ctx.run_dir))


def tool_versions() -> dict[str, str]:
    """axe-core (bundled by axe-playwright-python), the wrapper and Playwright."""
    versions = {name: metadata.version(name) for name in ("axe-playwright-python", "playwright")}
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is not None and spec.origin is not None:
        header = (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")[:200]
        match = re.search(r"axe v(\d+\.\d+\.\d+)", header)
        versions["axe-core"] = match.group(1) if match else "unknown"
    return versions
