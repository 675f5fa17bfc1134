"""The report handler registry and `RunView`, the read-only bundle every handler renders from.

A handler is ``render(run: RunView) -> Path | list[Path]``; built-ins register through
`@handler` exactly as an extension would, and `reports.write_all` runs them in order.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from perf_budgets.verdict import Verdict
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult
from vocabulary.rundir import VERDICT, RunDir, read_input

Rendered = Path | list[Path]
Handler = Callable[["RunView"], Rendered]
H = TypeVar("H", bound=Handler)


@dataclasses.dataclass(frozen=True)
class RunView:
    """A saved run as reports see it: folder, ``run.json``, ``verdict.json`` and stage results.

    ``path`` holds the verdict and receives the reports; for a re-gate folder the run itself (its
    ``run.json``, stage results and artifacts) is ``source``, left untouched.
    """

    path: Path
    meta: dict[str, Any]
    verdict: Verdict
    results: dict[str, StageResult]
    source: Path | None = None

    @classmethod
    def load(cls, run_dir: Path) -> RunView:
        """Read a run (or re-gate) folder; raises a usage error when the gate has not judged it yet."""
        run = RunDir.open(run_dir)
        folder = run_dir.resolve()
        verdict_file = folder / VERDICT
        if not verdict_file.is_file():
            raise HarnessError(
                ErrorKind.USAGE,
                f"{folder} has no {VERDICT}: reports render the gate's verdict",
                tip=f"run `harness gate {run_dir}` first",
            )
        try:
            verdict = Verdict.from_dict(read_input(verdict_file))
        except (KeyError, TypeError, ValueError) as exc:
            raise HarnessError(
                ErrorKind.USAGE, f"{verdict_file} is damaged: {exc!r}", tip=f"run `harness gate {run.path}` again"
            ) from exc
        results = run.results()
        if not verdict.stages:  # judged before verdicts recorded the run order: the run folder's order
            verdict = dataclasses.replace(verdict, stages=tuple(results))
        if folder == run.path:
            return cls(folder, run.meta(), verdict, results)
        # Links to the run's raw artifacts must work from the re-gate folder's report.html.
        linked = {name: _linked_from(result, run.path, folder) for name, result in results.items()}
        return cls(folder, run.meta(), verdict, linked, source=run.path)

    @property
    def run_id(self) -> str:
        """The run's id: ``run.json``'s ``run_id``, else the run folder's name."""
        return str(self.meta.get("run_id") or (self.source or self.path).name)

    @property
    def out(self) -> Path:
        """The output folder holding the run (and ``history.jsonl``)."""
        return (self.source or self.path).parent


def _linked_from(result: StageResult, run: Path, folder: Path) -> StageResult:
    """``result`` with its artifact paths relative to ``folder`` instead of the run folder."""
    artifacts = {name: os.path.relpath(run / path, folder) for name, path in result.artifacts.items()}
    return dataclasses.replace(result, artifacts=artifacts)


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
