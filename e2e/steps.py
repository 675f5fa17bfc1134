"""The optional ``step`` fixture: named steps of a test, its failing step, and the observers of each.

``with step("pay"):`` marks the part of the test the browser is in. A failure is then
reported as "workflow ... failed at step 'pay'" (the stage's finding, the JUnit
properties, the sidecar), the step is a group in the Playwright trace, and every passing step is
shown to the step observers of later stages loaded into the run (``pytest_harness_step``,
`e2e.hooks`: the accessibility stage's plugin audits the test's open tabs with axe).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

STEPS = pytest.StashKey[list[dict[str, Any]]]()
"""A test's steps as they ran: ``{"name", "outcome", "duration_s"[, "observers_s", "url", "title"]}``."""
StepFn = Callable[[str], contextlib.AbstractContextManager[None]]


def step_function(request: pytest.FixtureRequest) -> StepFn:
    """The ``step`` fixture's value for the requesting test."""
    item = request.node
    record = item.stash.setdefault(STEPS, [])
    tracing = request.config.getoption("--tracing", default="off") != "off"
    observe = request.config.hook.pytest_harness_step

    @contextlib.contextmanager
    def run_step(name: str) -> Iterator[None]:
        entry: dict[str, Any] = {"name": name, "outcome": "running", "duration_s": 0.0}
        record.append(entry)
        started = time.perf_counter()
        with _trace_group(request, name, tracing):
            try:
                yield
            except BaseException:
                entry["outcome"] = "failed"
                entry.update(_page_state(request))
                item.user_properties.append(("failed_step", name))
                raise
            finally:
                entry["duration_s"] = round(time.perf_counter() - started, 3)
        entry["outcome"] = "passed"
        if observe.get_hookimpls():
            # After the step's own timing, so step durations stay comparable with observers on or off.
            observed = time.perf_counter()
            observe(item=item, index=len(record), name=name, pages=_open_pages(request))
            entry["observers_s"] = round(time.perf_counter() - observed, 3)

    return run_step


def failed_step(steps: list[dict[str, Any]], outcome: str, phase: str | None) -> str | None:
    """The first step that did not pass; the pytest phase ("setup", "teardown") when no step was to
    blame; None for a passing test or one that failed outside any step."""
    if outcome not in ("failed", "error"):
        return None
    for entry in steps:
        if entry["outcome"] != "passed":
            return str(entry["name"])
    return phase if phase in ("setup", "teardown") else None


@contextlib.contextmanager
def _trace_group(request: pytest.FixtureRequest, name: str, tracing: bool) -> Iterator[None]:
    """Group the step's actions in the trace of the test's browser context."""
    contexts = [request.getfixturevalue("context")] if tracing and "context" in request.fixturenames else []
    for context in contexts:
        context.tracing.group(name)
    try:
        yield
    finally:
        for context in contexts:
            context.tracing.group_end()


def _open_pages(request: pytest.FixtureRequest) -> list[Page]:
    """The tabs of the test's browser context (none when the test drives no page)."""
    if "page" not in request.fixturenames:
        return []
    return list(request.getfixturevalue("page").context.pages)


def _page_state(request: pytest.FixtureRequest) -> dict[str, str]:
    """Where the browser was when a step failed: an error page's title explains most failures."""
    if "page" not in request.fixturenames:
        return {}
    page = request.getfixturevalue("page")
    try:
        return {"url": page.url, "title": page.title()}
    except PlaywrightError:
        return {"url": page.url}
