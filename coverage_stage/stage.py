"""The coverage stage: not a runner like the others but a session around them.

It must see the whole run: it writes the rc file a started Python target runs under, collects the
requests every stage says it sent (``details["operations"]``), and only after the target was
stopped (so every process saved its data) combines the data and writes ``coverage.json``.

What cannot apply to this target is said so, not measured as zero: API-operation coverage without
an OpenAPI document, code coverage of an app that is neither a Python app the harness starts nor
one whose coverage data file the description names.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import coverage

from coverage_stage import api_operations as ops
from coverage_stage import code_coverage
from stagekit import stage_options
from stagekit.description import TargetDescription
from stagekit.stage_metrics import StageMetric, Unit
from stagekit.stage_options import StageOption
from stagekit.stages import TargetInfo
from stagekit.target import runs_python
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Finding, Severity, StageResult, Status, ValidityCheck
from vocabulary.rundir import RunDir

STAGE = "coverage"
OPTIONS: tuple[StageOption, ...] = (
    StageOption(
        "source",
        None,
        'packages to measure in a started Python app instead of its command\'s coverage_source, e.g. ["app"]',
        "list[str]",
    ),
    StageOption(
        "report",
        None,
        "a Cobertura XML or coverage.py JSON report made elsewhere, for an app measured by other means",
        "path",
    ),
)
"""Every option of ``[tool.harness.coverage]``, with its help."""
METRICS: tuple[StageMetric, ...] = (
    StageMetric("coverage.line_ratio", Unit.RATIO, "target lines run while the stages exercised it / all lines"),
    StageMetric("coverage.branch_ratio", Unit.RATIO, "target branches taken / all branches"),
    StageMetric("coverage.api_operations_ratio", Unit.RATIO, "OpenAPI operations any stage exercised / all"),
    StageMetric('coverage.api_operations["*"].ratio', Unit.RATIO, "OpenAPI operations one stage exercised / all"),
)
"""Every metric the coverage stage publishes in ``coverage.json``."""
RULE = "operation-not-exercised"
LINE_METRICS = ("coverage.line_ratio", "coverage.branch_ratio")
OPERATION_METRICS = ("coverage.api_operations*", "coverage.findings.*")
"""Operation coverage and the findings naming unexercised operations (the stage's only findings)."""
_NOT_PYTHON = (
    "the app's command does not start Python, so coverage.py cannot run it: name the coverage data "
    "file the app writes in target.coverage_data, or a report in [tool.harness.coverage] report"
)
_NOT_STARTED = (
    "the harness did not start the app and the description names no coverage_data file it writes "
    "(nor [tool.harness.coverage] report)"
)


def enabled(flag: bool, stages: Iterable[str]) -> bool:
    """The coverage stage runs with ``--coverage`` (``flag``) or when ``coverage`` is among the stages."""
    return flag or STAGE in stages


def check_options(options: Mapping[str, Any]) -> Mapping[str, Any]:
    """``options`` if every key is known (a silently ignored report would measure nothing)."""
    stage_options.check(STAGE, options, OPTIONS)
    return options


def stage_metric(stage: str) -> str:
    """``coverage.api_operations["load"].ratio``: the share of operations one stage exercised."""
    return f'coverage.api_operations["{stage}"].ratio'


class CoverageSession:
    """Everything the coverage stage gathers while the other stages run."""

    def __init__(self, run: RunDir, profile: str, options: Mapping[str, Any], target_url: str = "") -> None:
        """``options``: the ``[tool.harness.coverage]`` table; ``target_url`` until `attach` knows the target."""
        self.run = run
        self.profile = profile
        self.options: Mapping[str, Any] = check_options(options)
        self.folder = run.artifacts(STAGE)
        self.started_at = time.time()
        self.rcfile: Path | None = None
        self.unmeasured = _NOT_STARTED
        """Why code coverage does not apply, when neither rc file nor data file nor report exists."""
        self.data_file: Path | None = None
        self.target_url = target_url
        self.catalogue: ops.Catalogue | None = None
        self.seen: dict[str, set[str]] = {}
        self.unmatched: dict[str, int] = {}
        self.silent: list[str] = []
        """Stages that published no ``details["operations"]`` (not counted either way)."""
        self.problems: list[str] = []
        self.source: tuple[str, ...] = tuple(self.options.get("source", ()))
        self.digests: dict[str, str] = {}

    def rcfile_for_started(self, described: TargetDescription) -> Path | None:
        """The rc file the started app runs under coverage.py; None when the harness must not wrap it.

        It does not when the app writes its own coverage data (``coverage_data``) or is no Python app.
        """
        command = described.command
        if command is None or described.coverage_data is not None:
            return None
        if not runs_python(command):
            self.unmeasured = _NOT_PYTHON
            return None
        self.source = tuple(self.options.get("source", command.coverage_source))
        self.rcfile = code_coverage.write_rcfile(self.folder, self.source)
        self.digests = code_coverage.source_digests(self.source)
        return self.rcfile

    def attach(self, target: TargetInfo, openapi: str | None) -> None:
        """Read the operations now: the target (and its OpenAPI URL) is gone when `result` runs."""
        self.target_url = target.url
        self.data_file = target.description.coverage_data
        if openapi is None:
            return
        try:
            self.catalogue = ops.load_catalogue(openapi)
        except HarnessError as exc:
            self.problems.append(exc.message)

    def after(self, stage: str, result: StageResult) -> None:
        """Match the requests ``stage`` published to the document's operations."""
        listed = result.details.get("operations")
        if not isinstance(listed, list):
            self.silent.append(stage)
        elif self.catalogue is not None:
            self.seen[stage], self.unmatched[stage] = self.catalogue.matched(str(entry) for entry in listed)

    def result(self, *, complete: bool) -> StageResult:
        """Combine the coverage data (the target is stopped by now) and build ``coverage.json``."""
        result = StageResult(STAGE, Status.PASSED, target_url=self.target_url, profile=self.profile)
        result.tool_versions["coverage"] = coverage.__version__
        self._code(result)
        self._operations(result)
        if not complete:
            result.status = Status.INCOMPLETE
            result.error = "the run was interrupted: coverage covers only what ran before it"
        return result.finish()

    def _code(self, result: StageResult) -> None:
        """Line and branch coverage: the started app's data, the app's own data file, or a report file."""
        report = self.options.get("report")
        try:
            if self.rcfile is not None:
                summary = code_coverage.combine_and_measure(self.folder, self.rcfile)
            elif self.data_file is not None:
                summary = self._described_data(self.data_file)
            elif report:
                summary = code_coverage.read_report(Path(str(report)))
            else:
                result.not_applicable.update(dict.fromkeys(LINE_METRICS, self.unmeasured))
                return
        except HarnessError as exc:
            result.validity.append(ValidityCheck("code-coverage-measured", False, exc.message, LINE_METRICS))
            return
        if self.rcfile is not None or self.data_file is not None:
            result.artifacts["report"] = f"{STAGE}/{code_coverage.JSON_REPORT}"
        self._figures(result, summary)

    def _described_data(self, path: Path) -> code_coverage.CoverageSummary:
        """Combine the data file the app wrote; data older than this run measures another run."""
        files = code_coverage.described_data_files(path)
        if files and max(file.stat().st_mtime for file in files) < self.started_at:
            raise HarnessError(
                ErrorKind.STAGE,
                f"the coverage data {path} was last written before this run started: it measures an earlier run",
                tip="the app must save its data (coverage.py does when the app stops) before the run ends",
            )
        return code_coverage.combine_and_measure(self.folder, None, files)

    def _figures(self, result: StageResult, summary: code_coverage.CoverageSummary) -> None:
        ok = summary.line_ratio is not None
        detail = f"{len(summary.modules)} modules, {summary.statements} statements from {summary.source}"
        detail += "".join(f"; coverage.py warned: {text}" for text in summary.warnings)
        result.validity.append(ValidityCheck("code-coverage-measured", ok, detail, LINE_METRICS))
        if self.digests:
            changed = code_coverage.changed_sources(self.digests, self.source)
            why = f"target source edited during the run, so lines map wrongly: {', '.join(changed[:5])}"
            check = ValidityCheck("target-source-unchanged", not changed, why if changed else "unchanged", LINE_METRICS)
            result.validity.append(check)
        for name, value in zip(LINE_METRICS, (summary.line_ratio, summary.branch_ratio), strict=True):
            if value is not None:
                result.metrics[name] = value
        result.details["modules"] = [m.row() for m in summary.modules]

    def _operations(self, result: StageResult) -> None:
        """The operation x stage matrix, its ratios and one finding per operation nobody exercised."""
        reason = self._operations_not_applicable()
        if reason is not None:
            result.not_applicable.update(dict.fromkeys(OPERATION_METRICS, reason))
            return
        result.validity.append(self._attributed())
        result.details["stages_without_operations"] = self.silent
        if self.catalogue is None:
            return
        matrix = ops.OperationMatrix.build(self.catalogue.names(), self.seen)
        for stage in matrix.by_stage:
            result.metrics[stage_metric(stage)] = matrix.stage_ratio(stage)
        if self.seen:
            result.metrics["coverage.api_operations_ratio"] = matrix.ratio()
        uncovered = matrix.uncovered()
        result.details.update(
            operations_matrix=matrix.table(), uncovered_operations=uncovered, unmatched_requests=self.unmatched
        )
        result.findings.extend(_not_exercised(name) for name in uncovered)

    def _operations_not_applicable(self) -> str | None:
        if self.catalogue is None and not self.problems:
            return "the target has no OpenAPI document (none configured, none at the usual paths)"
        if self.catalogue is not None and not self.catalogue.operations:
            return "the target's OpenAPI document has no operations"
        return None

    def _attributed(self) -> ValidityCheck:
        """Valid when the document was read and at least one stage said which requests it sent."""
        problems = list(self.problems)
        if not self.seen:
            problems.append("no stage published the requests it sent (details['operations'])")
        if problems or self.catalogue is None:
            return ValidityCheck("api-operations-attributed", False, "; ".join(problems), OPERATION_METRICS)
        detail = f"{len(self.catalogue.operations)} operations x {len(self.seen)} stages"
        if self.silent:
            detail += f"; not counted, they published no operations: {', '.join(self.silent)}"
        return ValidityCheck("api-operations-attributed", True, detail, OPERATION_METRICS)


def _not_exercised(name: str) -> Finding:
    """A finding for an operation no stage exercised (the gate's findings policy decides its weight)."""
    return Finding(
        rule=RULE,
        severity=Severity.LOW,
        message=f"no stage exercised {name}",
        location=name,
        fingerprint=hashlib.sha256(f"{RULE}:{name}".encode()).hexdigest()[:16],
    )
