"""The contracts stage: Schemathesis (every check, every phase incl. stateful) against the target's OpenAPI.

Flow: no OpenAPI document -> not applicable. Otherwise load and check the schema -> resolve the
operation filter -> carry out the target description's auth recipe (none unless it has one) ->
write the Schemathesis config (the user's ``schemathesis.toml`` plus only what the harness must
add, listed in ``details["notes"]``) -> run the CLI -> read its NDJSON events and JSON report ->
one finding per (check, operation), metrics, validity, JUnit, and ``details["operations"]``.

Options: `contracts.settings.OPTIONS` (``[tool.harness.contracts]`` or ``-o contracts.KEY=VALUE``; a
setting the user's ``schemathesis.toml`` makes wins).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from contracts import config, events, findings, junit, runner, schema_source, summary
from contracts.auth import NO_AUTH, AuthPlan, plan
from contracts.settings import RunSettings, from_options
from stagekit.auth import AuthError, authenticate
from stagekit.stages import StageContext
from vocabulary.code_scanning import CodeScanning
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Finding, StageResult, Status, ValidityCheck, now_iso

PREFIX = "contracts"
"""The first segment of every metric this stage publishes (`contracts.settings.METRICS`)."""
NO_OPENAPI = "the target has no OpenAPI document (the description names none and none is at the usual paths)"
CODE_SCANNING = CodeScanning(
    "release-harness contracts", "https://schemathesis.readthedocs.io/", ("correctness", "api-contract")
)
"""Contract failures in ``security.sarif``: correctness results, not security alerts."""
_LOG_TAIL_LINES = 25
_STOP_REASONS_OK = ("completed", "max_time")


def run(ctx: StageContext) -> StageResult:
    """Run the stage; bad input raises `HarnessError`, failed auth gives an error result."""
    started = now_iso()
    if ctx.openapi is None:
        return ctx.result(status=Status.NOT_APPLICABLE, started_at=started, error=NO_OPENAPI).finish()
    settings = from_options(ctx.profile, ctx.options)
    schema = schema_source.load(ctx.openapi)
    _check_filter(schema, settings)
    user = config.read(ctx.target.description.schemathesis_config)
    try:
        auth = _auth(ctx, schema, user)
    except AuthError as exc:
        return ctx.result(status=Status.ERROR, started_at=started, error=exc.render()).finish()
    settings = dataclasses.replace(settings, exclude=settings.exclude + auth.exclude)
    _check_filter(schema, settings)
    files = runner.RunFiles(ctx.artifacts)
    schema_source.save(schema, files.schema)
    written = config.write(files.config, user, config.defaults(settings, ctx.artifacts, auth))
    result = _test(ctx, files, settings, auth, user, schema.operations)
    result.details["notes"] = _notes(ctx, settings, auth, user, written) + _deselected(result)
    result.started_at = started
    return result.finish()


def _auth(ctx: StageContext, schema: schema_source.ApiSchema, user: config.UserConfig) -> AuthPlan:
    """The description's recipe, unless it has none or the user's schemathesis.toml authenticates itself."""
    recipe = ctx.target.description.auth
    if not recipe.enabled or user.has_auth():
        return NO_AUTH
    return plan(recipe, authenticate(recipe, ctx.target.url), schema.bearer_scheme())


def _test(
    ctx: StageContext,
    files: runner.RunFiles,
    settings: RunSettings,
    auth: AuthPlan,
    user: config.UserConfig,
    documented: tuple[str, ...],
) -> StageResult:
    """Run Schemathesis and turn its reports into the stage result."""
    cmd = runner.command(files, ctx.target.url, settings)
    chosen = user.seed()
    seed = settings.seed if chosen is None else chosen
    cwd = user.folder or files.folder
    ctx.progress.start(f"contracts: Schemathesis (seed {seed})")
    runner.run(ctx, cmd, files, auth.env, settings.timeout_s, cwd=cwd, documented=documented)
    try:
        report = summary.read(files.summary, _log_tail(files.log))
    except HarnessError:
        if not ctx.cancel.is_set():
            raise
        return ctx.result(status=Status.INCOMPLETE, error="interrupted before Schemathesis wrote its report")
    seen = events.read(files.events)
    junit_path = junit.write(ctx.artifacts / "junit.xml", seen)
    result = _result(ctx, report, seen)
    result.details.update(_details(settings, seed, auth, cmd, report, seen))
    result.details["cwd"] = str(cwd)
    # Requests with undocumented methods (the unsupported_method check) exercise no operation.
    result.details["operations"] = [operation for operation in documented if operation in seen.called]
    result.artifacts.update(_artifacts(ctx.run_dir, files, junit_path))
    return result


def _notes(
    ctx: StageContext, settings: RunSettings, auth: AuthPlan, user: config.UserConfig, written: config.Written
) -> list[str]:
    """Exactly what the harness set: config defaults the user's file left open, then command-line options."""
    notes = list(written.notes)
    if user.has_auth() and ctx.target.description.auth.enabled:
        notes.append("auth: your schemathesis.toml's own; the target description's auth recipe was not added")
    notes += [f"--url {ctx.target.url}", "--report ndjson,json (in the run folder: the stage reads them)"]
    if settings.include:
        notes.append(f"--include-name-regex from include = {list(settings.include)}")
    if settings.exclude:
        why = " (the auth recipe's logout_pattern: a fixed session cannot be renewed)" if auth.exclude else ""
        notes.append(f"--exclude-name-regex from exclude = {list(settings.exclude)}{why}")
    return notes


