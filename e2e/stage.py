"""The e2e stage: the workflow tests (pytest-playwright) and the page vitals, each in a subprocess.

Options (``[tool.harness.e2e]``): ``workflows`` (ids to run, default all), ``pages`` (page names
for the vitals, default `e2e.vitals.DEFAULT_PAGES`), ``vitals_runs`` (loads per page, default 3),
``workers`` (pytest-xdist processes, default 1: ``-n 2`` gained nothing measurable on 2 shared
cores; needs pytest-xdist installed),
``timeout_s`` (deadline per subprocess, default 600), ``a11y_steps`` (axe audit of the open tabs after
every workflow step, for the accessibility stage; default: on when this run's stages put
``accessibility`` after ``e2e``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from accessibility.step_results import STEPS_ARTIFACT
from e2e import process, results, vitals, workflows
from harness.errors import ErrorKind, HarnessError
from harness.records import StageResult, Status
from harness.rundir import RunDir
from harness.stages import StageContext

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent
_PLUGINS = ("-p", "pytest_playwright.pytest_playwright")


@dataclasses.dataclass(frozen=True)
class Options:
    """The stage's options, validated."""

    workflows: tuple[workflows.Workflow, ...]
    pages: tuple[str, ...]
    vitals_runs: int = 3
    workers: int = 1
    timeout_s: float = 600.0
    a11y_steps: bool | None = None
    """None: decided by the run's stage list (`audit_steps`)."""

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> Options:
        """Read ``ctx.options``; an unknown workflow id is a usage error naming the nearest one."""
        try:
            chosen = workflows.select(_names(options.get("workflows")))
        except workflows.UnknownWorkflowError as exc:
            raise HarnessError(ErrorKind.CONFIG, f"[tool.harness.e2e] workflows: {exc}") from None
        return cls(
            workflows=chosen,
            pages=tuple(_names(options.get("pages")) or vitals.DEFAULT_PAGES),
            vitals_runs=int(options.get("vitals_runs", 3)),
            workers=int(options.get("workers", 1)),
            timeout_s=float(options.get("timeout_s", 600.0)),
            a11y_steps=_flag(options.get("a11y_steps")),
        )


def _flag(value: Any) -> bool | None:
    """A TOML boolean option left unset (None) or set; anything else is a config error."""
    if value is None or isinstance(value, bool):
        return value
    raise HarnessError(ErrorKind.CONFIG, f"[tool.harness.e2e] a11y_steps: expected true or false, got {value!r}")


def _names(value: Any) -> list[str]:
    """A list from a TOML list or a comma-separated string."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


@dataclasses.dataclass(frozen=True)
class Paths:
    """Where the stage's raw artifacts go."""

    root: Path

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
    def vitals(self) -> Path:
        return self.root / "vitals.json"

    @property
    def a11y_steps(self) -> Path:
        return self.root / "a11y"


def audit_steps(ctx: StageContext, options: Options) -> bool:
    """Audit after each step when asked to, or by default when the accessibility stage runs later."""
    if options.a11y_steps is not None:
        return options.a11y_steps
    planned = [str(name) for name in RunDir(ctx.run_dir).meta().get("stages", [])]
    if "accessibility" not in planned or ctx.stage not in planned:
        return False
    return planned.index("accessibility") > planned.index(ctx.stage)


def run(ctx: StageContext) -> StageResult:
    """Run the workflow tests, then measure the pages; checkpoint in between."""
    options = Options.from_mapping(ctx.options)
    paths = Paths(ctx.artifacts)
    result = ctx.result(status=Status.INCOMPLETE, tool_versions=_tool_versions())
    errors: list[str] = []
    ran = _run_workflows(ctx, options, paths)
    if ran.returncode not in (0, 1):
        errors.append(ran.describe("pytest (workflow tests)", paths.root / "pytest.log"))
    sidecar = _read(paths.sidecar)
    results.add_workflows(result, options.workflows, sidecar, _relative(ctx))
    result.details["workflows_wall_s"] = round(ran.elapsed_s, 1)
    if paths.a11y_steps.is_dir():
        result.details["a11y_steps_s"] = _audit_seconds(sidecar)
    result.artifacts.update(_artifacts(ctx, paths, result))
    RunDir(ctx.run_dir).write_result(result)
    cancelled = ran.cancelled
    if not cancelled:
        measured = _run_vitals(ctx, options, paths)
        if measured.returncode != 0:
            errors.append(measured.describe("page vitals", paths.root / "vitals.log"))
        results.add_pages(result, _read(paths.vitals))
        result.artifacts.update(_artifacts(ctx, paths, result))
        cancelled = measured.cancelled
    return result.finish(_status(result, errors, cancelled=cancelled))


