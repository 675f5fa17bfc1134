"""`harness run` as a sequence of tasks, each taking what the one before handed on:

`preflight` (settings -> `Prepared`: the checked inputs, the described target, the run folder)
-> `run_target` (start or check the target -> `Started`; the stages in the groups `harness.schedule`
plans; stop the target -> `Staged`) -> `record` (run.json) -> `judge` (verdict.json) -> `render_reports`
(-> `Finished`).

The run folder and a verdict are always written, also when a stage crashes, the target exits or the
user presses Ctrl-C (the run is marked incomplete and cannot pass), and a target the harness started
is always stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import subprocess
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from typing import Any

import harness
from coverage_stage import stage as coverage_stage
from harness import console, gate, schedule, scrub
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


@dataclasses.dataclass(frozen=True)
class Checked:
    """What preflight checked before anything is written: the settings, the gate's inputs, the target."""

    settings: Settings
    inputs: gate.GateInputs
    described: TargetDescription
    """The target description, flags applied."""


@dataclasses.dataclass(frozen=True)
class Prepared(Checked):
    """A checked run with its folder and first run.json (marked incomplete until `record`)."""

    run: RunDir
    meta: Mapping[str, Any]
    """run.json as first written; `record` completes it."""
    coverage: coverage_stage.CoverageSession | None = None
    """The coverage stage, which wraps the target: it sees the app start, every stage end and the app stop."""


@dataclasses.dataclass(frozen=True)
class Started:
    """The target the stages run against."""

    target: TargetInfo
    app: AppProcess | None
    """The app the harness started (None for a running one): watched for a crash after each group."""
    openapi: str | None
    """Its OpenAPI document (URL or file); None when it has none."""


@dataclasses.dataclass(frozen=True)
class Ran:
    """One stage's run: its result, when it ran, and what the run must know of it."""

    result: StageResult
    started_at: str
    seconds: float
    error: HarnessError | None = None
    """An error of the run (a crash, a usage error met mid-run), beside the stage's own result."""

    @property
    def interrupted(self) -> bool:
        """Cancelled (Ctrl-C, SIGTERM): it kept what it measured, marked incomplete."""
        return self.result.status is Status.INCOMPLETE


@dataclasses.dataclass(frozen=True)
class Staged:
    """What the stages did: each stage's run, the groups that ran at once, and why the run ended early."""

    ran: tuple[Ran, ...] = ()
    schedule: tuple[tuple[str, ...], ...] = ()
    started: Started | None = None
    """None: the target never came up."""
    exited: Mapping[str, Any] | None = None
    """The started target's exit during a group: its code, the stages, the time."""
    stopped: tuple[str, ...] = ()
    """Why the run ended before every stage ran (interrupted, the target exited, an error): run notes."""
    errors: tuple[HarnessError, ...] = ()
    """Errors outside a stage (the target did not start, a result could not be saved)."""
    notes: tuple[str, ...] = ()
    """Other run notes (the target serves no OpenAPI document)."""
    overlap: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    """How stages overlapped, added to their ``stage_times`` (`harness.schedule.Ended.overlap`)."""

    @property
    def complete(self) -> bool:
        """Every planned stage ran to its end."""
        return not self.stopped

    @property
    def results(self) -> dict[str, StageResult]:
        """Each stage's result, by stage."""
        return {ran.result.stage: ran.result for ran in self.ran}

    def run_errors(self) -> list[HarnessError]:
        """Every error of the run: the stages' and the others."""
        return [*(ran.error for ran in self.ran if ran.error is not None), *self.errors]


@dataclasses.dataclass(frozen=True)
class Finished:
    """A judged run: what `harness run` shows and exits with."""

    run: RunDir
    inputs: gate.GateInputs
    staged: Staged
    verdict: Verdict | None
    """None only when verdict.json could not be written."""
    errors: tuple[HarnessError, ...] = ()

    @property
    def results(self) -> dict[str, StageResult]:
        """Each stage's result, by stage."""
        return self.staged.results


