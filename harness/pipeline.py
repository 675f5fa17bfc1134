"""`harness run`: target -> stages -> gate -> reports, as a tuple of small tasks.

Each task takes the shared `RunState`; the run directory and a verdict are always written,
also when a stage crashes or the user presses Ctrl-C (the stage is marked incomplete and the
verdict is inconclusive), and the bundled target is always stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import subprocess
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
from coverage_stage import stage as coverage_stage
from harness import console, gate, scrub
from harness.config import Settings
from perf_budgets.verdict import Verdict
from stagekit import egress, stages, supervisor
from stagekit.description import TargetDescription, bundled_description, with_overrides
from stagekit.discovery import openapi_file, openapi_location
from stagekit.faults import check_faults
from stagekit.netguard import allowed_hosts, check_allowed_url, check_target_url
from stagekit.openapi import load_document
from stagekit.stages import StageContext, TargetInfo
from stagekit.target import AppProcess, check_external
from vocabulary import atomic
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.exit_codes import ExitCode
from vocabulary.records import StageResult, Status, now_iso
from vocabulary.rundir import RunDir, check_writable

TARGET_LOG = "target.log"


@dataclasses.dataclass
class RunState:
    """What the tasks of one run share."""

    settings: Settings
    inputs: gate.GateInputs | None = None
    run: RunDir | None = None
    target: TargetInfo | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    results: dict[str, StageResult] = dataclasses.field(default_factory=dict)
    complete: bool = True
    notes: list[str] = dataclasses.field(default_factory=list)
    errors: list[HarnessError] = dataclasses.field(default_factory=list)
    verdict: Verdict | None = None
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)
    coverage: coverage_stage.CoverageSession | None = None
    described: TargetDescription | None = None
    """The target description, flags applied (set by `preflight`)."""
    openapi: str | None = None
    """The target's OpenAPI document (URL or file) once the target is up; None when it has none."""
    app: AppProcess | None = None
    """The app the harness started (None for a running one): watched for a crash after each stage."""


def preflight(state: RunState) -> None:
    """Fail before anything starts: stage options, output folder, budget file, known failures, baseline, the
    target description and its URL."""
    # Every stage table, also of a stage this run leaves out: a typo in pyproject.toml is caught
    # on the next run, not on the one (often the nightly full run) that finally uses it.
    for stage, options in state.settings.stage_options.items():
        stages.check_options(stage, options)
    check_writable(state.settings.out)
    state.inputs = gate.load_inputs(state.settings.budgets, state.settings.known_failures, state.settings.baseline)
    state.described = described = describe_target(state.settings)
    if (document := openapi_file(described)) is not None:
        load_document(str(document))  # a missing, oversized or invalid file: exit 4 before anything starts
    if described.openapi.startswith(("http://", "https://")):
        allowed = allowed_hosts(described.url, state.settings.allow_remote)
        check_allowed_url(described.openapi, allowed, "the OpenAPI document")
    if described.command is None:
        check_target_url(described.url, allow_remote=state.settings.allow_remote)
        if state.settings.faults:
            raise HarnessError(
                ErrorKind.USAGE,
                f"--faults {','.join(state.settings.faults)} needs an app the harness starts, "
                f"but {described.url} is already running",
                tip="give the target a command (and faults_env) instead of a URL",
            )
    else:
        check_faults(described.command, state.settings.faults)


def create_run_dir(state: RunState) -> None:
    """Make the run folder and write its first run.json (marked incomplete until the end)."""
    state.run = RunDir.create(state.settings.out, state.settings.profile)
    state.meta = {
        "harness_version": harness.__version__,
        "profile": state.settings.profile,
        "stages": list(state.settings.stages),
        "target_url": state.settings.target_url,
        "faults": list(state.settings.faults),
        "started_at": now_iso(),
        "finished_at": None,
        "complete": False,
        "git_revision": _git_revision(),
        "python": platform.python_version(),
        "settings": state.settings.redacted(),
        "notes": [],
    }
    if coverage_stage.enabled(state.settings):
        state.coverage = coverage_stage.CoverageSession(state.run, state.settings)
        # Listed so the gate expects coverage.json: a run that lost it is inconclusive, not silent.
        state.meta["stages"] = [*dict.fromkeys([*state.meta["stages"], coverage_stage.STAGE])]
    state.run.write_meta(state.meta)