def _run_workflows(ctx: StageContext, options: Options, paths: Paths) -> process.Finished:
    """pytest on ``e2e/`` with its own config (the root config keeps pytest-playwright off)."""
    flags = {
        "--base-url": ctx.target.url,
        "--workflows": ",".join(w.id for w in options.workflows),
        "--e2e-report": str(paths.sidecar),
        "--junitxml": str(paths.junit),
        "--tracing": "retain-on-failure",
        "--screenshot": "only-on-failure",
        "--output": str(paths.playwright),
    }
    if audit_steps(ctx, options):
        flags["--a11y-steps"] = str(paths.a11y_steps)
    command = [sys.executable, "-m", "pytest", "-c", str(E2E_DIR / "pytest.ini"), str(E2E_DIR), *_PLUGINS, "-q", "-rfE"]
    command += [part for flag in flags.items() for part in flag]
    if options.workers > 1:
        command += ["-p", "xdist.plugin", "-n", str(options.workers)]
    ctx.progress.start("e2e workflows", total=len(options.workflows))
    progress = _Progress(ctx, paths.sidecar)
    return process.run(
        command,
        cwd=REPO_ROOT,
        env=_env(ctx),
        log=paths.root / "pytest.log",
        timeout_s=options.timeout_s,
        cancel=ctx.cancel,
        on_tick=progress.tick,
    )


def _run_vitals(ctx: StageContext, options: Options, paths: Paths) -> process.Finished:
    """``python -m e2e.vitals`` over the configured pages."""
    flags = {
        "--base-url": ctx.target.url,
        "--out": str(paths.vitals),
        "--runs": str(options.vitals_runs),
        "--pages": ",".join(options.pages),
    }
    command = [sys.executable, "-m", "e2e.vitals", *(part for flag in flags.items() for part in flag)]
    ctx.progress.start("e2e page vitals", total=None)
    return process.run(
        command,
        cwd=REPO_ROOT,
        env=_env(ctx),
        log=paths.root / "vitals.log",
        timeout_s=options.timeout_s,
        cancel=ctx.cancel,
    )


class _Progress:
    """Advances the progress bar as the sidecar gains finished tests."""

    def __init__(self, ctx: StageContext, sidecar: Path) -> None:
        self.ctx, self.sidecar, self.seen = ctx, sidecar, 0

    def tick(self) -> None:
        done = len(_read(self.sidecar).get("tests", []))
        if done > self.seen:
            self.ctx.progress.advance(done - self.seen)
            self.seen = done


def _env(ctx: StageContext) -> dict[str, str]:
    return {
        **os.environ,
        "HARNESS_TARGET_URL": ctx.target.url,
        "PYTHONUNBUFFERED": "1",
        # Only the plugins the stage names (_PLUGINS): autoloading every installed pytest plugin
        # (schemathesis, hypothesis, locust, ...) costs about 4 s per process on this machine.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def _audit_seconds(sidecar: dict[str, Any]) -> float:
    """Seconds the workflow tests spent in axe audits after their steps (part of workflows_wall_s)."""
    seconds = sum(float(step.get("a11y_s", 0.0)) for test in sidecar.get("tests", []) for step in test["steps"])
    return round(seconds, 1)


def _read(path: Path) -> dict[str, Any]:
    """A JSON artifact, or an empty document when the tool never wrote it (reported by validity)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data


def _relative(ctx: StageContext) -> results.PathFn:
    """Artifact paths as the run directory sees them (pytest-playwright gives cwd-relative ones)."""

    def rel(path: str | None) -> str | None:
        if not path:
            return None
        absolute = (REPO_ROOT / path).resolve()
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
        "vitals_log": paths.root / "vitals.log",
        STEPS_ARTIFACT: paths.a11y_steps,
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
        result.error = "measured nothing: no workflow test ran and no page was measured"
        return Status.ERROR
    # A failed validity check makes only the metrics it guards inconclusive (the gate's job).
    passed = not result.findings and all(check.ok for check in result.validity)
    return Status.PASSED if passed else Status.FAILED


def _tool_versions() -> dict[str, str]:
    return {name: version(name) for name in ("playwright", "pytest-playwright", "pytest")}
