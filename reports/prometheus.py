"""``metrics.prom``: a run's figures for dashboards, in the Prometheus text format; `push` sends them on.

The file follows node_exporter's textfile-collector convention (gauges with HELP and TYPE lines, no
sample timestamps, written atomically), so a cron job can copy it into the collector's folder; a
re-gate writes its own beside its verdict. ``--push-metrics URL`` PUTs the same families to a
Pushgateway under ``job="release_harness"`` grouped by profile and target, so each run replaces the
previous one of its kind and Prometheus keeps the history. Values keep the unit of the harness's
metric name (``_ms`` stays milliseconds), so a dashboard reads the same numbers as the report.

Series (labels in braces):

- ``harness_run_info{run_id,profile,target,outcome,git_revision,harness_version}`` 1
- ``harness_run_timestamp_seconds``: when the run finished (Unix time)
- ``harness_verdict_exit_code``; ``harness_verdict_outcome{outcome}`` 1 for the outcome, 0 for the others
- ``harness_budgets{status}``: budgets per status
- ``harness_budget_observed`` / ``_limit`` / ``_samples{budget,metric,stage,comparison}``, and
  ``harness_budget_status{budget,metric,stage,comparison,status}`` 1 for its status, 0 for the others
- ``harness_metric{stage,name,valid}``: every metric of every stage that applied to the target;
  ``valid="false"`` when a failed validity check voids it (the gate judged no budget on it)
- ``harness_stage_status{stage,status}``, ``harness_stage_duration_seconds{stage}``
- ``harness_findings{stage,rule,severity}``: findings per rule

A budget without an observed value has no ``harness_budget_observed`` sample (never a fake 0); its
status says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from prometheus_client import CollectorRegistry, generate_latest, push_to_gateway
from prometheus_client.exposition import basic_auth_handler, default_handler
from prometheus_client.metrics_core import GaugeMetricFamily, InfoMetricFamily, Metric

from perf_budgets.evaluator import failed_check
from perf_budgets.verdict import BudgetResult, BudgetStatus, Outcome
from reports.junit import duration_s
from reports.registry import RunView, handler
from stagekit.netguard import RemoteHosts, check_allowed_url
from vocabulary import atomic, secrets
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Status

FILE = "metrics.prom"
JOB = "release_harness"
PUSH_TIMEOUT_S = 10.0
_BUDGET_LABELS = ("budget", "metric", "stage", "comparison")


class RunCollector:
    """A prometheus_client collector of one saved run (the registry asks it on every exposition)."""

    def __init__(self, run: RunView) -> None:
        self.run = run

    def collect(self) -> Iterator[Metric]:
        """Every family of the run, in the order the module docstring lists them."""
        yield from _run_families(self.run)
        yield from _budget_families(self.run.verdict.budgets)
        yield from _stage_families(self.run)


def registry_of(run: RunView) -> CollectorRegistry:
    """A registry holding only ``run``'s figures (not the process's default collectors)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RunCollector(run))
    return registry


def exposition(run: RunView) -> str:
    """The text of ``metrics.prom``."""
    return generate_latest(registry_of(run)).decode("utf-8")


@handler("prometheus")
def render(run: RunView) -> Path:
    """Write ``metrics.prom`` into the run (or re-gate) folder."""
    path = run.path / FILE
    atomic.write_text(path, exposition(run))
    return path


def check_push_url(url: str, allow_remote: RemoteHosts) -> str:
    """Refuse a Pushgateway URL that is not http(s), or whose host is neither loopback nor listed in
    ``--allow-remote HOST`` (a bare ``--allow-remote`` is about the target, not about where figures go)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HarnessError(
            ErrorKind.USAGE,
            f"--push-metrics {url!r} is not an http(s) URL with a host",
            tip="e.g. --push-metrics http://127.0.0.1:9091",
        )
    listed = allow_remote if isinstance(allow_remote, tuple) else ()
    return check_allowed_url(url, {host.lower() for host in listed}, "--push-metrics (the Pushgateway)")


def push(run_dir: Path, url: str) -> str:
    """PUT the figures of ``run_dir`` to the Pushgateway at ``url`` (checked with `check_push_url`);
    returns the group's URL. Basic-auth credentials may come in the URL's userinfo."""
    run = RunView.load(run_dir)
    parts = urlsplit(url)
    gateway = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    grouping = {"profile": run.verdict.profile, "target": _target_name(run)}
    try:
        push_to_gateway(
            gateway, JOB, registry_of(run), grouping_key=grouping, timeout=PUSH_TIMEOUT_S, handler=_auth(parts)
        )
    except OSError as exc:  # urllib's URLError and HTTPError (a refused push) are OSErrors
        raise HarnessError(
            ErrorKind.OUTPUT,
            secrets.redact(f"could not push the run's figures to {gateway}: {exc}"),
            tip=f"the same figures are in {run.path / FILE}; check the Pushgateway's URL and that it is up",
        ) from exc
    return f"{gateway.rstrip('/')}/metrics/job/{JOB}"


def _auth(parts: Any) -> Callable[..., Callable[[], None]]:
    """The request handler: plain, or with the URL's userinfo as basic auth (registered as a secret)."""
    if parts.username is None:
        return default_handler
    username, password = parts.username, parts.password or ""
    secrets.register_url_credentials(urlunsplit(parts))

    def with_credentials(url: str, method: str, timeout: float | None, headers: list[Any], data: bytes) -> Any:
        return basic_auth_handler(url, method, timeout, headers, data, username, password)

    return with_credentials


