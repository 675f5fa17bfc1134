"""The load stage's options (``[tool.harness.load]``, ``-o load.KEY=VALUE``), declared once with their help.

Everything about the target itself (its Locust files, credentials, metrics, pages) lives in the
target description; an option that used to say it here is refused with where it went.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness import stage_options
from harness.stage_options import StageOption

OPTIONS: tuple[StageOption, ...] = (
    StageOption("users", None, "peak users, rescaling the profile, e.g. 50 (default: the profile's)", "int"),
    StageOption(
        "duration_s",
        None,
        "total seconds, rescaling the profile (warm-up included), e.g. 60 (default: the profile's)",
        "float",
    ),
    StageOption(
        "think_scale",
        None,
        "multiply every think time and pacing interval, e.g. 0.25 (default: the profile's)",
        "float",
    ),
    StageOption(
        "processes",
        None,
        "Locust worker processes on this machine (distributed mode), e.g. 4; -1: one per core",
        "int",
    ),
    StageOption(
        "cpus",
        None,
        "pin the load generator to these CPU numbers, e.g. [1] (away from a target on the same host)",
        "list[int]",
    ),
    StageOption("knee_p95_ms", 100.0, "stress: a step whose p95 exceeds this (ms) is past the knee"),
    StageOption("knee_error_ratio", 0.001, "stress: a step whose error ratio exceeds this is past the knee"),
    StageOption(
        "restart_after_s",
        None,
        "resilience: seconds past the warm-up until the started target is killed and restarted "
        "(default: 20, or a third of the measured window if shorter)",
        "float",
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
        "host_load_limit",
        1.5,
        "runnable processes per CPU (1-minute load average) above which the host counts as saturated: "
        "a target on it is starved by its neighbours, so latency budgets are inconclusive "
        "(host-not-saturated); raise it on shared runners",
    ),
)
"""Every option of ``[tool.harness.load]``."""
MOVED: dict[str, str] = {
    "locustfile": "name your Locust files in the target description: [tool.harness.target] locustfiles",
    "username": "credentials come from the target description's auth recipe: [tool.harness.target.auth]",
    "password": "credentials come from the target description's auth recipe: [tool.harness.target.auth]",
    "large_upload_kb": "a scenario's own knobs are options of its Locust file (the bundled one declares "
    "its large-upload size as a Locust option with an environment variable)",
}
"""Options that no longer exist here, and where their job went."""


def check(options: Mapping[str, Any]) -> None:
    """Refuse unknown keys and filters that are no regular expressions."""
    stage_options.check("load", options, OPTIONS, MOVED)
    for key in ("include", "exclude"):
        stage_options.regexes("load", options, key)