def preflight(settings: Settings) -> Checked:
    """Fail before anything starts: stage options, output folder, budget file, known failures, baseline, the
    target description and its URL."""
    # Every stage table, also of a stage this run leaves out: a typo in pyproject.toml is caught
    # on the next run, not on the one (often the nightly full run) that finally uses it.
    for stage, options in settings.stage_options.items():
        stages.check_options(stage, options)
    check_writable(settings.out)
    inputs = gate.load_inputs(settings.budgets, settings.known_failures, settings.baseline)
    described = describe_target(settings)
    if (document := openapi_file(described)) is not None:
        load_document(str(document))  # a missing, oversized or invalid file: exit 4 before anything starts
    if described.openapi.startswith(("http://", "https://")):
        allowed = allowed_hosts(described.url, settings.allow_remote)
        check_allowed_url(described.openapi, allowed, "the OpenAPI document")
    if described.command is None:
        check_target_url(described.url, allow_remote=settings.allow_remote)
        if settings.faults:
            raise HarnessError(
                ErrorKind.USAGE,
                f"--faults {','.join(settings.faults)} needs an app the harness starts, "
                f"but {described.url} is already running",
                tip="give the target a command (and faults_env) instead of a URL",
            )
    else:
        check_faults(described.command, settings.faults)
    return Checked(settings, inputs, described)


def create_run_dir(checked: Checked) -> Prepared:
    """Make the run folder and write its first run.json (marked incomplete until the end)."""
    settings = checked.settings
    run = RunDir.create(settings.out, settings.profile)
    meta: dict[str, Any] = {
        "harness_version": harness.__version__,
        "profile": settings.profile,
        "stages": list(settings.stages),
        "target_url": settings.target_url,
        "faults": list(settings.faults),
        "started_at": now_iso(),
        "finished_at": None,
        "complete": False,
        "git_revision": _git_revision(),
        "python": platform.python_version(),
        "settings": settings.redacted(),
        "notes": [],
    }
    coverage = None
    if coverage_stage.enabled(settings.coverage, settings.stages):
        options = settings.stage_options.get(coverage_stage.STAGE, {})
        coverage = coverage_stage.CoverageSession(run, settings.profile, options, settings.target_url or "")
        # Listed so the gate expects coverage.json: a run that lost it is inconclusive, not silent.
        meta["stages"] = [*dict.fromkeys([*meta["stages"], coverage_stage.STAGE])]
    run.write_meta(meta)
    return Prepared(**vars(checked), run=run, meta=meta, coverage=coverage)


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


@contextlib.contextmanager
def target_session(prepared: Prepared) -> Iterator[Started]:
    """Start the described app (or check the running one) for the stages; always stop it."""
    settings, described = prepared.settings, prepared.described
    if described.command is None:
        url = check_external(
            described.url,
            ready_path=described.ready_path,
            allow_remote=settings.allow_remote,
            timeout_s=settings.external_probe_timeout_s,
        )
        yield _up(prepared, TargetInfo(url=url, description=described), None)
        return
    rcfile = prepared.coverage.rcfile_for_started(described) if prepared.coverage else None
    app = AppProcess(
        described.command,
        prepared.run.path / TARGET_LOG,
        ready_path=described.ready_path,
        port=settings.target_port,
        faults=settings.faults,
        workers=settings.target_workers,
        data_dir=settings.target_data_dir,
        coverage_data=prepared.run.artifacts(coverage_stage.STAGE) / ".coverage" if rcfile else None,
        coverage_rcfile=rcfile,
        startup_timeout_s=settings.target_startup_timeout_s,
    )
    with app:
        info = TargetInfo(
            url=app.url,
            description=described,
            started=True,
            faults=settings.faults,
            log_path=app.log_path,
            restart=app.restart,
        )
        yield _up(prepared, info, app)


def _up(prepared: Prepared, target: TargetInfo, app: AppProcess | None) -> Started:
    """The target is up: find its OpenAPI document, let coverage read its operations."""
    openapi = openapi_location(target.description, target.url, allow_remote=prepared.settings.allow_remote)
    if prepared.coverage is not None:
        prepared.coverage.attach(target, openapi)
    return Started(target, app, openapi)


