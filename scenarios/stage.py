"""The load stage: run Locust headless on the target, then turn what it measured into a StageResult.

What runs is the target description's business (`scenarios.scenario`): its Locust files unchanged,
else the generic user on its OpenAPI operations or crawled pages; the harness plugin rides along.
Credentials come from the description's auth recipe (`stagekit.auth`), handed to Locust in
``HARNESS_AUTH``; server-side figures from the metrics it names. Options: `scenarios.stage_options`.
The profile is ``ctx.profile``; ``resilience`` also restarts a target the harness started, once.
"""

from __future__ import annotations

import os
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from scenarios import adapter, generator_health, live, process, profiles, prometheus, scenario, stage_options
from scenarios.plan import OPENAPI
from scenarios.resilience import RestartInjector, restart_after_s
from stagekit.auth import Credentials, authenticate
from stagekit.description import MetricsMapping
from stagekit.stage_options import with_defaults
from stagekit.stages import StageContext
from stagekit.target import free_port
from vocabulary import atomic
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

WARM_MARKER = "warmup.done"
"""Must match `scenarios.metrics.WARM_MARKER` (that module runs only inside Locust)."""

DEADLINE_MARGIN_S = 90.0
PARTIAL_EVERY_S = 5.0


def run(ctx: StageContext) -> StageResult:
    """Run the profile against the target and report its metrics and validity checks."""
    result = ctx.result(status=Status.INCOMPLETE, tool_versions=_versions())
    opts = ctx.options
    stage_options.check(opts)
    try:
        profile = profiles.build(ctx.profile, opts.get("users"), opts.get("duration_s"))
    except ValueError as exc:
        result.error = str(exc)
        return _finish(ctx, result, Status.ERROR)
    description = ctx.target.description
    credentials = authenticate(description.auth, ctx.target.url)
    chosen = scenario.choose(description, ctx.target.url, ctx.openapi, opts, credentials, ctx.artifacts)
    result.details["scenario"] = chosen.details()
    ctx.progress.log(f"load: {chosen.summary}")
    if chosen.plan is not None and not chosen.plan.requests:
        result.error = _nothing_to_send(chosen)
        return _finish(ctx, result, Status.NOT_APPLICABLE)
    summary_path = ctx.artifacts / "summary.json"
    for stale in (summary_path, summary_path.with_name(WARM_MARKER)):
        stale.unlink(missing_ok=True)
    ctx.progress.start(f"load: {profile.name} profile, {profile.requested_users} users", profile.duration_s)
    mapping = description.metrics
    scrapes = {"start": _scrape(ctx.target.url, mapping)}
    after_s = restart_after_s(opts, profile.duration_s, profile.warmup_s)
    # Server counters restart with the target: its figures are taken up to the kill.
    fault = RestartInjector(
        ctx,
        after_s if profile.name == "resilience" else None,
        before_kill=lambda: scrapes.update(kill=_scrape(ctx.target.url, mapping)),
    )
    outcome = process.run(
        _command(ctx, chosen, summary_path),
        env=_env(credentials),
        cwd=Path.cwd(),
        log_path=ctx.artifacts / "locust.log",
        deadline_s=profile.duration_s + DEADLINE_MARGIN_S,
        cancel=ctx.cancel,
        on_tick=_ticker(ctx, result, summary_path, scrapes, fault),
        cpus=[int(cpu) for cpu in opts.get("cpus") or ()],
    )
    fault.join()
    after = scrapes["kill"] if "kill" in scrapes else _scrape(ctx.target.url, mapping)
    ctx.measured.set()  # Locust's traffic and the server's counters are in: other stages' traffic may start
    # Server-side deltas start where the warm-up ended (or at the start if it never did).
    before = scrapes.get("warm", scrapes["start"])
    summary = _read(summary_path)
    if summary is None:
        result.error = f"Locust wrote no summary (exit code {outcome.returncode}); see load/locust.log"
        return _finish(ctx, result, Status.INCOMPLETE if outcome.cancelled else Status.ERROR)
    complete = not (outcome.cancelled or outcome.timed_out)
    _fill(ctx, result, summary, before, after, complete=complete)
    if fault.injected_at is not None:
        # Absent when the restart failed: the recovery budget is then inconclusive, never a pass.
        result.metrics.update(fault.metrics(summary))
        result.details["restart"] = fault.details()
    if not complete:
        result.error = "cancelled" if outcome.cancelled else "Locust overran its deadline and was stopped"
        return _finish(ctx, result, Status.INCOMPLETE)
    if not next(c.ok for c in result.validity if c.name == "workers-intact"):
        # Figures of the surviving workers are not the requested load: never passed off as a full run.
        result.error = "a Locust worker was lost mid-run (see the workers-intact check); results are partial"
        return _finish(ctx, result, Status.INCOMPLETE)
    return _finish(ctx, result, Status.PASSED if summary["http"]["requests"] > 0 else Status.ERROR)


