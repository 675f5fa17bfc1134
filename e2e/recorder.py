"""pytest plugin: workflow markers, named steps, and a JSON sidecar of every workflow test.

Loaded with ``-p e2e.recorder``. Every collected test must carry exactly one
``@pytest.mark.workflow("<id>")`` with an id from `e2e.workflows`; ``--workflows a,b`` runs only
those workflows. The ``step`` fixture names the part of the workflow a test is in, so a failure
is reported as "workflow upload failed at step 'submit upload'" (in the report, the JUnit
properties and the sidecar) and the step shows up as a group in the Playwright trace. The sidecar
(``--e2e-report PATH``) is rewritten atomically after every test, so an interrupted run keeps
what finished. With ``--a11y-steps DIR`` every passing step is followed by an axe audit of the
test's open tabs (`accessibility.steps`), written under DIR for the accessibility stage.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from accessibility.steps import StepAuditor
from e2e import workflows
from harness import atomic

STEPS = pytest.StashKey[list[dict[str, Any]]]()
STEP_AUDITOR = pytest.StashKey[StepAuditor]()
StepFn = Callable[[str], contextlib.AbstractContextManager[None]]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The sidecar path and the workflow selection."""
    group = parser.getgroup("e2e", "harness e2e workflows")
    group.addoption("--e2e-report", default=None, help="write a JSON record per workflow test here")
    group.addoption(
        "--workflows",
        default="",
        help="comma-separated workflow ids to run (default: all), e.g. upload,login",
    )
    group.addoption("--a11y-steps", default=None, help="audit the open tabs with axe after each step; results here")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker and start the sidecar recorder."""
    config.addinivalue_line("markers", "workflow(id): the catalogue workflow this test proves")
    selected = [w for w in config.getoption("--workflows").split(",") if w.strip()]
    try:
        chosen = workflows.select([w.strip() for w in selected])
    except workflows.UnknownWorkflowError as exc:
        raise pytest.UsageError(str(exc)) from None
    report = config.getoption("--e2e-report")
    a11y_dir = config.getoption("--a11y-steps")
    if a11y_dir:
        config.stash[STEP_AUDITOR] = StepAuditor(Path(a11y_dir))
    config.pluginmanager.register(Selection(chosen), "e2e-selection")
    # Under pytest-xdist only the controller sees every report, so only it writes the sidecar.
    if report and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Recorder(chosen, Path(report)), "e2e-recorder")


def workflow_of(item: pytest.Item) -> workflows.Workflow:
    """The declared workflow a test is marked with (a usage error when missing or unknown)."""
    marks = list(item.iter_markers("workflow"))
    if len(marks) != 1 or len(marks[0].args) != 1:
        raise pytest.UsageError(f"{item.nodeid}: mark it with exactly one @pytest.mark.workflow('<id>')")
    try:
        return workflows.get(str(marks[0].args[0]))
    except workflows.UnknownWorkflowError as exc:
        raise pytest.UsageError(f"{item.nodeid}: {exc}") from None


@pytest.fixture
def step(request: pytest.FixtureRequest) -> StepFn:
    """``with step("submit upload"):`` marks the declared step the test is in."""
    item = request.node
    workflow = workflow_of(item)
    record = item.stash.setdefault(STEPS, [])
    tracing = request.config.getoption("--tracing", default="off") != "off"
    auditor = request.config.stash.get(STEP_AUDITOR, None)

    @contextlib.contextmanager
    def run_step(name: str) -> Iterator[None]:
        workflows.check_step(workflow, name)
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
        if auditor is not None:
            # After the step's own timing, so step durations stay comparable with audits on or off.
            audit_started = time.perf_counter()
            auditor.audit(workflow.id, item.nodeid, len(record), name, _open_pages(request))
            entry["a11y_s"] = round(time.perf_counter() - audit_started, 3)

    return run_step


@contextlib.contextmanager
def _trace_group(request: pytest.FixtureRequest, name: str, tracing: bool) -> Iterator[None]:
    """Group the step's actions in every open browser context's trace."""
    contexts = _open_contexts(request) if tracing else []
    for context in contexts:
        context.tracing.group(name)
    try:
        yield
    finally:
        for context in contexts:
            context.tracing.group_end()


def _open_contexts(request: pytest.FixtureRequest) -> list[Any]:
    """Browser contexts of this test (only when it already uses ``context``)."""
    if "context" not in request.fixturenames:
        return []
    return [request.getfixturevalue("context")]


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


class Selection:
    """Checks every test's workflow marker and keeps only the selected workflows."""

    def __init__(self, selected: tuple[workflows.Workflow, ...]) -> None:
        self.wanted = {w.id for w in selected}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Deselect tests of workflows that were not asked for."""
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            (keep if workflow_of(item).id in self.wanted else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Name the workflow in the report (and the JUnit properties) of every test."""
        item.user_properties.append(("workflow", workflow_of(item).id))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry the steps on the teardown report, so the recorder sees them under xdist too."""
        report = yield
        if report.when == "teardown":
            report.user_properties.append(("e2e_steps", json.dumps(item.stash.get(STEPS, []))))
        return report


class Recorder:
    """Folds reports into one record per workflow test and writes the sidecar."""

    def __init__(self, selected: tuple[workflows.Workflow, ...], path: Path) -> None:
        self.selected = selected
        self.path = path
        self.records: dict[str, dict[str, Any]] = {}
        self.finished = False

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Write an empty sidecar early: its presence proves the plugin ran."""
        self._write()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold the setup/call/teardown reports of a test into its record."""
        props = dict(report.user_properties)
        if "workflow" not in props:
            return
        record = self.records.setdefault(report.nodeid, _new_record(report.nodeid, str(props["workflow"])))
        record["duration_s"] = round(record["duration_s"] + report.duration, 3)
        _fold_outcome(record, report)
        if report.when == "teardown":
            _add_artifacts(record, report)
            record["steps"] = json.loads(str(props.get("e2e_steps", "[]")))
            record["failed_step"] = _failed_step(record)
            self._write()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the final sidecar."""
        self.finished = True
        self._write()

    def _write(self) -> None:
        atomic.write_json(
            self.path,
            {
                "selected": [w.id for w in self.selected],
                "tests": list(self.records.values()),
                "finished": self.finished,
            },
        )


def _new_record(nodeid: str, workflow: str) -> dict[str, Any]:
    return {
        "nodeid": nodeid,
        "workflow": workflow,
        "outcome": "passed",
        "duration_s": 0.0,
        "failed_step": None,
        "steps": [],
        "error": "",
        "trace": None,
        "screenshot": None,
    }


def _fold_outcome(record: dict[str, Any], report: pytest.TestReport) -> None:
    """Worst outcome wins: a setup failure is an error, a call or teardown failure a failure."""
    if report.skipped and record["outcome"] == "passed":
        record["outcome"] = "skipped"
    if report.failed:
        record["outcome"] = "error" if report.when == "setup" else "failed"
        if not record["error"]:
            record["error"] = _short_error(report)


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


def _failed_step(record: dict[str, Any]) -> str | None:
    """The first step that did not pass; "setup" or "teardown" when no step was to blame."""
    if record["outcome"] not in ("failed", "error"):
        return None
    for entry in record["steps"]:
        if entry["outcome"] != "passed":
            return str(entry["name"])
    return "setup" if record["outcome"] == "error" else "teardown"