class _Stages:
    """The stages task's own record as groups end; `staged` hands on its frozen copy."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.cancel = threading.Event()
        self.ran: list[Ran] = []
        self.schedule: list[tuple[str, ...]] = []
        self.started: Started | None = None
        self.exited: dict[str, Any] | None = None
        self.stopped: list[str] = []
        self.errors: list[HarnessError] = []
        self.overlap: dict[str, dict[str, Any]] = {}

    def staged(self) -> Staged:
        notes: tuple[str, ...] = ()
        if self.started is not None and self.started.openapi is None:
            notes = ("the target serves no OpenAPI document at the usual paths and none is configured",)
        return Staged(
            tuple(self.ran),
            tuple(self.schedule),
            self.started,
            self.exited,
            tuple(self.stopped),
            tuple(self.errors),
            notes,
            dict(self.overlap),
        )

    def run_all(self, started: Started) -> None:
        """Each group of the plan in turn; stop after an interrupted group or one the target died in."""
        self.started = started
        plan = schedule.steps(schedule.plan([s for s in self.prepared.settings.stages if s != coverage_stage.STAGE]))
        for index, (group, then) in enumerate(plan):
            if self.cancel.is_set():
                break
            ran = self._run_group(started, group, then)
            unstarted = [stage for stage in then if stage not in ran]
            later = unstarted + [stage for step in plan[index + 1 :] for stage in (*step[0], *step[1])]
            if self._interrupted(ran) or self._target_exited(started, ran, later):
                break

    def _run_group(self, started: Started, group: tuple[str, ...], then: tuple[str, ...]) -> tuple[str, ...]:
        """The group, and ``then`` in its tail (`harness.schedule.run_group`); returns the stages that ran."""
        self._say_start(started, group)
        with console.Board((*group, *then), self.prepared.settings.heartbeat_s) as board:
            ended = schedule.run_group(
                group,
                lambda stage, measured: self._run_stage(started, stage, board, measured),
                self.cancel,
                then=then,
                starting=lambda stages, beside: self._may_start(started, stages, beside),
            )
        parts = (tuple(stage for stage in part if stage in ended.results) for part in (group, then))
        self.schedule += [part for part in parts if part]
        self.overlap.update(ended.overlap)
        ran = tuple(stage for stage in (*group, *then) if stage in ended.results)
        for stage in ran:  # in the plan's order, whichever ended first
            self.ran.append(ended.results[stage])
            if self.prepared.coverage is not None:
                self.prepared.coverage.after(stage, ended.results[stage].result)
        return ran

    def _may_start(self, started: Started, stages: tuple[str, ...], beside: tuple[str, ...]) -> bool:
        """Stages of a group's tail start unless the target the harness started has exited meanwhile."""
        if not _target_alive(started):
            return False
        self._say_start(started, stages, beside)
        return True

    def _say_start(self, started: Started, stages: tuple[str, ...], beside: tuple[str, ...] = ()) -> None:
        """``▶ contracts, security at once, beside e2e (done measuring), against URL (profile smoke)``."""
        together = " at once" if len(stages) > 1 else ""
        tail = f", beside {', '.join(beside)} (done measuring)," if beside else ""
        url, profile = started.target.url, self.prepared.settings.profile
        console.say(f"[bold]▶ {', '.join(stages)}[/]{together}{tail} against {url} (profile {profile})")

    def _run_stage(self, started: Started, name: str, board: console.Board, measured: threading.Event) -> Ran:
        """One stage, on its own thread when its group has several: guarded, scrubbed, saved, said."""
        prepared, began, clock = self.prepared, now_iso(), time.monotonic()
        ctx = StageContext(
            stage=name,
            profile=prepared.settings.profile,
            target=started.target,
            openapi=started.openapi,
            run_dir=prepared.run.path,
            artifacts=prepared.run.artifacts(name),
            options=dict(prepared.settings.stage_options.get(name, {})),
            progress=board.progress[name],
            cancel=self.cancel,
            measured=measured,
        )
        allowed = allowed_hosts(started.target.url, prepared.settings.allow_remote)
        # Every process of the stage reaches only these hosts; what it tried elsewhere becomes findings.
        with board.progress[name], egress.guarded(allowed, ctx.artifacts / egress.FOLDER) as blocked:
            result, error = _guarded(prepared.run, ctx)
        scrub.redact_tree(ctx.artifacts)  # the stage's tools wrote their own files, with what they were given
        egress.report(result, blocked)
        prepared.run.write_result(result.finish() if result.finished_at is None else result)
        console.say(_stage_line(prepared, result))
        return Ran(result, began, round(time.monotonic() - clock, 3), error)

    def _interrupted(self, group: tuple[str, ...]) -> bool:
        """Ctrl-C during the group (or a stage that caught it itself and kept what it measured)."""
        if not self.cancel.is_set() and not any(ran.interrupted for ran in self.ran[-len(group) :]):
            return False
        self.cancel.set()
        self.stopped.append(f"run interrupted during the {_stage_words(group)}")
        return True

    def _target_exited(self, started: Started, group: tuple[str, ...], later: list[str]) -> bool:
        """Did the app the harness started exit during ``group``? Then record it and stop: every later
        stage would measure a dead target."""
        if _target_alive(started):
            return False
        process = started.app.process if started.app is not None else None
        code = process.returncode if process is not None else None
        self.exited = {"code": code, "during": ",".join(group), "at": now_iso()}
        note = f"the target exited (code {code}) during the {_stage_words(group)}; see {TARGET_LOG}"
        self.stopped.append(note + (f"; not run: {', '.join(later)}" if later else ""))
        console.say(f"[red]{note}[/]")
        return True


