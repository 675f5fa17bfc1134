"""The e2e stage: the team's own pytest-playwright tests, then page journeys, each in a subprocess.

What runs is decided by the target description:

- ``playwright_tests``: that folder runs unchanged under pytest, with its own configuration
  (`e2e.userconfig`) and the harness attached from outside (`e2e.plugin`). Each test is a workflow
  (``e2e.workflows.*``), and every target page the tests open gets Web Vitals. Without a folder the
  workflow metrics are not applicable: the harness invents no workflows.
- ``pages`` and ``auth_pages`` (signed in with the auth recipe): page journeys load each one cold and
  measure its Web Vitals (`e2e.vitals`). With neither tests nor pages, the journeys crawl the
  target's same-origin links from ``/`` (``crawl_depth``, ``max_pages``).
- Lighthouse then scores the first measured pages (``lighthouse_pages``; `e2e.lighthouse`).

Stages that observe the tests' steps (`stagekit.step_observers`: the accessibility stage audits each
with axe) have their pytest plugins loaded into the test run, each writing to a folder of its own.

Options: `e2e.plan.Options` (``[tool.harness.e2e]`` or ``-o e2e.<key>=<value>``), each with its help.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from e2e import lighthouse, process, results, userconfig
from e2e.plan import Options, Plan, plan_for
from stagekit import auth, stages
from stagekit.imports import IMPORT_ROOT
from stagekit.stages import StageContext
from stagekit.step_observers import StepObserver
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

HARNESS_ROOT = Path(__file__).resolve().parents[1]
"""The folder holding the harness's packages (the journeys run from here)."""
_PLUGINS = (
    ("-p", "playwright"),  # by its entry-point name: also when the tests' config blocks it
    ("-p", "e2e.plugin"),
    ("-p", "no:cacheprovider"),  # no .pytest_cache written into the team's project
    ("-p", "no:locust"),  # Locust's pytest plugin has no business in a browser run
    # Nor have those of Schemathesis and of Hypothesis (which Schemathesis brings), installed with the
    # harness: they import both libraries at startup or session end, half the run's pytest startup time.
    ("-p", "no:schemathesis"),
    ("-p", "no:hypothesispytest"),
)
NO_TESTS = "the target description names no Playwright tests (playwright_tests)"
NO_CONFIG = "the tests have no pytest configuration of their own: ran with an empty one"
NO_PAGES = "no page to measure: the description names no pages and the tests opened none of the target's"
LIGHTHOUSE_OFF = "Lighthouse is turned off (lighthouse_pages = 0)"
SMOKE_LIGHTHOUSE_PAGES = 2
"""Pages Lighthouse scores in the smoke profile by default (10-20 s each)."""
_NO_TESTS_COLLECTED = 5


@dataclasses.dataclass(frozen=True)
class Paths:
    """Where the stage's raw artifacts go."""

    root: Path
    observers: tuple[StepObserver, ...] = ()
    """The step observers loaded into the test run; each writes to ``root / observer.folder``."""

    @property
    def junit(self) -> Path:
        return self.root / "junit.xml"

    @property
    def sidecar(self) -> Path:
        return self.root / "workflows.json"

    @property
    def playwright(self) -> Path:
        return self.root / "playwright"

    @property
    def retry_sidecar(self) -> Path:
        return self.root / "workflows-retry.json"

    @property
    def retry_playwright(self) -> Path:
        return self.root / "playwright-retry"

    @property
    def vitals(self) -> Path:
        return self.root / "vitals.json"

    @property
    def lighthouse(self) -> Path:
        return self.root / "lighthouse"


def step_observers(ctx: StageContext, options: Options) -> tuple[StepObserver, ...]:
    """The observers of the tests' steps: by default those of the stages this run puts after this one
    (they read what their observer wrote); every declared one or none with the ``a11y_steps`` option."""
    declared = stages.step_observers()
    if options.a11y_steps is not None:
        return tuple(declared.values()) if options.a11y_steps else ()
    planned = [str(name) for name in RunDir(ctx.run_dir).meta().get("stages", [])]
    later = planned[planned.index(ctx.stage) + 1 :] if ctx.stage in planned else []
    return tuple(observer for stage, observer in declared.items() if stage in later)