@contextlib.contextmanager
def target_session(state: RunState) -> Iterator[None]:
    """Start the described app (or check the running one) for the stages; always stop it."""
    assert state.run is not None
    settings = state.settings
    described = state.described
    assert described is not None, "preflight describes the target"
    state.meta["target"] = {"name": described.name, "source": described.source, "started": described.starts_app}
    if described.command is None:
        url = check_external(
            described.url,
            ready_path=described.ready_path,
            allow_remote=settings.allow_remote,
            timeout_s=settings.external_probe_timeout_s,
        )
        _enter_target(state, TargetInfo(url=url, description=described))
        yield
        return
    rcfile = state.coverage.rcfile_for_started(described) if state.coverage else None
    coverage_data = state.run.artifacts("coverage") / ".coverage" if rcfile else None
    app = AppProcess(
        described.command,
        state.run.path / TARGET_LOG,
        ready_path=described.ready_path,
        port=settings.target_port,
        faults=settings.faults,
        workers=settings.target_workers,
        data_dir=settings.target_data_dir,
        coverage_data=coverage_data,
        coverage_rcfile=rcfile,
        startup_timeout_s=settings.target_startup_timeout_s,
    )
    with app:
        state.app = app
        started = TargetInfo(
            url=app.url,
            description=described,
            started=True,
            faults=settings.faults,
            log_path=app.log_path,
            restart=app.restart,
        )
        _enter_target(state, started)
        yield


def describe_target(settings: Settings) -> TargetDescription:
    """The configured description (flags override it), else the bundled app's own."""
    configured = settings.target or (None if settings.target_url else bundled_description())
    described = configured or TargetDescription(source="--target-url")
    if settings.target_url:
        described = dataclasses.replace(described, url=settings.target_url, command=None)
    described = with_overrides(described, openapi=settings.openapi)
    if described.command is None and not described.url:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"the target description ({described.source}) has neither url nor command",
            tip="set [tool.harness.target] url, or command to let the harness start the app, or pass --target-url",
        )
    return described


def _enter_target(state: RunState, target: TargetInfo) -> None:
    """Record the target that is up, find its OpenAPI document, let coverage read its operations."""
    state.target = target
    state.meta["target_url"] = target.url
    state.openapi = openapi_location(target.description, target.url, allow_remote=state.settings.allow_remote)
    state.meta["openapi"] = state.openapi
    if state.openapi is None:
        state.notes.append("the target serves no OpenAPI document at the usual paths and none is configured")
    if state.coverage is not None:
        state.coverage.attach(target, state.openapi)


def run_stages(state: RunState) -> None:
    """Run the chosen stages one after another; Ctrl-C marks the current one incomplete and stops."""
    for name in state.settings.stages:
        if state.cancel.is_set():
            break
        if name == coverage_stage.STAGE:
            continue  # measured after the target stopped, by measure_coverage
        state.results[name] = _run_stage(state, name)
        if state.coverage is not None:
            state.coverage.after(name, state.results[name])
        if _target_exited(state, name):
            break


def _target_exited(state: RunState, stage: str) -> bool:
    """Did the app the harness started exit during ``stage``? Then record it and stop: every later
    stage would measure a dead target."""
    app = state.app
    process = app.process if app is not None else None
    if app is None or (process is not None and process.poll() is None):
        return False
    code = process.returncode if process is not None else None
    later = list(state.settings.stages)[list(state.settings.stages).index(stage) + 1 :]
    state.meta["target"]["exited"] = {"code": code, "during": stage, "at": now_iso()}
    state.complete = False
    note = f"the target exited (code {code}) during the {stage} stage; see {TARGET_LOG}"
    state.notes.append(note + (f"; not run: {', '.join(later)}" if later else ""))
    console.say(f"[red]{note}[/]")
    return True


def measure_coverage(state: RunState) -> None:
    """After the target stopped (its coverage data saved): write coverage.json."""
    if state.coverage is None or state.run is None:
        return
    console.say("[bold]▶ coverage[/] (combining the target's coverage data)")
    try:
        result = state.coverage.result(complete=state.complete)
    except KeyboardInterrupt:
        state.complete = False
        state.notes.append("run interrupted while combining coverage data")
        return
    state.results[coverage_stage.STAGE] = result
    state.run.write_result(result)
    console.say(_stage_line(state, result))


def _run_stage(state: RunState, name: str) -> StageResult:
    assert state.run is not None and state.target is not None
    ctx = StageContext(
        stage=name,
        profile=state.settings.profile,
        target=state.target,
        openapi=state.openapi,
        run_dir=state.run.path,
        artifacts=state.run.artifacts(name),
        options=dict(state.settings.stage_options.get(name, {})),
        cancel=state.cancel,
    )
    console.say(f"[bold]▶ {name}[/] against {state.target.url} (profile {state.settings.profile})")
    allowed = allowed_hosts(state.target.url, state.settings.allow_remote)
    # Every process of the stage reaches only these hosts; what it tried elsewhere becomes findings.
    progress = console.StageProgress(name, state.settings.heartbeat_s)
    with progress, egress.guarded(allowed, ctx.artifacts / egress.FOLDER) as blocked:
        ctx = dataclasses.replace(ctx, progress=progress)
        result = _guarded(state, ctx)
    scrub.redact_tree(ctx.artifacts)  # the stage's tools wrote their own files, with what they were given
    egress.report(result, blocked)
    if result.status is Status.INCOMPLETE and state.complete:
        # The stage caught the interrupt itself (to stop its tool cleanly) and kept what it measured.
        state.cancel.set()
        state.complete = False
        state.notes.append(f"run interrupted during the {name} stage")
    state.run.write_result(result.finish() if result.finished_at is None else result)
    console.say(_stage_line(state, result))
    return result


