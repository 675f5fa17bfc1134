"""The JSON sidecar of a test run: one record per test (a workflow), rewritten after every test.

Records are folded from pytest's reports only, so they come out the same under pytest-xdist (where
only the controller sees every report). The plugin puts what it observed on the teardown report as
``report.harness_e2e`` (steps, page vitals, requests); an interrupted run keeps what finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from e2e.steps import failed_step
from vocabulary import atomic

OBSERVED = "harness_e2e"
"""The teardown report's attribute carrying the plugin's observations (it survives xdist's transport)."""


class Recorder:
    """Folds reports into one record per test and writes the sidecar."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, dict[str, Any]] = {}
        self.finished = False
        self.collected: int | None = None
        """Tests to run (None under pytest-xdist, whose controller collects nothing)."""
        self.running: str | None = None
        """The test running now (the latest started one under pytest-xdist), for the live progress."""

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Write an empty sidecar early: its presence proves the plugin ran."""
        self._write()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Note how many workflows will run."""
        self.collected = len(session.items)
        self._write()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """Note the workflow that starts now."""
        self.running = nodeid.rpartition("::")[2]
        self._write()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold the setup/call/teardown reports of a test into its record."""
        record = self.records.setdefault(report.nodeid, new_record(report.nodeid))
        record["duration_s"] = round(record["duration_s"] + report.duration, 3)
        fold_outcome(record, report)
        if report.when == "teardown":
            self.running = None
            _add_artifacts(record, report)
            record.update(getattr(report, OBSERVED, {}))
            record["failed_step"] = failed_step(record["steps"], record["outcome"], record.pop("failed_in", None))
            self._write()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the final sidecar."""
        self.finished = True
        self._write()

    def _write(self) -> None:
        tests = list(self.records.values())
        live = {"collected": self.collected, "running": self.running}
        atomic.write_json(self.path, {"tests": tests, "finished": self.finished, **live})


def new_record(nodeid: str) -> dict[str, Any]:
    """A test's record before any report: passed until a report says otherwise."""
    return {
        "nodeid": nodeid,
        "name": nodeid.rpartition("::")[2],
        "outcome": "passed",
        "duration_s": 0.0,
        "failed_step": None,
        "steps": [],
        "error": "",
        "trace": None,
        "screenshot": None,
        "pages": [],
        "operations": [],
    }


def fold_outcome(record: dict[str, Any], report: pytest.TestReport) -> None:
    """Worst outcome wins: a setup failure is an error, a call or teardown failure a failure."""
    if report.skipped and record["outcome"] == "passed":
        record["outcome"] = "skipped"
    if report.failed:
        record["outcome"] = "error" if report.when == "setup" else "failed"
        if not record["error"]:
            record["error"] = _short_error(report)
            record["failed_in"] = report.when


def _short_error(report: pytest.TestReport) -> str:
    """The exception's own message, not the whole traceback."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:2000]


def _add_artifacts(record: dict[str, Any], report: pytest.TestReport) -> None:
    """pytest-playwright lists kept traces/screenshots in the teardown report's properties."""
    for name, value in report.user_properties:
        kind = str(name).removeprefix("playwright_")
        if kind in ("trace", "screenshot") and record[kind] is None:
            record[kind] = str(value)
