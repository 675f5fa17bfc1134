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
import signal
import subprocess
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import harness
from harness import atomic, console, coverage_stage, gate, stages
from harness.config import Settings
from harness.description import TargetDescription, bundled_description, with_overrides
from harness.discovery import openapi_location
from harness.errors import ErrorKind, HarnessError
from harness.exit_codes import ExitCode
from harness.netguard import check_target_url
from harness.records import StageResult, Status, now_iso
from harness.rundir import RunDir, check_writable
from harness.stages import StageContext, TargetInfo
from harness.target import AppProcess, check_external
from perf_budgets.verdict import Verdict

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
    if described.command is None:
        check_target_url(described.url, allow_remote=state.settings.allow_remote)
        if state.settings.faults:
            raise HarnessError(
                ErrorKind.USAGE,
                f"--faults {','.join(state.settings.faults)} needs an app the harness starts, "
                f"but {described.url} is already running",
                tip="give the target a command (and faults_env) instead of a URL",
            )


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
    console.say(f"  coverage: {result.status.value}" + (f" — {result.error}" if result.error else ""))


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
    with console.StageProgress(name) as progress:
        ctx = dataclasses.replace(ctx, progress=progress)
        result = _guarded(state, ctx)
    if result.status is Status.INCOMPLETE and state.complete:
        # The stage caught the interrupt itself (to stop its tool cleanly) and kept what it measured.
        state.cancel.set()
        state.complete = False
        state.notes.append(f"run interrupted during the {name} stage")
    state.run.write_result(result.finish() if result.finished_at is None else result)
    console.say(f"  {name}: {result.status.value.replace('_', ' ')}" + (f" — {result.error}" if result.error else ""))
    return result


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
    state.meta.update(finished_at=now_iso(), complete=state.complete, notes=state.notes)
    state.run.write_meta(state.meta)


def judge(state: RunState) -> None:
    """Evaluate budgets against the stage results and write verdict.json."""
    assert state.run is not None and state.inputs is not None
    state.verdict = gate.judge(state.run, state.inputs, profile=state.settings.profile)


def render_reports(state: RunState) -> list[Path]:
    """Write every report of the run (Markdown, HTML, JUnit, SARIF, history)."""
    assert state.run is not None
    from reports import write_all

    return write_all(state.run.path)


def exit_code(state: RunState) -> ExitCode:
    """The verdict's code; a measured breach wins over anything else, otherwise the code is raised
    to the most severe harness error seen (usage > harness > inconclusive)."""
    if state.verdict is not None and state.verdict.exit_code is ExitCode.BREACHED:
        return ExitCode.BREACHED
    codes = [e.exit_code for e in state.errors]
    if state.verdict is not None:
        codes.append(state.verdict.exit_code)
    return ExitCode(max(codes, default=ExitCode.INCONCLUSIVE))


def run(settings: Settings) -> tuple[ExitCode, RunState]:
    """The whole `harness run`; usage errors before the run starts propagate as `HarnessError`."""
    state = RunState(settings)
    preflight(state)
    create_run_dir(state)
    with _sigterm_as_interrupt():
        try:
            with target_session(state):
                run_stages(state)
        except HarnessError as exc:
            state.errors.append(exc)
            state.notes.append(exc.message.splitlines()[0])
            console.say(f"[red]{exc.render()}[/]")
        except KeyboardInterrupt:
            state.complete = False
            state.notes.append("run interrupted before the stages finished")
        finally:
            measure_coverage(state)
            finish_meta(state)
    judge(state)
    render_reports(state)
    return exit_code(state), state


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so CI cancellation also leaves a readable, incomplete run."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Callable[..., Any] | int | None = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False, cwd=os.getcwd()
        )
    except OSError:
        return None
    return out.stdout.strip() or None
