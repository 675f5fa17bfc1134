"""What one contracts run does: seed, examples per operation, phases, checks, filters, time cap."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from stagekit import stage_options
from stagekit.stage_metrics import StageMetric, Unit, family
from stagekit.stage_options import POSITIVE, StageOption, at_least

DEFAULT_SEED = 20240101
"""Fixed so a failure found in CI replays bit for bit with the same seed."""
PHASES = ("examples", "coverage", "fuzzing", "stateful")
SMOKE_PROFILES = frozenset({"smoke"})
BY_PROFILE: dict[str, tuple[float, float]] = {"max_examples": (5, 100), "timeout_s": (120, 1800), "workers": (2, 4)}
"""Defaults that depend on the profile: (smoke, every deeper profile)."""


def _by_profile(key: str) -> str:
    smoke, deeper = BY_PROFILE[key]
    return f"(default: smoke {smoke:g}, deeper profiles {deeper:g})"


OPTIONS: tuple[StageOption, ...] = (
    StageOption(
        "seed",
        DEFAULT_SEED,
        "Schemathesis's seed, fixed so a failure found in CI replays bit for bit",
        range=at_least(0),
    ),
    StageOption(
        "max_examples",
        None,
        f"generated examples per operation {_by_profile('max_examples')}",
        "int",
        range=at_least(1),
    ),
    StageOption("workers", None, f"Schemathesis workers {_by_profile('workers')}", "int", range=at_least(1)),
    StageOption(
        "phases", PHASES, "Schemathesis phases to run, any of " + ", ".join(PHASES), "list[str]", choices=PHASES
    ),
    StageOption(
        "checks",
        "all",
        'all, or the only Schemathesis checks to run, e.g. "not_a_server_error,response_schema_conformance"',
    ),
    StageOption(
        "include",
        (),
        'regexes on "METHOD /path" narrowing the operations the schemathesis.toml selects, e.g. ["^GET /books"]',
        "list[str]",
    ),
    StageOption("exclude", (), 'regexes on "METHOD /path" of operations never tested, e.g. ["logout"]', "list[str]"),
    StageOption(
        "continue_on_failure",
        True,
        "keep testing an operation after a failed check (one failure must not hide another)",
    ),
    StageOption(
        "timeout_s",
        None,
        f"watchdog: seconds until the run is stopped as incomplete {_by_profile('timeout_s')}",
        "float",
        range=POSITIVE,
    ),
    StageOption(
        "max_time_s",
        None,
        "Schemathesis's --max-time: the fuzzing and stateful phases repeat until it is spent (soak)",
        "int",
        range=at_least(1),
    ),
    StageOption("request_timeout_s", 10.0, "seconds one request may take", range=POSITIVE),
)
"""Every option of ``[tool.harness.contracts]``; a setting the target's schemathesis.toml makes wins over these."""
METRICS: tuple[StageMetric, ...] = (
    StageMetric("contracts.failures.total", Unit.COUNT, "distinct check failures (one per check and operation)"),
    *family(
        "contracts.operations.{}",
        ("total", "selected", "deselected", "tested", "left_untested"),
        Unit.COUNT,
        "API operations: in the document, selected, turned off, really tested, warned about as not really tested",
    ),
    StageMetric("contracts.operations.tested_ratio", Unit.RATIO, "tested / selected operations"),
    StageMetric("contracts.test_cases", Unit.COUNT, "generated test cases"),
    StageMetric("contracts.errors.total", Unit.COUNT, "errors Schemathesis met (not check failures)"),
    StageMetric('contracts.check["*"].failures', Unit.COUNT, "operations one check failed on"),
)
"""Every metric the contracts stage publishes in ``contracts.json``."""


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """The knobs handed to Schemathesis for one run."""

    seed: int
    max_examples: int
    timeout_s: float
    """Watchdog: the run is stopped (and reported incomplete) past this."""
    workers: int
    phases: tuple[str, ...] = PHASES
    checks: str = "all"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    request_timeout_s: float = 10.0
    continue_on_failure: bool = True
    """One failure must not hide another check failing on the same operation."""
    max_time_s: int | None = None
    """Schemathesis's ``--max-time``: fuzzing and stateful phases repeat until it is spent (soak)."""


def _phases(value: Any) -> tuple[str, ...]:
    """The phases option (``check`` matched them to `PHASES`): a list, or one comma-separated string."""
    if value is None:
        return PHASES
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


def from_options(profile: str, options: Mapping[str, Any]) -> RunSettings:
    """Settings for ``profile`` (smoke is fast; every other profile digs deeper), then options."""
    stage_options.check("contracts", options, OPTIONS)
    given = stage_options.with_defaults(options, OPTIONS)
    for key, (smoke, deeper) in BY_PROFILE.items():
        if given[key] is None:
            given[key] = smoke if profile in SMOKE_PROFILES else deeper
    # `check` has matched every value to its declared type, so the conversions below cannot fail.
    return RunSettings(
        seed=int(given["seed"]),
        max_examples=int(given["max_examples"]),
        timeout_s=float(given["timeout_s"]),
        workers=int(given["workers"]),
        phases=_phases(given["phases"]),
        checks=str(given["checks"]),
        include=stage_options.regexes("contracts", given, "include"),
        exclude=stage_options.regexes("contracts", given, "exclude"),
        request_timeout_s=float(given["request_timeout_s"]),
        continue_on_failure=bool(given["continue_on_failure"]),
        max_time_s=None if given["max_time_s"] is None else int(given["max_time_s"]),
    )
