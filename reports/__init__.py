"""Report handlers: the verdict and stage results of a saved run rendered for people and CI.

`write_all` runs every registered handler (see `reports.registry`) on a run folder; it only
reads ``run.json``, ``verdict.json`` and ``<stage>.json``, so `harness report RUN_DIR` works offline.
"""

from __future__ import annotations

import logging
from pathlib import Path

# Registration order is run order: history before html, whose Trends section reads it.
from reports import history, html, junit, markdown, prometheus, sarif  # noqa: F401
from reports.registry import RunView, as_paths, handlers
from vocabulary.errors import ErrorKind, HarnessError

log = logging.getLogger(__name__)


def write_all(run_dir: Path) -> list[Path]:
    """Render every registered report of ``run_dir``; returns the files written.

    A failing handler does not stop the others (the Markdown summary should survive a broken
    chart); the failures are raised together afterwards as one harness error.
    """
    run = RunView.load(run_dir)
    written: list[Path] = []
    failures: list[str] = []
    for registered in handlers():
        try:
            written += as_paths(registered.render(run))
        except Exception as exc:
            log.exception("report %s failed", registered.name)
            failures.append(f"{registered.name}: {type(exc).__name__}: {exc}")
    if failures:
        raise HarnessError(
            ErrorKind.INTERNAL,
            "some reports could not be written: " + "; ".join(failures),
            tip=f"the other reports are in {run.path}; please file a bug with the run folder",
        )
    return written
