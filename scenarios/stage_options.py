"""The load stage's options (``[tool.harness.load]``, ``-o load.KEY=VALUE``), declared once with their help.

Everything about the target itself (its Locust files, credentials, metrics, pages) lives in the
target description; an option that used to say it here is refused with where it went.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scenarios import generator_health as health
from stagekit import stage_options
from stagekit.stage_metrics import StageMetric, Unit, family
from stagekit.stage_options import POSITIVE, RATIO, StageOption, at_least

OPTIONS: tuple[StageOption, ...] = (
    StageOption(
        "users",
        None,
        "peak users, rescaling the profile, e.g. 50 (default: the profile's)",
        "int",
        range=at_least(1),
        env="HARNESS_LOAD_USERS",
    ),
    StageOption(
        "duration_s",
        None,
        "total seconds, rescaling the profile (warm-up included), e.g. 60 (default: the profile's)",
        "float",
        range=POSITIVE,
        env="HARNESS_LOAD_DURATION_S",
    ),
    StageOption(
        "think_scale",
        None,
        "multiply every think time and pacing interval, e.g. 0.25 (default: the profile's)",
        "float",
        range=POSITIVE,
        env="HARNESS_LOAD_THINK_SCALE",
    ),
    StageOption(
        "processes",
        None,
        "Locust worker processes on this machine (distributed mode), e.g. 4; -1: one per core",
        "int",
        range=at_least(-1),
    ),
    StageOption(
        "cpus",
        None,
        "pin the load generator to these CPU numbers, e.g. [1] (away from a target on the same host)",
        "list[int]",
        range=at_least(0),
    ),
    StageOption(
        "knee_p95_ms",
        100.0,
        "stress: a step whose p95 exceeds this (ms) is past the knee",
        range=POSITIVE,
        env="HARNESS_LOAD_KNEE_P95_MS",
    ),
    StageOption(
        "knee_error_ratio",
        0.001,
        "stress: a step whose error ratio exceeds this is past the knee",
        range=RATIO,
        env="HARNESS_LOAD_KNEE_ERROR_RATIO",
    ),
    StageOption(
        "restart_after_s",
        None,
        "resilience: seconds past the warm-up until the started target is killed and restarted "
        "(default: 20, or a third of the measured window if shorter)",
        "float",
        range=at_least(0),
    ),
    StageOption(
        "include",
        (),
        'generic API user: regexes on "METHOD /path"; only matching operations are sent, e.g. ["^GET /books"]',
        "list[str]",
    ),
    StageOption("exclude", (), 'generic API user: regexes on "METHOD /path" never sent, e.g. ["/admin"]', "list[str]"),
    StageOption("unsafe_methods", False, "generic API user: also send POST, PUT, PATCH and DELETE"),
    StageOption(
        "generator_cpu_ratio",
        health.Limits.cpu_ratio,
        "CPU time / wall of a Locust process over its busiest 10 s (1.0: one core) above which latency "
        "budgets are inconclusive (generator-cpu; Locust warns at 0.9)",
        range=POSITIVE,
    ),
    StageOption(
        "generator_loop_lag_p95_ms",
        health.Limits.loop_lag_p95_ms,
        "p95 of how late the generator's event loop wakes a 50 ms sleep (ms) above which latency budgets "
        "are inconclusive (generator-loop-lag)",
        range=POSITIVE,
    ),
    StageOption(
        "generator_schedule_lag_p95_ms",
        health.Limits.schedule_lag_p95_ms,
        "p95 of how late users start a task after waiting for it (ms) above which latency budgets are "
        "inconclusive (generator-schedule-lag)",
        range=POSITIVE,
    ),
    StageOption(
        "generator_steal_ratio",
        health.Limits.steal_ratio,
        "share of the generator host's CPU time stolen by the hypervisor (/proc/stat) above which latency "
        "budgets are inconclusive (generator-cpu-steal)",
        range=RATIO,
    ),
)
"""Every option of ``[tool.harness.load]``."""
MOVED: dict[str, str] = {
    "locustfile": "name your Locust files in the target description: [tool.harness.target] locustfiles",
    "username": "credentials come from the target description's auth recipe: [tool.harness.target.auth]",
    "password": "credentials come from the target description's auth recipe: [tool.harness.target.auth]",
    "large_upload_kb": "a scenario's own knobs are options of its Locust file (the bundled one declares "
    "its large-upload size as a Locust option with an environment variable)",
    "host_load_limit": "removed: validity no longer judges the host's load average but the generator's own "
    "health; set generator_cpu_ratio, generator_loop_lag_p95_ms, generator_schedule_lag_p95_ms or "
    "generator_steal_ratio instead (a busy machine whose generator keeps its schedule is a valid run)",
}
"""Options that no longer exist here, and where their job went."""
_ENDPOINT = 'load.endpoint["*"]'
"""A family labelled by the request's ``"METHOD name"``."""
_PERCENTILES = ("p50", "p90", "p95", "p99", "p99_9", "max")
METRICS: tuple[StageMetric, ...] = (
    *family("load.http.{}_ms", _PERCENTILES, Unit.MS, "overall latency (coordinated-omission corrected where paced)"),
    *family("load.http.raw.{}_ms", _PERCENTILES, Unit.MS, "overall latency as measured, uncorrected"),
    StageMetric("load.http.error_ratio", Unit.RATIO, "failed / all requests"),
    StageMetric("load.http.rps", Unit.PER_S, "requests per second over the measured window"),
    StageMetric("load.http.requests", Unit.COUNT, "requests in the measured window"),
    *family(_ENDPOINT + ".{}_ms", ("p95", "p99"), Unit.MS, "latency of one endpoint (corrected where paced)"),
    StageMetric(f"{_ENDPOINT}.error_ratio", Unit.RATIO, "failed / all requests of one endpoint"),
    StageMetric(f"{_ENDPOINT}.requests", Unit.COUNT, "requests of one endpoint in the measured window"),
    *family("load.ws.{}_ms", ("p95", "p99"), Unit.MS, "websocket ping/pong round trip"),
    StageMetric('load.upload["*"].p95_s', Unit.S, "upload duration by size class (small, large)"),
    StageMetric('load.upload["*"].count', Unit.COUNT, "uploads of a size class"),
    StageMetric("load.users.peak", Unit.COUNT, "users reached"),
    StageMetric("load.users.requested", Unit.COUNT, "users the profile asked for"),
    StageMetric("load.users.held_ratio", Unit.RATIO, "share of the hold time the requested users were held"),
    StageMetric("load.availability.ratio", Unit.RATIO, "availability probes answered 2xx/3xx / all probes"),
    StageMetric("load.availability.longest_outage_s", Unit.S, "longest run of failed availability probes"),
    StageMetric(
        "load.generator.cpu_ratio",
        Unit.RATIO,
        "CPU time / wall of the busiest generator process over 10 s (1.0: one core; its threads may add more)",
        high=math.inf,
    ),
    *family("load.generator.{}_ms", ("loop_lag_p95", "loop_lag_max"), Unit.MS, "generator event-loop lag"),
    *family("load.generator.{}_ms", ("schedule_lag_p95", "schedule_lag_max"), Unit.MS, "late task starts"),
    StageMetric("load.generator.steal_ratio", Unit.RATIO, "CPU time the hypervisor stole from the generator host"),
    StageMetric("load.generator.memory_growth_mb", Unit.MB, "generator memory from the end of the warm-up to the end"),
    StageMetric("load.stress.knee_users", Unit.COUNT, "stress: users of the highest step within the knee limits"),
    StageMetric("load.stress.knee_rps", Unit.PER_S, "stress: requests per second of that step"),
    StageMetric("load.db.query_p95_ms", Unit.MS, "server-side database query time p95 (the target's metrics)"),
    StageMetric("load.cache.hit_ratio", Unit.RATIO, "server-side cache hits / (hits + misses)"),
    StageMetric("load.recovery_s", Unit.S, "resilience: from the kill to healthy again"),
    StageMetric("load.recovery.errors", Unit.COUNT, "resilience: failed requests during the outage"),
)
"""Every metric the load stage publishes in ``load.json``."""


def check(options: Mapping[str, Any]) -> None:
    """Refuse unknown keys and filters that are no regular expressions."""
    stage_options.check("load", options, OPTIONS, MOVED)
    for key in ("include", "exclude"):
        stage_options.regexes("load", options, key)
