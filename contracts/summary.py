"""Read Schemathesis's JSON run report: operation counts, completion, errors, seed and version."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from harness.errors import ErrorKind, HarnessError

_LOADER_ERROR = "Schema Loading Error"


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

    @property
    def tested_ratio(self) -> float:
        """Operations tested over operations in the schema."""
        return self.tested / self.total if self.total else 0.0


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
    )
