"""Read Schemathesis's JSON run report: operation counts, completion, errors, seed and version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from vocabulary.errors import ErrorKind, HarnessError

_LOADER_ERROR = "Schema Loading Error"
LEFT_UNTESTED_WARNINGS = (
    "missing_auth",
    "missing_test_data",
    "validation_mismatch",
    "low_valid_rate",
    "rate_limited",
    "method_not_allowed",
    "unresolvable_reference",
)
"""Schemathesis warnings that say an operation's contract was not really tested although cases ran:
every request stopped at auth, a missing resource, validation or a rate limit, or the document's
schema for it could not be read (Schemathesis: "leaving the logic behind them untested",
"skipped parts of the schema")."""


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """The parts of ``--report json`` the stage relies on."""

    version: str
    seed: int | None
    total: int
    selected: int
    tested: int
    complete: bool
    stop_reason: str
    exit_code: int
    test_cases: int
    errors: tuple[str, ...]
    phases: dict[str, str]
    left_untested: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Operation -> the `LEFT_UNTESTED_WARNINGS` Schemathesis raised for it."""


def read(path: Path, log_tail: str) -> RunSummary:
    """Parse the report; a missing one means Schemathesis died before it could write it."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise HarnessError(
            ErrorKind.STAGE,
            f"Schemathesis wrote no usable run report ({exc}); last output:\n{log_tail}",
        ) from exc
    errors = tuple(f"{e['title']} (x{e['count']})" for e in data.get("errors", []))
    if any(e.startswith(_LOADER_ERROR) for e in errors):
        raise HarnessError(
            ErrorKind.USAGE,
            f"Schemathesis cannot load the OpenAPI document:\n{log_tail}",
            tip="validate the schema (e.g. with an OpenAPI linter) and fix the part named above",
        )
    operations = data.get("operations") or {}
    return RunSummary(
        version=str(data.get("schemathesis_version", "")),
        seed=data.get("seed"),
        total=int(operations.get("total", 0)),
        selected=int(operations.get("selected", 0)),
        tested=int(operations.get("tested", 0)),
        complete=bool(data.get("complete")),
        stop_reason=str(data.get("stop_reason", "")),
        exit_code=int(data.get("exit_code", -1)),
        test_cases=int((data.get("test_cases") or {}).get("generated", 0)),
        errors=errors,
        phases={name: str(p.get("status")) for name, p in (data.get("phases") or {}).items()},
        left_untested=_left_untested(data.get("warnings") or {}),
    )


def _left_untested(warnings: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Operation -> the warnings that say its contract was left untested."""
    found: dict[str, list[str]] = {}
    for kind in LEFT_UNTESTED_WARNINGS:
        for operation in warnings.get(kind) or ():
            found.setdefault(operation, []).append(kind)
    return {operation: tuple(kinds) for operation, kinds in sorted(found.items())}