def _target_alive(started: Started) -> bool:
    """False once the app the harness started has exited (a running target it only checked: True)."""
    process = started.app.process if started.app is not None else None
    return started.app is None or (process is not None and process.poll() is None)


def _stage_words(group: tuple[str, ...]) -> str:
    """``load stage``, ``contracts, security and accessibility stages``."""
    if len(group) == 1:
        return f"{group[0]} stage"
    return f"{', '.join(group[:-1])} and {group[-1]} stages"


def run_target(prepared: Prepared) -> Staged:
    """Start the target, run the stages against it, stop it; every way this ends is a `Staged`."""
    task = _Stages(prepared)
    try:
        with target_session(prepared) as started:
            task.run_all(started)
    except HarnessError as exc:
        # The target did not start, or a result could not be saved (disk full): the stages did not all run.
        task.errors.append(exc)
        task.stopped.append(exc.message.splitlines()[0])
        console.say(f"[red]{exc.render()}[/]")
    except KeyboardInterrupt:
        task.cancel.set()
        task.stopped.append("run interrupted before the stages finished")
    return task.staged()


def measure_coverage(prepared: Prepared, staged: Staged) -> Staged:
    """After the target stopped (its coverage data saved): coverage.json, as the coverage stage's run."""
    if prepared.coverage is None:
        return staged
    console.say("[bold]▶ coverage[/] (combining the target's coverage data)")
    began, clock = now_iso(), time.monotonic()
    try:
        result = prepared.coverage.result(complete=staged.complete)
    except KeyboardInterrupt:
        return dataclasses.replace(staged, stopped=(*staged.stopped, "run interrupted while combining coverage data"))
    prepared.run.write_result(result)
    console.say(_stage_line(prepared, result))
    ran = Ran(result, began, round(time.monotonic() - clock, 3))
    return dataclasses.replace(staged, ran=(*staged.ran, ran), schedule=(*staged.schedule, (coverage_stage.STAGE,)))


def _stage_line(prepared: Checked, result: StageResult) -> str:
    """What happened, in the words of the reports ("load: ran, 2 budgets breached, 9 met"), then the
    rest of an error (its tip) indented below."""
    from reports import format as fmt

    words = fmt.stage_words(result, gate.stage_budgets(prepared.inputs, prepared.settings.profile, result))
    tail = (result.error or "").strip().splitlines()[1:] if result.status is Status.ERROR else []
    return "\n".join([f"  {result.stage}: {words}", *(f"    {line}" for line in tail)])


def _guarded(run: RunDir, ctx: StageContext) -> tuple[StageResult, HarnessError | None]:
    """Call the stage runner; every way it can end becomes a recorded result (the boundary), with the
    error the run must list beside it."""
    try:
        result = stages.resolve(ctx.stage)(ctx)
        if ctx.cancel.is_set() and result.status in (Status.PASSED, Status.FAILED):
            # Cancelled while it ran (a stage beside it got the Ctrl-C): it may have stopped early
            # without saying so, and an interrupted measurement must never pass.
            return _partial(run, ctx, "interrupted (Ctrl-C or SIGTERM) while it ran", result), None
        return result, None
    except KeyboardInterrupt:
        ctx.cancel.set()
        return _partial(run, ctx, "interrupted (Ctrl-C or SIGTERM); results are partial"), None
    except HarnessError as exc:
        return ctx.result(status=Status.ERROR, error=exc.render()), exc
    except Exception as exc:  # noqa: BLE001 - the stage boundary: recorded as a stage error, never a pass
        trace = ctx.artifacts / "error.txt"
        atomic.write_text(trace, "".join(traceback.format_exception(exc)))
        error = HarnessError(ErrorKind.INTERNAL, f"{ctx.stage} stage crashed: {exc!r}")
        result = ctx.result(
            status=Status.ERROR,
            error=f"stage crashed: {exc!r} (traceback in {trace.relative_to(ctx.run_dir)})",
        )
        return result, error