def _nothing_to_send(chosen: scenario.Scenario) -> str:
    """Why the generic user has nothing to send, with what the user can do about it."""
    assert chosen.plan is not None
    example = next(iter(chosen.plan.skipped.items()), None)
    seen = f"; e.g. {example[0]}: {example[1]}" if example else ""
    what = "no documented operation can be sent" if chosen.plan.user == OPENAPI else "the crawl found no page"
    return (
        f"{what} ({len(chosen.plan.skipped)} left out, see details.scenario.plan.skipped{seen}); "
        "name your Locust files in [tool.harness.target] locustfiles, or widen the load options "
        "(unsafe_methods, include) or the description's pages"
    )


def _command(ctx: StageContext, chosen: scenario.Scenario, summary_path: Path) -> list[str]:
    opts = ctx.options
    art = ctx.artifacts
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        chosen.files_arg,
        "--headless",
        "--host",
        ctx.target.url,
        "--only-summary",
        "--csv",
        str(art / "locust"),
        "--json-file",
        str(art / "locust"),
        "--html",
        str(art / "locust.html"),
        "--harness-profile",
        ctx.profile,
        "--harness-summary",
        str(summary_path),
        "--harness-ready-path",
        ctx.target.description.ready_path,
        *chosen.args,
    ]
    for key in ("users", "duration_s", "think_scale", "knee_p95_ms", "knee_error_ratio"):
        if opts.get(key) is not None:
            cmd += [f"--harness-{key.replace('_', '-')}", str(opts[key])]
    if opts.get("processes"):
        # Locust's master listens on every interface at 5557 unless told otherwise: a second run on the
        # machine could not bind it (or its workers would join the first run). A free loopback port per run.
        port = str(free_port())
        cmd += ["--processes", str(opts["processes"]), "--master-bind-host", "127.0.0.1", "--master-bind-port", port]
        cmd += ["--master-host", "127.0.0.1", "--master-port", port]
    return cmd


