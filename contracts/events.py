"""Read Schemathesis's NDJSON event stream into check outcomes per (operation, check).

The stream (``--report ndjson``) is Schemathesis's structured record of every case, check and
request; the terminal text is never parsed.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

_SCENARIO_EVENTS = ("ScenarioFinished", "FuzzScenarioFinished")
_AUTH_PHASE = "auth_bootstrap"
_NOT_APPLICABLE = frozenset({"NoLinksFound"})
"""Errors that only say a phase has nothing to do (an operation filter left no OpenAPI links)."""


@dataclasses.dataclass(frozen=True)
class CheckFailure:
    """One failed check on one case, with the request that reproduces it."""

    check: str
    operation: str
    code: str
    title: str
    message: str
    case_id: str
    request: dict[str, Any]
    status_code: int | None


@dataclasses.dataclass(frozen=True)
class ToolError:
    """A case Schemathesis could not run (network error, unusable schema part)."""

    label: str
    message: str


@dataclasses.dataclass
class Observations:
    """Everything the event stream says about checks, failures and errors."""

    checked: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    """(operation, check) pairs that ran at least once."""
    failures: list[CheckFailure] = dataclasses.field(default_factory=list)
    errors: list[ToolError] = dataclasses.field(default_factory=list)
    not_applicable: list[ToolError] = dataclasses.field(default_factory=list)
    called: set[str] = dataclasses.field(default_factory=set)
    """Operations (``METHOD /path/template``) Schemathesis sent at least one request to."""
    scenarios: int = 0


def read(path: Path) -> Observations:
    """Parse the stream; a missing file or a torn last line (killed run) yields what was written."""
    seen = Observations()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return seen
    for line in lines:
        fold(line, seen)
    return seen


def fold(line: str | bytes, seen: Observations) -> None:
    """Add one line of the stream to ``seen`` (also while Schemathesis still writes it, for the live figures)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return  # only the line being written when the run was killed can be torn
    for name, event in record.items():
        if name in _SCENARIO_EVENTS and event.get("phase") != _AUTH_PHASE:
            seen.scenarios += 1
            _scenario(event.get("recorder", {}), seen)
        elif name == "NonFatalError":
            value = event.get("value", {})
            kind = str(value.get("type", "Error"))
            error = ToolError(label=str(event.get("label", "")), message=f"{kind}: {value.get('message', '')}")
            (seen.not_applicable if kind in _NOT_APPLICABLE else seen.errors).append(error)


def _scenario(recorder: dict[str, Any], seen: Observations) -> None:
    cases = recorder.get("cases", {})
    interactions = recorder.get("interactions", {})
    seen.called.update(_label(cases[case_id]) for case_id, sent in interactions.items() if case_id in cases and sent)
    for case_id, checks in recorder.get("checks", {}).items():
        operation = _label(cases.get(case_id, {}))
        interaction = interactions.get(case_id, {})
        for check in checks:
            failure = (check.get("failure_info") or {}).get("failure")
            label = (failure or {}).get("operation") or operation
            seen.checked.add((label, check["name"]))
            if failure is not None:
                seen.failures.append(_failure(check["name"], label, case_id, failure, interaction))


def _label(case: dict[str, Any]) -> str:
    value = case.get("value", {})
    return f"{value.get('method', '?').upper()} {value.get('path', '?')}"


def _failure(
    check: str, operation: str, case_id: str, failure: dict[str, Any], interaction: dict[str, Any]
) -> CheckFailure:
    response = interaction.get("response") or {}
    return CheckFailure(
        check=check,
        operation=operation,
        code=str(failure.get("code", "")),
        title=str(failure.get("title", "")),
        message=str(failure.get("message", "")),
        case_id=case_id,
        request=interaction.get("request") or {},
        status_code=response.get("status_code"),
    )