def run(ctx: StageContext) -> StageResult:
    """Run the tests, then the page journeys; checkpoint in between."""
    options = Options.from_mapping(ctx.options)
    plan = plan_for(ctx.target.description, options)
    result = ctx.result(status=Status.INCOMPLETE, tool_versions=_tool_versions())
    notes: list[str] = result.details.setdefault("notes", [])
    paths = Paths(ctx.artifacts, step_observers(ctx, options))
    stage = _Run(ctx, options, plan, paths, result, _env(_credentials(ctx, plan, notes)))
    tests = stage.tests()
    journeys = stage.journeys() if plan.journeys and not stage.cancelled else {}
    if plan.journeys or any(test.get("pages") for test in tests):
        results.add_pages(result, journeys, tests)
        if not stage.cancelled:
            stage.lighthouse(results.to_score(result))
    else:
        result.not_applicable.update(dict.fromkeys(results.PAGE_METRICS, NO_PAGES))
    # Lighthouse was the last timing measurement: correctness stages may start beside what is left.
    ctx.measured.set()
    result.details["operations"] = results.operations(tests, journeys)
    result.artifacts.update(_artifacts(ctx, stage.paths, result))
    return result.finish(_status(result, stage.errors, cancelled=stage.cancelled))


@dataclasses.dataclass
class _Run:
    """One run of the stage: its two tool processes and what they left."""

    ctx: StageContext
    options: Options
    plan: Plan
    paths: Paths
    result: StageResult
    env: dict[str, str]
    errors: list[str] = dataclasses.field(default_factory=list)
    cancelled: bool = False

    @property
    def notes(self) -> list[str]:
        notes: list[str] = self.result.details["notes"]
        return notes

    def tests(self) -> list[dict[str, Any]]:
        """Run the team's tests into workflow metrics (written at once); their records."""
        tests, project = self.plan.tests, self.plan.project
        if tests is None or project is None:
            self.result.not_applicable.update(dict.fromkeys(results.WORKFLOW_METRICS, NO_TESTS))
            return []
        # The first run and a re-run of its failures read the same configuration.
        config = userconfig.pytest_config_args(tests, project)
        ran = self._pytest(tests, project, config)
        self._tests_error(ran, tests)
        sidecar = _read(self.paths.sidecar)
        self.cancelled = ran.cancelled
        if self.options.trace == "on-first-retry" and not self.cancelled:
            self._trace_failures(sidecar, project, config)
        results.add_workflows(self.result, sidecar, _relative(self.ctx, project))
        self.result.details["workflows_wall_s"] = round(ran.elapsed_s, 1)
        if self.paths.observers:
            self.result.details["step_observers_s"] = _observed_seconds(sidecar)
        self.result.artifacts.update(_artifacts(self.ctx, self.paths, self.result))
        RunDir(self.ctx.run_dir).write_result(self.result)
        records: list[dict[str, Any]] = sidecar.get("tests", [])
        return records

    def journeys(self) -> dict[str, Any]:
        """Run the page journeys; their report."""
        description = self.ctx.target.description
        flags = {
            "--base-url": self.ctx.target.url,
            "--out": str(self.paths.vitals),
            "--runs": str(self.options.vitals_runs),
            "--pages": ",".join(self.plan.pages),
            "--auth-pages": ",".join(self.plan.auth_pages),
            "--crawl-depth": str(description.crawl_depth),
            "--max-pages": str(description.max_pages),
        }
        if self.plan.crawl:
            self.notes.append(
                f"no pages named: the journeys crawled same-origin links from / (depth {description.crawl_depth}, "
                f"at most {description.max_pages} pages)"
            )
        self.ctx.progress.start("e2e page journeys", total=None)
        command = [sys.executable, "-m", "e2e.vitals", *(part for flag in flags.items() for part in flag)]
        measured = self._tool(command, IMPORT_ROOT, self.paths.root / "vitals.log")
        self.result.details["journeys_wall_s"] = round(measured.elapsed_s, 1)
        if measured.returncode != 0:
            self.errors.append(measured.describe("page journeys", self.paths.root / "vitals.log"))
        self.cancelled = measured.cancelled
        return _read(self.paths.vitals)

    def lighthouse(self, pages: list[lighthouse.Page]) -> None:
        """Lighthouse on the first ``lighthouse_pages`` measured pages: their scores, or why there are none."""
        count = self.options.lighthouse_pages
        if count is None:
            count = SMOKE_LIGHTHOUSE_PAGES if self.ctx.profile == "smoke" else len(pages)
        if count == 0:
            self.result.not_applicable.update(dict.fromkeys(results.SCORE_METRICS, LIGHTHOUSE_OFF))
            return
        chosen = pages[:count]
        if len(chosen) < len(pages):
            self.notes.append(
                f"Lighthouse scored the first {len(chosen)} of {len(pages)} measured pages (lighthouse_pages)"
            )
        try:
            tool = lighthouse.find(HARNESS_ROOT)
        except lighthouse.Unavailable as missing:
            self.notes.append(f"no performance score: {missing}")
            results.add_scores(self.result, [], len(chosen), unavailable=str(missing))
            return
        self.result.tool_versions["lighthouse"] = tool.version
        self.ctx.progress.start("e2e Lighthouse", total=len(chosen))
        run = lighthouse.Run(
            tool,
            self.ctx.target.url,
            self.paths.lighthouse,
            self.options.lighthouse_preset,
            auth.Credentials.from_env(self.env),
            self.options.timeout_s,
            self.ctx.cancel,
        )
        started = time.perf_counter()
        audits = lighthouse.audit_pages(run, chosen, lambda _: self.ctx.progress.advance(1))
        self.result.details["lighthouse_wall_s"] = round(time.perf_counter() - started, 1)
        rel = _relative(self.ctx, self.paths.lighthouse)
        for audit in audits:
            audit.report = rel(audit.report)
            if audit.report:
                self.result.artifacts[f"lighthouse:{audit.name}"] = audit.report
        results.add_scores(self.result, audits, len(chosen))
        self.cancelled = self.ctx.cancel.is_set()

    def _pytest(self, tests: Path, project: Path, config: list[str]) -> process.Finished:
        """pytest on the team's folder, with its own configuration (``config``: `userconfig.pytest_config_args`),
        the harness's plugin and the step observers."""
        own = config[1] != os.devnull
        self.notes.append(f"the tests ran with their pytest configuration {config[1]}" if own else NO_CONFIG)
        flags = {
            "--e2e-report": str(self.paths.sidecar),
            "--junitxml": str(self.paths.junit),
            # Tracing every test costs a third more browser time; by default only a failure's re-run is traced.
            "--tracing": "retain-on-failure" if self.options.trace == "retain-on-failure" else "off",
            "--output": str(self.paths.playwright),
        }
        flags.update({observer.option: str(self.paths.root / observer.folder) for observer in self.paths.observers})
        if self.options.select:
            flags["-k"] = self.options.select
        plugins = [part for observer in self.paths.observers for part in ("-p", observer.plugin)]
        if self.options.workers > 1:
            plugins += ["-p", "xdist", "-n", str(self.options.workers)]
        self.ctx.progress.start("e2e tests", total=None)
        command = self._pytest_command([str(tests)], config, flags, plugins)
        return self._tool(command, project, self.paths.root / "pytest.log", _Progress(self.ctx, self.paths.sidecar))

    def _trace_failures(self, sidecar: dict[str, Any], project: Path, config: list[str]) -> None:
        """Run the failed tests again, traced (Playwright's on-first-retry): each failure gets the re-run's
        trace and outcome; its first outcome stands, so a test that passes the second time is still failed."""
        failed = [test for test in sidecar.get("tests", []) if test["outcome"] in ("failed", "error")]
        if not failed:
            return
        rootdir = Path(config[config.index("--rootdir") + 1])  # node ids are relative to it
        flags = {
            "--e2e-report": str(self.paths.retry_sidecar),
            "--tracing": "on",
            "--output": str(self.paths.retry_playwright),
        }
        self.ctx.progress.start("e2e traced re-run of the failed tests", total=None)
        nodes = [str(rootdir / test["nodeid"]) for test in failed]
        command = self._pytest_command(nodes, config, flags, [])
        ran = self._tool(command, project, self.paths.root / "pytest-retry.log")
        self.cancelled = ran.cancelled
        again = {test["nodeid"]: test for test in _read(self.paths.retry_sidecar).get("tests", [])}
        for test in failed:
            retried = again.get(test["nodeid"], {})
            test["retry"] = retried.get("outcome")
            test["trace"] = retried.get("trace")
        self.notes.append(
            f"{len(failed)} failed test(s) ran again, traced (trace = on-first-retry); the first outcome stands: "
            + ", ".join(f"{test['nodeid']} {test['retry'] or 'not re-run'}" for test in failed)
        )

    def _pytest_command(
        self, targets: list[str], config: list[str], flags: dict[str, str], plugins: list[str]
    ) -> list[str]:
        """The pytest command line for ``targets`` (the folder or test node ids) under the harness's plugins."""
        flags = {"--base-url": self.ctx.target.url, "--screenshot": "only-on-failure", **flags}
        command = [sys.executable, "-P", "-m", "pytest", *targets, *config, *(p for pair in _PLUGINS for p in pair)]
        return [*command, *plugins, "-rfE", *(part for flag in flags.items() for part in flag)]

    def _tests_error(self, ran: process.Finished, tests: Path) -> None:
        """Record why the test run measured nothing trustworthy (pytest that ran the tests is fine)."""
        log = self.paths.root / "pytest.log"
        if ran.returncode in (0, 1):
            return
        if ran.returncode == _NO_TESTS_COLLECTED:
            chosen = f" matching -k {self.options.select!r}" if self.options.select else ""
            self.errors.append(f"pytest found no test{chosen} in {tests} (log: {log})")
        else:
            self.errors.append(ran.describe("pytest (the Playwright tests)", log))

    def _tool(self, command: list[str], cwd: Path, log: Path, progress: _Progress | None = None) -> process.Finished:
        return process.run(
            command,
            cwd=cwd,
            env=self.env,
            log=log,
            timeout_s=self.options.timeout_s,
            cancel=self.ctx.cancel,
            on_tick=progress.tick if progress else None,
        )