def _check_filter(schema: schema_source.ApiSchema, settings: RunSettings) -> None:
    """An include/exclude filter that leaves nothing would 'pass' without testing anything."""
    if schema.select(settings.include, settings.exclude):
        return
    shown = ", ".join(schema.operations[:8]) + (" ..." if len(schema.operations) > 8 else "")
    raise HarnessError(
        ErrorKind.USAGE,
        f"the contracts operation filter (include={list(settings.include)}, exclude={list(settings.exclude)}) "
        f"matches none of the {len(schema.operations)} operations",
        tip=f"filters are regexes on 'METHOD /path', e.g. '^GET /api/'; operations: {shown}",
    )


def _result(ctx: StageContext, report: summary.RunSummary, seen: events.Observations) -> StageResult:
    found = findings.to_findings(seen.failures)
    result = ctx.result(
        status=_status(ctx, found, report),
        tool_versions={"schemathesis": report.version},
        metrics=_metrics(report, seen, len(found)),
        findings=found,
        validity=_validity(report, seen),
    )
    CODE_SCANNING.declare(result)
    if result.status is Status.ERROR:
        result.error = f"Schemathesis stopped with errors: {'; '.join(report.errors) or report.stop_reason}"
    return result


def _status(ctx: StageContext, found: list[Finding], report: summary.RunSummary) -> Status:
    if ctx.cancel.is_set() or not report.complete:
        return Status.INCOMPLETE
    if report.exit_code == 2 and report.tested == 0:
        return Status.ERROR
    return Status.FAILED if found else Status.PASSED


def left_untested(report: summary.RunSummary, seen: events.Observations) -> dict[str, tuple[str, ...]]:
    """Operations Schemathesis ran checks on but warned were not really tested, and why."""
    checked = {operation for operation, _ in seen.checked}
    return {operation: kinds for operation, kinds in report.left_untested.items() if operation in checked}


def _metrics(report: summary.RunSummary, seen: events.Observations, failures: int) -> dict[str, float]:
    # Schemathesis counts an operation as tested once any check ran on any response (a 401 too);
    # the harness counts it only if its warnings do not say the logic behind it was left untested.
    # The ratio is of the selected operations: deselecting one (the user's [[operations]], a filter)
    # is a declared choice, published as `operations.deselected` and listed in the stage's notes.
    untested = len(left_untested(report, seen))
    tested = max(report.tested - untested, 0)
    metrics = {
        f"{PREFIX}.failures.total": float(failures),
        f"{PREFIX}.operations.total": float(report.total),
        f"{PREFIX}.operations.selected": float(report.selected),
        f"{PREFIX}.operations.deselected": float(report.total - report.selected),
        f"{PREFIX}.operations.tested": float(tested),
        f"{PREFIX}.operations.left_untested": float(untested),
        f"{PREFIX}.operations.tested_ratio": round(tested / report.selected, 4) if report.selected else 0.0,
        f"{PREFIX}.test_cases": float(report.test_cases),
        f"{PREFIX}.errors.total": float(len(seen.errors)),
    }
    grouped = findings.group(seen.failures)
    for check in sorted({check for _, check in seen.checked}):
        failing = sum(1 for (name, _) in grouped if name == check)
        metrics[f'{PREFIX}.check["{check}"].failures'] = float(failing)
    return metrics


def _validity(report: summary.RunSummary, seen: events.Observations) -> list[ValidityCheck]:
    errors = "; ".join(f"{e.label}: {e.message.splitlines()[0] if e.message else ''}" for e in seen.errors[:5])
    return [
        ValidityCheck(
            "operations_tested",
            report.tested > 0,
            f"{report.tested} of {report.total} operations tested ({report.selected} selected)",
        ),
        ValidityCheck(
            "run_completed",
            report.complete and report.stop_reason in _STOP_REASONS_OK,
            f"Schemathesis stopped: {report.stop_reason}",
        ),
        ValidityCheck(
            "no_tool_errors",
            not seen.errors,
            f"{len(seen.errors)} cases could not run" + (f": {errors}" if errors else ""),
        ),
    ]


def _deselected(result: StageResult) -> list[str]:
    count = int(result.metrics.get(f"{PREFIX}.operations.deselected", 0))
    if not count:
        return []
    return [f"{count} operation(s) deselected (your schemathesis.toml or the filters above): not in tested_ratio"]


def _details(
    settings: RunSettings,
    seed: int,
    auth: AuthPlan,
    cmd: list[str],
    report: summary.RunSummary,
    seen: events.Observations,
) -> dict[str, object]:
    return {
        "not_applicable": [f"{e.label}: {e.message}" for e in seen.not_applicable],
        "left_untested": {operation: list(kinds) for operation, kinds in left_untested(report, seen).items()},
        "seed": seed,
        "settings": dataclasses.asdict(settings),
        "auth": auth.method,
        "command": cmd,
        "auth_env": sorted(auth.env),
        "replay": "re-run `command` in `cwd` (the seed is in its config) with the `auth_env` variables set; "
        "each finding's evidence is a curl for its case",
    }


def _artifacts(run_dir: Path, files: runner.RunFiles, junit_path: Path) -> dict[str, str]:
    paths = {
        "junit": junit_path,
        "schemathesis_events": files.events,
        "schemathesis_report": files.summary,
        "schemathesis_log": files.log,
        "schemathesis_config": files.config,
        "openapi": files.schema,
    }
    return {name: _relative(path, run_dir) for name, path in paths.items() if path.exists()}


def _relative(path: Path, run_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(run_dir.resolve()))
    except ValueError:
        return str(path)


def _log_tail(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "  (no output)"
    return "\n".join("  | " + line for line in lines[-_LOG_TAIL_LINES:])