def _env(credentials: Credentials) -> dict[str, str]:
    """The harness's environment without stray Locust or harness settings, plus the credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "HARNESS_LOAD_", "HARNESS_AUTH"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(scenario.ROOT), env.get("PYTHONPATH")]))
    return env | credentials.to_env()


def _fill(
    ctx: StageContext,
    result: StageResult,
    summary: dict[str, Any],
    before: prometheus.Samples | None,
    after: prometheus.Samples | None,
    *,
    complete: bool,
) -> None:
    """Metrics, validity checks, details, not-applicable families and artifact paths from one summary."""
    mapping = ctx.target.description.metrics
    scraped = (before is not None and after is not None) if mapping.path else None
    result.metrics = adapter.metrics(summary)
    server: dict[str, Any] = {}
    if before is not None and after is not None:
        result.metrics.update(adapter.server_metrics(before, after, mapping))
        server = adapter.server_details(before, after, mapping)
    workers = int(ctx.options.get("processes") or 0)
    health = generator_health.Limits.from_options(ctx.options)
    result.validity = adapter.validity(summary, workers, scraped, complete=complete, limits=health)
    # "Sent no such traffic" speaks for the scenario only when all of it ran (no lost worker, no cut).
    whole = all(check.ok for check in result.validity if check.name in ("workers-intact", "run-complete"))
    traffic = adapter.traffic_not_applicable(summary) if whole else {}
    result.not_applicable = adapter.server_not_applicable(mapping) | traffic | _recovery_na(ctx)
    result.details = result.details | _details(summary) | {"server": server, "steps": summary.get("steps", [])}
    if ctx.profile == "stress":
        opts = with_defaults(ctx.options, stage_options.OPTIONS)
        limits = (float(opts["knee_p95_ms"]), float(opts["knee_error_ratio"]))
        result.metrics.update(adapter.knee(summary.get("steps", []), *limits) or {})
    result.artifacts = {p.name: str(p.relative_to(ctx.run_dir)) for p in sorted(ctx.artifacts.iterdir()) if p.is_file()}


def _recovery_na(ctx: StageContext) -> dict[str, str]:
    if ctx.profile != "resilience" or ctx.target.restart is not None:
        return {}
    return {
        "load.recovery*": "the harness did not start the target, so it cannot kill and restart it "
        "(give the target description a command)"
    }


def _details(summary: dict[str, Any]) -> dict[str, Any]:
    """Per-second series, per-endpoint table (raw vs corrected), histograms, generator and availability
    data, in the shapes `reports/README.md` documents (``timeseries``, ``endpoints``, ``histograms``)."""
    columns = ("family", "upload_class", "requests", "failures", "error_ratio", "errors", "paced", "raw", "corrected")
    return {
        "profile": summary["profile"],
        "timeseries": [_series_row(row) for row in summary["series"]],
        "endpoints": [
            {"name": key, **{k: ep[k] for k in columns}, **_percentiles(ep["corrected"])}
            for key, ep in summary["endpoints"].items()
        ],
        "histograms": {key: ep["hist_corrected"] for key, ep in summary["endpoints"].items() if "hist_corrected" in ep},
        "histogram_unit": "us",
        "http": {k: summary["http"][k] for k in ("raw", "corrected", "errors")},
        "users": summary["users"],
        "generator": summary["generator"],
        "availability": summary["availability"],
        "stopped_at_knee_s": summary.get("stopped_at_knee_s"),
        "shape": summary.get("shape"),
        # Concrete "METHOD /path" requests that got an answer, for API-operation coverage.
        "operations": summary.get("operations", []),
    }


def _percentiles(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: stats.get(k) for k in ("p50_ms", "p95_ms", "p99_ms")}


def _series_row(row: dict[str, Any]) -> dict[str, Any]:
    """One second of the run; ``rps`` is that second's request count, ``errors`` its failures."""
    return {**row, "rps": row.get("requests"), "errors": row.get("failures")}


def _ticker(
    ctx: StageContext,
    result: StageResult,
    summary_path: Path,
    scrapes: dict[str, prometheus.Samples | None],
    fault: RestartInjector,
) -> Any:
    """A tick callback: scrape the target's metrics when the warm-up ends; save partial results as they come
    and show their live figures."""
    state = {"mtime": 0.0, "at": time.monotonic()}
    marker = summary_path.with_name(WARM_MARKER)

    def tick() -> None:
        ctx.progress.advance(process.POLL_S)
        if "warm" not in scrapes and marker.exists():
            scrapes["warm"] = _scrape(ctx.target.url, ctx.target.description.metrics)
            fault.warm()
        if time.monotonic() - state["at"] < PARTIAL_EVERY_S or not summary_path.exists():
            return
        state["at"] = time.monotonic()
        mtime = summary_path.stat().st_mtime
        summary = _read(summary_path) if mtime > state["mtime"] else None
        if summary is not None:
            state["mtime"] = mtime
            _fill(ctx, result, summary, None, None, complete=False)
            RunDir(ctx.run_dir).write_result(result)
            ctx.progress.figures(live.figures(result))

    return tick


def _finish(ctx: StageContext, result: StageResult, status: Status) -> StageResult:
    result.finish(status)
    ctx.progress.log(f"load: {int(result.metrics.get('load.http.requests', 0))} requests measured")
    return result


def _scrape(url: str, mapping: MetricsMapping) -> prometheus.Samples | None:
    """The target's metrics, or None when the description names none or they cannot be read."""
    if not mapping.path:
        return None
    try:
        return prometheus.scrape(url, mapping.path)
    except (httpx.HTTPError, ValueError):
        return None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = atomic.read_json(path)
    except (OSError, ValueError):
        return None
    return data


def _versions() -> dict[str, str]:
    return {name: version(name) for name in ("locust", "hdrhistogram")}