def _target_name(run: RunView) -> str:
    target = run.meta.get("target")
    return str(target.get("name") or "unknown") if isinstance(target, dict) else "unknown"


def _gauge(name: str, help_text: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, labels=list(labels))


def _run_families(run: RunView) -> Iterator[Metric]:
    verdict = run.verdict
    info = InfoMetricFamily("harness_run", "The run these figures describe (its id changes every run).")
    info.add_metric(
        [],
        {
            "run_id": run.run_id,
            "profile": verdict.profile,
            "target": _target_name(run),
            "outcome": verdict.outcome.value,
            "git_revision": str(run.meta.get("git_revision") or ""),
            "harness_version": str(run.meta.get("harness_version") or ""),
        },
    )
    yield info
    finished = _unix_time(run.meta.get("finished_at") or verdict.generated_at)
    if finished is not None:
        stamp = _gauge("harness_run_timestamp_seconds", "When the run finished, seconds since the Unix epoch.")
        stamp.add_metric([], finished)
        yield stamp
    code = _gauge(
        "harness_verdict_exit_code", "Exit code of harness run/gate: 0 pass, 1 breached, 2 inconclusive, 3/4 error."
    )
    code.add_metric([], int(verdict.exit_code))
    yield code
    outcome = _gauge("harness_verdict_outcome", "1 for the run's outcome, 0 for the others.", ["outcome"])
    for each in Outcome:
        outcome.add_metric([each.value], int(each is verdict.outcome))
    yield outcome
    counts = _gauge("harness_budgets", "Budgets judged, per status.", ["status"])
    for status, count in verdict.counts().items():
        counts.add_metric([status], count)
    yield counts


def _budget_families(budgets: tuple[BudgetResult, ...]) -> Iterator[Metric]:
    observed = _gauge("harness_budget_observed", "A budget's observed value, in its metric's unit.", _BUDGET_LABELS)
    limit = _gauge(
        "harness_budget_limit", "A budget's limit (max_regression_pct: percent over the baseline).", _BUDGET_LABELS
    )
    samples = _gauge("harness_budget_samples", "Samples a percentile budget was judged on.", _BUDGET_LABELS)
    status = _gauge(
        "harness_budget_status", "1 for the budget's status, 0 for the others.", [*_BUDGET_LABELS, "status"]
    )
    for budget in _unique(budgets):
        labels = [budget.budget, budget.metric, budget.stage, budget.comparison]
        if budget.observed is not None:
            observed.add_metric(labels, budget.observed)
        limit.add_metric(labels, budget.limit)
        if budget.samples is not None:
            samples.add_metric(labels, budget.samples)
        for each in BudgetStatus:
            status.add_metric([*labels, each.value], int(each is budget.status))
    yield from (observed, limit, samples, status)


def _stage_families(run: RunView) -> Iterator[Metric]:
    metric = _gauge(
        "harness_metric",
        "A metric a stage published, in the unit its name ends with; valid=false: a failed validity check voided it.",
        ["stage", "name", "valid"],
    )
    stage_status = _gauge("harness_stage_status", "1 for how the stage ended, 0 for the others.", ["stage", "status"])
    duration = _gauge("harness_stage_duration_seconds", "Wall time of the stage.", ["stage"])
    findings = _gauge(
        "harness_findings", "Findings the stage reported, per rule and severity.", ["stage", "rule", "severity"]
    )
    for name, result in run.results.items():
        for each in Status:
            stage_status.add_metric([name, each.value], int(each is result.status))
        if result.status is Status.NOT_APPLICABLE:
            continue  # it measured nothing: no figures, and no zeros that would look measured
        duration.add_metric([name], duration_s(result))
        for key, value in sorted(result.metrics.items()):
            metric.add_metric([name, key, str(failed_check(result.validity, key) is None).lower()], value)
        for (rule, severity), count in sorted(Counter((f.rule, f.severity.value) for f in result.findings).items()):
            findings.add_metric([name, rule, severity], count)
    yield from (metric, stage_status, duration, findings)


def _unique(budgets: Iterable[BudgetResult]) -> Iterator[BudgetResult]:
    """Budgets with distinct label sets (a family must not repeat one): the first of each wins."""
    seen: set[tuple[str, str, str, str]] = set()
    for budget in budgets:
        key = (budget.budget, budget.metric, budget.stage, budget.comparison)
        if key not in seen:
            seen.add(key)
            yield budget


def _unix_time(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
