"""Load and validate a budget file; every mistake names the file, line, key and nearest valid name.

The format is documented in ``perf_budgets/FORMAT.md`` and in the header of ``budgets.toml``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from perf_budgets.known import KnownFailures, load_known
from perf_budgets.model import BUDGETS_SCHEMA_VERSION, Budget, BudgetFile, Comparison, Level, Sampling
from perf_budgets.rules import parse_policy
from vocabulary.profiles import PROFILES
from vocabulary.source import KeyPath, Source

SHIPPED = Path(__file__).with_name("budgets.toml")

TOP_KEYS = ("schema_version", "known_failures", "sampling", "budgets", "profiles", "findings")
SAMPLING_KEYS = ("confidence", "min_samples")
LIMIT_KEYS = tuple(c.value for c in Comparison)
BUDGET_KEYS = (
    "metric",
    *LIMIT_KEYS,
    "warn_max",
    "warn_min",
    "better",
    "level",
    "profiles",
    "description",
    "tip",
    "required",
    "enabled",
    *SAMPLING_KEYS,
)
OVERRIDE_KEYS = tuple(k for k in BUDGET_KEYS if k not in ("metric", "profiles"))
_WARN_KEY = {Comparison.MAX: "warn_max", Comparison.MIN: "warn_min"}
_BUDGET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

KeyOf = Callable[[str], KeyPath]
"""Where a budget key was written (the base table or a profile's override table)."""


def load_budgets(path: Path = SHIPPED, *, known_failures: Path | None = None) -> BudgetFile:
    """Read and validate a budget file; ``known_failures`` replaces the file's own reference."""
    source = Source.read(path)
    data = source.data
    for key in data:
        if key not in TOP_KEYS:
            raise source.unknown((key,), key, TOP_KEYS, "top-level key")
    _check_version(source, data.get("schema_version"))
    sampling = _sampling_table(source, data.get("sampling", {}))
    raw_budgets = _budget_tables(source, data.get("budgets"))
    budgets = tuple(_budget(source, bid, table, _at(("budgets", bid)), sampling) for bid, table in raw_budgets.items())
    return BudgetFile(
        path=path,
        budgets=budgets,
        overrides=_overrides(source, raw_budgets, data.get("profiles", {}), sampling),
        findings=parse_policy(source, data.get("findings")),
        known=_known(source, known_failures),
    )


def _at(base: KeyPath) -> KeyOf:
    """Every key lives under ``base``."""
    return lambda key: (*base, key)


def _check_version(source: Source, version: Any) -> None:
    """The file says which format it is written in."""
    if version != BUDGETS_SCHEMA_VERSION:
        raise source.error(
            ("schema_version",),
            f"expected schema_version = {BUDGETS_SCHEMA_VERSION}, got {version!r}",
            tip=f"start the file with: schema_version = {BUDGETS_SCHEMA_VERSION}",
        )


def _budget_tables(source: Source, raw: Any) -> dict[str, dict[str, Any]]:
    """The ``[budgets.<id>]`` tables: at least one, each a table with a stable id."""
    if not isinstance(raw, dict) or not raw:
        raise source.error(("budgets",), "expected at least one [budgets.<id>] table")
    for bid, table in raw.items():
        if not _BUDGET_ID.match(bid):
            raise source.error(("budgets", bid), "budget ids use letters, digits, '_' and '-'")
        if not isinstance(table, dict):
            raise source.error(("budgets", bid), f"expected a table, got {table!r}")
    return raw


def _budget(source: Source, bid: str, table: Mapping[str, Any], key_of: KeyOf, sampling: Sampling) -> Budget:
    """Validate one budget table (a base table, or a base merged with a profile override); its own
    ``confidence`` / ``min_samples`` replace the file's ``[sampling]``."""
    for key in table:
        if key not in BUDGET_KEYS:
            raise source.unknown(key_of(key), key, BUDGET_KEYS, "budget key")
    comparison = _comparison(source, table, key_of)
    limit = _number(source, table, comparison.value, key_of)
    level = _level(source, table, key_of)
    return Budget(
        id=bid,
        metric=_metric(source, table, key_of),
        comparison=comparison,
        limit=limit,
        level=level,
        warn_limit=_warn_limit(source, table, comparison, limit, key_of),
        better=_better(source, table, comparison, key_of),
        profiles=_profiles(source, table.get("profiles", []), key_of("profiles")),
        description=_string(source, table, "description", key_of),
        tip=_string(source, table, "tip", key_of),
        required=_flag(source, table, "required", key_of) if "required" in table else None,
        enabled=_flag(source, table, "enabled", key_of),
        sampling=_sampling(source, table, key_of, sampling),
    )


def _comparison(source: Source, table: Mapping[str, Any], key_of: KeyOf) -> Comparison:
    """Exactly one of max, min, max_regression_pct."""
    given = [k for k in table if k in LIMIT_KEYS]
    if len(given) == 1:
        return Comparison(given[0])
    if not given:
        raise source.error(
            key_of("metric")[:-1],
            "no limit: expected exactly one of max, min, max_regression_pct",
            tip='e.g. max = 100 for "at most 100", min = 0.8 for "at least 0.8"',
        )
    raise source.error(
        key_of(given[1]),
        f"{' and '.join(given)} are both set: expected exactly one limit per budget",
        tip="write a second budget for the other bound",
    )


def _number(source: Source, table: Mapping[str, Any], key: str, key_of: KeyOf) -> float:
    """A finite int or float (TOML booleans are not numbers)."""
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise source.error(
            key_of(key),
            f"expected a number, got {type(value).__name__} {value!r}",
            tip=f"write it without quotes, e.g. {key} = 100",
        )
    if key == "max_regression_pct" and value < 0:
        raise source.error(key_of(key), f"expected a percentage >= 0, got {value!r}")
    return float(value)


def _level(source: Source, table: Mapping[str, Any], key_of: KeyOf) -> Level:
    """``fail`` (default) or ``warn``."""
    value = table.get("level", Level.FAIL.value)
    if value not in Level.__members__.values():
        raise source.unknown(key_of("level"), str(value), [v.value for v in Level], "level")
    return Level(value)


def _warn_limit(
    source: Source,
    table: Mapping[str, Any],
    comparison: Comparison,
    limit: float,
    key_of: KeyOf,
) -> float | None:
    """``warn_max`` before a ``max`` or ``warn_min`` before a ``min``."""
    key = _WARN_KEY.get(comparison)
    for other in _WARN_KEY.values():
        if other in table and other != key:
            tip = f"use {key}" if key else "add a second, warn-level budget instead"
            raise source.error(key_of(other), f"{other} does not go with {comparison.value}", tip=tip)
    if key is None or key not in table:
        return None
    value = _number(source, table, key, key_of)
    if (value > limit) if comparison is Comparison.MAX else (value < limit):
        raise source.error(
            key_of(key),
            f"{key} = {value:g} would warn only after {comparison.value} = {limit:g} already failed",
        )
    return value


def _metric(source: Source, table: Mapping[str, Any], key_of: KeyOf) -> str:
    """A metric name or pattern (`harness.budget_check` checks that a stage publishes it)."""
    if "metric" not in table:
        raise source.error(key_of("metric")[:-1], "missing 'metric': the metric name or pattern")
    value = table["metric"]
    if not isinstance(value, str) or "." not in value:
        raise source.error(key_of("metric"), f"expected a metric name like 'load.http.p95_ms', got {value!r}")
    return value


def _better(source: Source, table: Mapping[str, Any], comparison: Comparison, key_of: KeyOf) -> str:
    """Which direction of change a regression budget counts as an improvement."""
    if "better" not in table:
        return "lower"
    if comparison is not Comparison.MAX_REGRESSION_PCT:
        raise source.error(key_of("better"), "'better' only goes with max_regression_pct")
    if table["better"] not in ("lower", "higher"):
        raise source.unknown(key_of("better"), str(table["better"]), ("lower", "higher"), "value")
    return str(table["better"])


def _profiles(source: Source, value: Any, path: KeyPath) -> tuple[str, ...]:
    """A list of known profile names."""
    if not isinstance(value, list):
        raise source.error(path, f'expected a list of profile names, e.g. ["peak"], got {value!r}')
    for name in value:
        if name not in PROFILES:
            raise source.unknown(path, str(name), PROFILES, "profile")
    return tuple(value)


def _string(source: Source, table: Mapping[str, Any], key: str, key_of: KeyOf) -> str:
    """An optional string (empty when absent)."""
    value = table.get(key, "")
    if not isinstance(value, str):
        raise source.error(key_of(key), f"expected a string, got {type(value).__name__} {value!r}")
    return value


def _flag(source: Source, table: Mapping[str, Any], key: str, key_of: KeyOf) -> bool:
    """An optional boolean (true when absent)."""
    value = table.get(key, True)
    if not isinstance(value, bool):
        raise source.error(key_of(key), f"expected true or false, got {value!r}")
    return value


def _overrides(
    source: Source, base: Mapping[str, Mapping[str, Any]], raw: Any, sampling: Sampling
) -> dict[str, dict[str, Budget]]:
    """``[profiles.<name>.budgets.<id>]``: partial budgets merged over the base ones."""
    if not isinstance(raw, dict):
        raise source.error(("profiles",), "expected tables like [profiles.peak.budgets.<id>]")
    merged: dict[str, dict[str, Budget]] = {}
    for profile, table in raw.items():
        if profile not in PROFILES:
            raise source.unknown(("profiles", profile), profile, PROFILES, "profile")
        if not isinstance(table, dict):
            raise source.error(("profiles", profile), f"expected a table, got {table!r}")
        for key in table:
            if key != "budgets":
                raise source.unknown(("profiles", profile, key), key, ["budgets"], "profile key")
        merged[profile] = {
            bid: _override(source, base, profile, bid, changes, sampling)
            for bid, changes in table.get("budgets", {}).items()
        }
    return merged


def _override(
    source: Source, base: Mapping[str, Mapping[str, Any]], profile: str, bid: str, changes: Any, sampling: Sampling
) -> Budget:
    """One override, validated as merged with the budget it changes."""
    where: KeyPath = ("profiles", profile, "budgets", bid)
    if bid not in base:
        raise source.unknown(where, bid, base, "budget")
    if not isinstance(changes, dict):
        raise source.error(where, f"expected a table of changes, got {changes!r}")
    for key in changes:
        if key not in OVERRIDE_KEYS:
            raise source.unknown((*where, key), key, OVERRIDE_KEYS, "override key")
    # A new limit replaces the old one and its warn threshold, so a max can become a min.
    replaced = (*LIMIT_KEYS, *_WARN_KEY.values()) if any(k in changes for k in LIMIT_KEYS) else ()
    merged = {k: v for k, v in base[bid].items() if k not in replaced} | changes

    def key_of(key: str) -> KeyPath:
        return (*where, key) if key in changes else ("budgets", bid, key)

    return _budget(source, bid, merged, key_of, sampling)


def _sampling_table(source: Source, raw: Any) -> Sampling:
    """The top-level ``[sampling]`` table: defaults for every percentile budget."""
    if not isinstance(raw, dict):
        raise source.error(("sampling",), f"expected a table: [sampling], got {raw!r}")
    for key in raw:
        if key not in SAMPLING_KEYS:
            raise source.unknown(("sampling", key), key, SAMPLING_KEYS, "sampling key")
    return _sampling(source, raw, _at(("sampling",)), Sampling())


def _sampling(source: Source, table: Mapping[str, Any], key_of: KeyOf, default: Sampling) -> Sampling:
    """``confidence`` (0.5 to below 1) and ``min_samples`` (a whole number >= 0) over ``default``."""
    confidence = _number(source, table, "confidence", key_of) if "confidence" in table else default.confidence
    if not 0.5 <= confidence < 1.0:
        raise source.error(
            key_of("confidence"),
            f"expected a confidence level from 0.5 to below 1, got {confidence:g}",
            tip="e.g. confidence = 0.95 (a breach or a pass must hold at 95 %)",
        )
    fewest = table.get("min_samples", default.min_samples)
    if isinstance(fewest, bool) or not isinstance(fewest, int) or fewest < 0:
        raise source.error(key_of("min_samples"), f"expected a whole number of samples >= 0, got {fewest!r}")
    return Sampling(confidence=confidence, min_samples=fewest)


def _known(source: Source, override: Path | None) -> KnownFailures | None:
    """The known-failures file: the caller's, else the one the budget file names, else none."""
    if override is not None:
        return load_known(override)
    name = source.data.get("known_failures")
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise source.error(("known_failures",), f"expected a file path string, got {name!r}")
    return load_known(source.path.parent / name)