def _stage_line(state: RunState, result: StageResult) -> str:
    """What happened, in the words of the reports ("load: ran, 2 budgets breached, 9 met"), then the
    rest of an error (its tip) indented below."""
    from reports import format as fmt

    assert state.inputs is not None
    words = fmt.stage_words(result, gate.stage_budgets(state.inputs, state.settings.profile, result))
    tail = (result.error or "").strip().splitlines()[1:] if result.status is Status.ERROR else []
    return "\n".join([f"  {result.stage}: {words}", *(f"    {line}" for line in tail)])


def _guarded(state: RunState, ctx: StageContext) -> StageResult:
    """Call the stage runner; every way it can end becomes a recorded result (the boundary)."""
    try:
        return stages.resolve(ctx.stage)(ctx)
    except KeyboardInterrupt:
        state.cancel.set()
        state.complete = False
        state.notes.append(f"run interrupted during the {ctx.stage} stage")
        return _partial(state, ctx, "interrupted (Ctrl-C or SIGTERM); results are partial")
    except HarnessError as exc:
        state.errors.append(exc)
        return ctx.result(status=Status.ERROR, error=exc.render())
    except Exception as exc:  # noqa: BLE001 - the stage boundary: recorded as a stage error, never a pass
        trace = ctx.artifacts / "error.txt"
        atomic.write_text(trace, "".join(traceback.format_exception(exc)))
        state.errors.append(HarnessError(ErrorKind.INTERNAL, f"{ctx.stage} stage crashed: {exc!r}"))
        return ctx.result(
            status=Status.ERROR,
            error=f"stage crashed: {exc!r} (traceback in {trace.relative_to(ctx.run_dir)})",
        )


def _partial(state: RunState, ctx: StageContext, why: str) -> StageResult:
    """The stage's last checkpoint (if it wrote one) or an empty result, marked incomplete."""
    assert state.run is not None
    partial = state.run.results().get(ctx.stage)
    result = partial or ctx.result(status=Status.INCOMPLETE)
    result.status = Status.INCOMPLETE
    result.error = why
    return result


def finish_meta(state: RunState) -> None:
    """Stamp run.json with the end time, completeness and run-level notes."""
    assert state.run is not None
    errors = [gate.run_error(e).to_dict() for e in state.errors]
    state.meta.update(finished_at=now_iso(), complete=state.complete, notes=state.notes, errors=errors)
    state.run.write_meta(state.meta)


def judge(state: RunState) -> None:
    """Evaluate budgets against the stage results and write verdict.json."""
    assert state.run is not None and state.inputs is not None
    state.verdict = gate.judge(state.run, state.inputs, profile=state.settings.profile)


def render_reports(state: RunState) -> list[Path]:
    """Write every report of the run (Markdown, HTML, JUnit, SARIF, history); a report that fails
    becomes an error of the verdict, so ``verdict.json`` and the exit code keep agreeing."""
    assert state.run is not None and state.verdict is not None
    from reports import write_all

    try:
        return write_all(state.run.path)
    except HarnessError as exc:
        state.errors.append(exc)
        state.verdict = gate.add_error(state.run.path, state.verdict, exc, run_complete=state.complete)
        console.say(f"[red]{exc.render()}[/]")
        return []


def exit_code(state: RunState) -> ExitCode:
    """The verdict's code (`perf_budgets.verdict.decide` holds the one precedence); without a verdict
    (it could not be written) the most severe error seen, never "breached"."""
    if state.verdict is not None:
        return state.verdict.exit_code
    return max((e.exit_code for e in state.errors), default=ExitCode.HARNESS_ERROR)


def run(settings: Settings) -> tuple[ExitCode, RunState]:
    """The whole `harness run`; usage errors before the run starts propagate as `HarnessError`."""
    state = RunState(settings)
    preflight(state)
    create_run_dir(state)
    with supervisor.interruptible():
        try:
            with target_session(state):
                run_stages(state)
        except HarnessError as exc:
            state.complete = False  # the stages did not all run, or a result could not be saved (disk full)
            state.errors.append(exc)
            state.notes.append(exc.message.splitlines()[0])
            console.say(f"[red]{exc.render()}[/]")
        except KeyboardInterrupt:
            state.complete = False
            state.notes.append("run interrupted before the stages finished")
        finally:
            measure_coverage(state)
            finish_meta(state)
    assert state.run is not None
    try:
        judge(state)
        render_reports(state)
    finally:
        scrub.redact_tree(state.run.path)  # last: nothing is written after it (Ctrl-C included)
    return exit_code(state), state


def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False, cwd=os.getcwd()
        )
    except OSError:
        return None
    return out.stdout.strip() or None
