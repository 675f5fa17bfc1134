"""The coverage stage: not a runner like the others but a session around them.

It must see the whole run: it writes the target's coverage rc file before the target starts,
scrapes the target's request counts around every stage, and only after the target was stopped
(so every process saved its data) combines the data and writes ``coverage.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import coverage

from harness import api_operations as ops
from harness import code_coverage
from harness.config import Settings
from harness.description import AppCommand
from harness.errors import HarnessError
from harness.records import Finding, Severity, StageResult, Status, ValidityCheck
from harness.rundir import RunDir

STAGE = "coverage"
RULE = "operation-not-exercised"
LINE_METRICS = ("coverage.line_ratio", "coverage.branch_ratio")
OPERATION_METRICS = ("coverage.api_operations*",)


def enabled(settings: Settings) -> bool:
    """The coverage stage runs with ``--coverage`` or when ``coverage`` is among the stages."""
    return settings.coverage or STAGE in settings.stages


def stage_metric(stage: str) -> str:
    """``coverage.api_operations["load"].ratio``: the share of operations one stage exercised."""
    return f'coverage.api_operations["{stage}"].ratio'


class CoverageSession:
    """Everything the coverage stage gathers while the other stages run."""

    def __init__(self, run: RunDir, settings: Settings) -> None:
        self.run = run
        self.settings = settings
        self.options: Mapping[str, Any] = settings.stage_options.get(STAGE, {})
        self.folder = run.artifacts(STAGE)
        self.rcfile: Path | None = None
        self.target_url = settings.target_url or ""
        self.operations: dict[str, str] = {}
        self.seen: dict[str, set[str]] = {}
        self.problems: list[str] = []
        self.source: tuple[str, ...] = tuple(self.options.get("source", ()))
        self.digests: dict[str, str] = {}
        self._before: ops.Counts | None = None

    def rcfile_for_started(self, command: AppCommand) -> Path:
        """Write the rc file the started app runs under, and fingerprint the code it measures."""
        self.source = tuple(self.options.get("source", command.coverage_source))
        self.rcfile = code_coverage.write_rcfile(self.folder, self.source)
        self.digests = code_coverage.source_digests(self.source)
        return self.rcfile

    def attach(self, target_url: str, openapi: str | None) -> None:
        """Read the operations now: the target (and its OpenAPI URL) is gone when `result` runs."""
        self.target_url = target_url
        if openapi is None:
            self.problems.append("the target has no OpenAPI document")
            return
        try:
            self.operations = ops.load_operations(openapi)
        except HarnessError as exc:
            self.problems.append(exc.message)

    def before(self, stage: str) -> None:
        """Scrape the request counts before ``stage`` (never fails the stage)."""
        self._before = ops.scrape(self.target_url) if self.target_url else None

    def after(self, stage: str, result: StageResult) -> None:
        """Attribute the requests seen since `before` to ``stage``; else its published operations."""
        now = ops.scrape(self.target_url) if self.target_url else None
        if self._before is not None and now is not None:
            self.seen[stage] = ops.exercised(self._before, now)
        elif isinstance(result.details.get("operations"), list):
            self.seen[stage] = ops.from_details(result.details["operations"])
        else:
            self.problems.append(
                f"the {stage} stage's operations are unknown: the target's /metrics has no "
                f"{ops.REQUEST_COUNT} counts and the stage published no details['operations']"
            )

    def result(self, *, complete: bool) -> StageResult:
        """Combine the coverage data (the target is stopped by now) and build ``coverage.json``."""
        result = StageResult(STAGE, Status.PASSED, target_url=self.target_url, profile=self.settings.profile)
        result.tool_versions["coverage"] = coverage.__version__
        self._code(result)
        self._operations(result)
        if not complete:
            result.status = Status.INCOMPLETE
            result.error = "the run was interrupted: coverage covers only what ran before it"
        return result.finish()

    def _code(self, result: StageResult) -> None:
        """Line and branch coverage: from the combined data, or from a report file."""
        report = self.options.get("report")
        try:
            if self.rcfile is not None:
                summary = code_coverage.combine_and_measure(self.folder, self.rcfile)
                result.artifacts["report"] = f"{STAGE}/{code_coverage.JSON_REPORT}"
            elif report:
                summary = code_coverage.read_report(Path(str(report)))
            else:
                why = "the target was not run under coverage (--coverage) and no [tool.harness.coverage] report"
                result.validity.append(ValidityCheck("code-coverage-measured", False, why, LINE_METRICS))
                return
        except HarnessError as exc:
            result.validity.append(ValidityCheck("code-coverage-measured", False, exc.message, LINE_METRICS))
            return
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
        ok = bool(self.operations) and bool(self.seen) and not self.problems
        detail = "; ".join(self.problems) or f"{len(self.operations)} operations x {len(self.seen)} stages"
        if not self.seen:
            detail = "; ".join([*self.problems, "no stage ran against the target"])
        result.validity.append(ValidityCheck("api-operations-attributed", ok, detail, OPERATION_METRICS))
        if not self.operations:
            return
        matrix = ops.OperationMatrix.build(self.operations, self.seen)
        for stage in matrix.by_stage:
            result.metrics[stage_metric(stage)] = matrix.stage_ratio(stage)
        if ok:
            result.metrics["coverage.api_operations_ratio"] = matrix.ratio()
        uncovered = matrix.uncovered()
        result.details.update(operations_matrix=matrix.table(), uncovered_operations=uncovered)
        result.findings.extend(_not_exercised(name) for name in uncovered)


def _not_exercised(name: str) -> Finding:
    """A finding for an operation no stage exercised (the gate's findings policy decides its weight)."""
    return Finding(
        rule=RULE,
        severity=Severity.LOW,
        message=f"no stage exercised {name}",
        location=name,
        fingerprint=hashlib.sha256(f"{RULE}:{name}".encode()).hexdigest()[:16],
    )