def _partial(run: RunDir, ctx: StageContext, why: str, returned: StageResult | None = None) -> StageResult:
    """What the stage returned, else its last checkpoint (if it wrote one), else an empty result, marked
    incomplete."""
    result = returned or run.results().get(ctx.stage) or ctx.result(status=Status.INCOMPLETE)
    result.status = Status.INCOMPLETE
    result.error = why
    return result


def record(prepared: Prepared, staged: Staged) -> None:
    """Complete run.json: the target, what ran at once and when, the end time, completeness, notes, errors."""
    described = prepared.described
    target: dict[str, Any] = {"name": described.name, "source": described.source, "started": described.starts_app}
    if staged.exited is not None:
        target["exited"] = dict(staged.exited)
    up = staged.started
    meta = {
        **prepared.meta,
        "target": target,
        **({"target_url": up.target.url, "openapi": up.openapi} if up is not None else {}),
        "schedule": [list(group) for group in staged.schedule],
        "stage_times": {
            ran.result.stage: {
                "started_at": ran.started_at,
                "seconds": ran.seconds,
                **staged.overlap.get(ran.result.stage, {}),
            }
            for ran in staged.ran
        },
        "finished_at": now_iso(),
        "complete": staged.complete,
        "notes": [*staged.notes, *staged.stopped],
        "errors": [gate.run_error(e).to_dict() for e in staged.run_errors()],
    }
    prepared.run.write_meta(meta)


def judge(prepared: Prepared, staged: Staged) -> Finished:
    """Evaluate budgets against the stage results and write verdict.json."""
    verdict = gate.judge(prepared.run, prepared.inputs, profile=prepared.settings.profile)
    return Finished(prepared.run, prepared.inputs, staged, verdict, tuple(staged.run_errors()))


def render_reports(finished: Finished, complete: bool) -> Finished:
    """Write every report of the run (Markdown, HTML, JUnit, SARIF, history); a report that fails
    becomes an error of the verdict, so ``verdict.json`` and the exit code keep agreeing."""
    from reports import write_all

    try:
        write_all(finished.run.path)
    except HarnessError as exc:
        console.say(f"[red]{exc.render()}[/]")
        verdict = finished.verdict
        if verdict is not None:
            verdict = gate.add_error(finished.run.path, verdict, exc, run_complete=complete)
        return dataclasses.replace(finished, verdict=verdict, errors=(*finished.errors, exc))
    return finished


def exit_code(finished: Finished) -> ExitCode:
    """The verdict's code (`perf_budgets.verdict.decide` holds the one precedence); without a verdict
    (it could not be written) the most severe error seen, never "breached"."""
    if finished.verdict is not None:
        return finished.verdict.exit_code
    return max((e.exit_code for e in finished.errors), default=ExitCode.HARNESS_ERROR)


def run(settings: Settings) -> tuple[ExitCode, Finished]:
    """The whole `harness run`; usage errors before the run starts propagate as `HarnessError`."""
    prepared = create_run_dir(preflight(settings))
    staged = Staged(stopped=("the run ended before its stages did",))  # what run.json says if the harness fails
    with supervisor.interruptible():
        try:
            staged = run_target(prepared)
            staged = measure_coverage(prepared, staged)
        finally:
            record(prepared, staged)
    finished = Finished(prepared.run, prepared.inputs, staged, None, tuple(staged.run_errors()))
    try:
        finished = render_reports(judge(prepared, staged), staged.complete)
    finally:
        scrub.redact_tree(prepared.run.path)  # last: nothing is written after it (Ctrl-C included)
    return exit_code(finished), finished


def _git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False, cwd=os.getcwd()
        )
    except OSError:
        return None
    return out.stdout.strip() or None