def _credentials(ctx: StageContext, plan: Plan, notes: list[str]) -> auth.Credentials:
    """The auth recipe's credentials, when a signed-in page or the tests (``harness_auth``) may need them."""
    recipe = ctx.target.description.auth
    if not recipe.enabled or not (plan.auth_pages or plan.tests):
        return auth.Credentials()
    try:
        return auth.authenticate(recipe, ctx.target.url)
    except auth.AuthError as exc:
        notes.append(f"signing in with the auth recipe failed, signed-in pages and harness_auth fail: {exc.message}")
        return auth.Credentials()


class _Progress:
    """Advances the progress bar as the sidecar gains finished tests, and names the running one."""

    def __init__(self, ctx: StageContext, sidecar: Path) -> None:
        self.ctx, self.sidecar, self.seen = ctx, sidecar, 0

    def tick(self) -> None:
        sidecar = _read(self.sidecar)
        done = len(sidecar.get("tests", []))
        if done > self.seen:
            self.ctx.progress.advance(done - self.seen)
            self.seen = done
        self.ctx.progress.figures(workflow_figures(sidecar))


def workflow_figures(sidecar: dict[str, Any]) -> str:
    """``workflow 3 of 7: test_checkout[chromium], 1 failed`` from the sidecar as the tests run."""
    tests = sidecar.get("tests", [])
    running = sidecar.get("running")
    if not (tests or running or sidecar.get("collected")):
        return "collecting the tests"
    total = sidecar.get("collected") or "?"  # unknown under pytest-xdist
    failed = sum(test.get("outcome") in ("failed", "error") for test in tests)
    figures = f"workflow {len(tests) + bool(running)} of {total}" + (f": {running}" if running else "")
    return figures + (f", {failed} failed" if failed else "")


