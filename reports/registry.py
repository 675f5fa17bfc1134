"""The report handler registry and `RunView`, the read-only bundle every handler renders from.

A handler is ``render(run: RunView) -> Path | list[Path]``; built-ins register through
`@handler` exactly as an extension would, and `reports.write_all` runs them in order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from harness import atomic
from harness.errors import ErrorKind, HarnessError
from harness.records import StageResult
from harness.rundir import VERDICT, RunDir
from perf_budgets.verdict import Verdict

Rendered = Path | list[Path]
Handler = Callable[["RunView"], Rendered]
H = TypeVar("H", bound=Handler)


@dataclasses.dataclass(frozen=True)
class RunView:
    """A saved run as reports see it: folder, ``run.json``, ``verdict.json`` and stage results."""

    path: Path
    meta: dict[str, Any]
    verdict: Verdict
    results: dict[str, StageResult]

    @classmethod
    def load(cls, run_dir: Path) -> RunView:
        """Read a run folder; raises a usage error when the gate has not judged it yet."""
        run = RunDir.open(run_dir)
        verdict_file = run.path / VERDICT
        if not verdict_file.is_file():
            raise HarnessError(
                ErrorKind.USAGE,
                f"{run.path} has no {VERDICT}: reports render the gate's verdict",
                tip=f"run `harness gate {run_dir}` first",
            )
        verdict = Verdict.from_dict(atomic.read_json(verdict_file))
        return cls(run.path, run.meta(), verdict, run.results())

    @property
    def run_id(self) -> str:
        """The run's id: ``run.json``'s ``run_id``, else the folder name."""
        return str(self.meta.get("run_id") or self.path.name)

    @property
    def out(self) -> Path:
        """The output folder holding this run (and ``history.jsonl``)."""
        return self.path.parent


@dataclasses.dataclass(frozen=True)
class Registered:
    """One registered handler: its name (in error messages) and its render function."""

    name: str
    render: Handler


_HANDLERS: dict[str, Registered] = {}


def handler(name: str) -> Callable[[H], H]:
    """Register ``render`` under ``name``; handlers run in registration order."""

    def register(render: H) -> H:
        if name in _HANDLERS:
            raise ValueError(f"report handler {name!r} is already registered")
        _HANDLERS[name] = Registered(name, render)
        return render

    return register


def handlers() -> Iterator[Registered]:
    """Every registered handler, in registration order."""
    yield from list(_HANDLERS.values())


def as_paths(rendered: Rendered) -> list[Path]:
    """A handler's return value as a list."""
    return rendered if isinstance(rendered, list) else [rendered]
