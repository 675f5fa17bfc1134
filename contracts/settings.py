"""What one contracts run does: seed, examples per operation, phases, checks, filters, time cap."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from harness.errors import ErrorKind, HarnessError

DEFAULT_SEED = 20240101
"""Fixed so a failure found in CI replays bit for bit with the same seed."""
PHASES = ("examples", "coverage", "fuzzing", "stateful")
SMOKE_PROFILES = frozenset({"smoke"})


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


def _patterns(value: Any, key: str) -> tuple[str, ...]:
    """A filter option as a tuple of regexes (one string or a list of strings)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise HarnessError(
        ErrorKind.USAGE,
        f"contracts option {key!r} must be a regex or a list of regexes, got {value!r}",
        tip='e.g. include = ["^GET /books"]',
    )


def _flag(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise HarnessError(ErrorKind.USAGE, f"contracts option {key!r} must be true or false, got {value!r}")


def _phases(value: Any) -> tuple[str, ...]:
    phases = tuple(value) if value is not None else PHASES
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise HarnessError(
            ErrorKind.USAGE,
            f"unknown contracts phase(s): {', '.join(unknown)}",
            tip=f"choose from {', '.join(PHASES)}",
        )
    return phases


def from_options(profile: str, options: Mapping[str, Any]) -> RunSettings:
    """Settings for ``profile`` (smoke is fast; every other profile digs deeper), then options."""
    smoke = profile in SMOKE_PROFILES
    try:
        return RunSettings(
            seed=int(options.get("seed", DEFAULT_SEED)),
            max_examples=int(options.get("max_examples", 5 if smoke else 100)),
            timeout_s=float(options.get("timeout_s", 120 if smoke else 1800)),
            workers=int(options.get("workers", 2 if smoke else 4)),
            phases=_phases(options.get("phases")),
            checks=str(options.get("checks", "all")),
            include=_patterns(options.get("include"), "include"),
            exclude=_patterns(options.get("exclude"), "exclude"),
            request_timeout_s=float(options.get("request_timeout_s", 10.0)),
            continue_on_failure=_flag(options.get("continue_on_failure", True), "continue_on_failure"),
            max_time_s=int(options["max_time_s"]) if "max_time_s" in options else None,
        )
    except (TypeError, ValueError) as exc:
        raise HarnessError(
            ErrorKind.USAGE,
            f"bad contracts option: {exc}",
            tip="seed, max_examples, max_time_s and workers are integers; timeout_s is seconds",
        ) from exc