def _env(credentials: auth.Credentials) -> dict[str, str]:
    """The tools' environment: the harness importable from the tests' folder, the credentials (if any)."""
    env = {key: value for key, value in os.environ.items() if key != auth.ENV}
    if not _installed():
        # A harness run from its checkout: its folder (not the tests' cwd) must be importable.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(IMPORT_ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONUNBUFFERED": "1", **credentials.to_env()}


def _installed() -> bool:
    """True when the harness is an installed distribution (editable or not): its packages import anywhere."""
    try:
        version("release-harness")
    except PackageNotFoundError:
        return False
    return True


def _observed_seconds(sidecar: dict[str, Any]) -> float:
    """Seconds the tests spent in the step observers after their steps (part of workflows_wall_s)."""
    seconds = sum(float(step.get("observers_s", 0.0)) for test in sidecar.get("tests", []) for step in test["steps"])
    return round(seconds, 1)


def _read(path: Path) -> dict[str, Any]:
    """A JSON artifact, or an empty document when the tool never wrote it (reported by validity)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data


def _relative(ctx: StageContext, cwd: Path) -> results.PathFn:
    """Artifact paths as the run directory sees them (pytest-playwright gives cwd-relative ones)."""

    def rel(path: str | None) -> str | None:
        if not path:
            return None
        absolute = (cwd / path).resolve()
        try:
            return str(absolute.relative_to(ctx.run_dir.resolve()))
        except ValueError:
            return str(absolute)

    return rel


def _artifacts(ctx: StageContext, paths: Paths, result: StageResult) -> dict[str, str]:
    found = {
        "junit": paths.junit,
        "workflows": paths.sidecar,
        "vitals": paths.vitals,
        "pytest_log": paths.root / "pytest.log",
        "workflows_retry": paths.retry_sidecar,
        "pytest_retry_log": paths.root / "pytest-retry.log",
        "vitals_log": paths.root / "vitals.log",
        "lighthouse_log": paths.lighthouse / "lighthouse.log",
        **{observer.artifact: paths.root / observer.folder for observer in paths.observers},
    }
    artifacts = {k: str(p.resolve().relative_to(ctx.run_dir.resolve())) for k, p in found.items() if p.exists()}
    for finding in result.findings:
        for kind in ("trace", "screenshot"):
            if finding.extra.get(kind):
                artifacts[f"{kind}:{finding.extra['workflow']}"] = str(finding.extra[kind])
    return artifacts


def _status(result: StageResult, errors: list[str], *, cancelled: bool) -> Status:
    """Error when a tool crashed or measured nothing; failed when a workflow, page or check failed."""
    if cancelled:
        result.error = "cancelled; results are partial"
        return Status.INCOMPLETE
    if errors:
        result.error = "; ".join(errors)
        return Status.ERROR
    if not any(check.ok for check in result.validity):
        result.error = "measured nothing: no test ran to an outcome and no page was measured"
        return Status.ERROR
    # A failed validity check makes only the metrics it guards inconclusive (the gate's job).
    passed = not result.findings and all(check.ok for check in result.validity)
    return Status.PASSED if passed else Status.FAILED


def _tool_versions() -> dict[str, str]:
    return {name: version(name) for name in ("playwright", "pytest-playwright", "pytest")}
