"""The verdict where a CI system shows it: GitHub Actions' step summary and workflow annotations.

Called once at the end of ``harness run`` and ``harness gate``, after the reports are written (and the
run folder scrubbed of secrets):

- with ``GITHUB_STEP_SUMMARY`` set, ``summary.md`` is appended to that file (the job's summary page);
- on GitHub Actions (``GITHUB_ACTIONS=true``), one ``::error`` per breached or inconclusive budget and per
  error of the run, one ``::warning`` per warned budget, each at its budget's line in the budget file when
  that file is in the workspace; a blocking (``::error``) or warned (``::warning``) finding gets its own
  annotation only when it names a file of the workspace (a failed e2e test's file), since its budget's
  annotation already says what it counts. GitHub shows at most `MAX_PER_LEVEL` annotations of each level
  per step, so the last one shown says how many more there are.

Nothing here changes the exit code: a summary file that cannot be written is a warning on stderr.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from perf_budgets.findings import judge_findings
from perf_budgets.model import BudgetFile
from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from reports.markdown import FILE as SUMMARY
from reports.registry import RunView
from vocabulary import secrets
from vocabulary.records import Finding
from vocabulary.source import Source

MAX_PER_LEVEL = 10
"""GitHub keeps 10 error and 10 warning annotations per step and drops the rest."""
_BUDGET_LEVELS = {
    BudgetStatus.FAIL: ("error", "breached"),
    BudgetStatus.INCONCLUSIVE: ("error", "inconclusive"),
    BudgetStatus.WARN: ("warning", "warning"),
}
"""An inconclusive budget blocks the release (exit 2) as a breach does, so it is an error too."""


@dataclasses.dataclass(frozen=True)
class Annotation:
    """One GitHub workflow annotation (``::error file=…,line=…,title=…::message``)."""

    level: str
    title: str
    message: str
    file: str | None = None
    line: int | None = None

    def command(self) -> str:
        """The workflow command line, escaped as GitHub's toolkit escapes it."""
        props = {"file": self.file, "line": str(self.line) if self.line else None, "title": self.title}
        listed = ",".join(f"{key}={_property(value)}" for key, value in props.items() if value)
        return f"::{self.level} {listed}::{_data(secrets.redact(self.message))}"


def publish(folder: Path, budgets: BudgetFile, env: Mapping[str, str] = os.environ, out: TextIO = sys.stdout) -> None:
    """Append the summary to ``GITHUB_STEP_SUMMARY`` and print the annotations, where the environment asks."""
    summary_file = env.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        append_summary(folder / SUMMARY, Path(summary_file))
    if env.get("GITHUB_ACTIONS") == "true":
        workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
        for annotation in capped(collect(RunView.load(folder), budgets, workspace)):
            print(annotation.command(), file=out)


def append_summary(summary: Path, target: Path) -> None:
    """Append ``summary.md`` to the step summary file (other steps may have written there before)."""
    try:
        text = summary.read_text(encoding="utf-8")
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        sys.stderr.write(f"warning: the step summary was not written ({target}): {exc.strerror or exc}\n")


def collect(run: RunView, budgets: BudgetFile, workspace: Path) -> list[Annotation]:
    """Every annotation of the run, most severe first: run errors, budgets, then located findings."""
    found = [Annotation("error", f"Harness error (exit {int(e.code)})", e.message) for e in run.verdict.errors]
    lines = _budget_lines(budgets.path)
    budget_file = _in_workspace(budgets.path, workspace)
    for budget in fmt.ordered(run.verdict.budgets):
        if budget.status in _BUDGET_LEVELS:
            found.append(_budget_annotation(budget, budget_file, lines))
    found += _finding_annotations(run, budgets, workspace)
    return sorted(found, key=lambda a: a.level != "error")


def capped(found: list[Annotation]) -> Iterator[Annotation]:
    """At most `MAX_PER_LEVEL` per level; past it, the last one shown counts the rest."""
    for level in ("error", "warning"):
        of_level = [a for a in found if a.level == level]
        if len(of_level) <= MAX_PER_LEVEL:
            yield from of_level
            continue
        yield from of_level[: MAX_PER_LEVEL - 1]
        rest = len(of_level) - MAX_PER_LEVEL + 1
        yield Annotation(level, f"{rest} more {level}s", f"{rest} more; see the job summary or report.html")


def _budget_annotation(budget: BudgetResult, budget_file: str | None, lines: dict[str, int]) -> Annotation:
    level, word = _BUDGET_LEVELS[budget.status]
    line = lines.get(fmt.label_of(budget.budget)[0])
    message = budget.message.replace(" Tip: ", "\nTip: ")
    title = f"Budget {word}: {budget.budget} ({budget.stage})"
    return Annotation(level, title, message, budget_file, line if budget_file else None)


def _budget_lines(path: Path) -> dict[str, int]:
    """Each budget id's line (its ``[budgets.<id>]`` table) in the budget file."""
    source = Source.read(path)
    return {str(key[1]): line for key, line in source.lines.items() if len(key) == 2 and key[0] == "budgets"}


def _finding_annotations(run: RunView, budgets: BudgetFile, workspace: Path) -> list[Annotation]:
    """Blocking and warned findings that name a file of the workspace."""
    today = datetime.date.today()
    found = []
    for stage, result in run.results.items():
        judged = judge_findings(result, budgets.findings, budgets.known, today)
        for level, findings in (("error", judged.blocking), ("warning", judged.warning)):
            for finding in findings:
                file = _source_file(finding, workspace)
                if file:
                    title = f"{stage}: {finding.extra.get('name') or finding.rule}"
                    found.append(Annotation(level, title, finding.message, file, _line(finding)))
    return found


def _source_file(finding: Finding, workspace: Path) -> str | None:
    """The workspace file a finding names: ``extra.file``, or the file of a pytest node id (``extra.test``)."""
    for key in ("file", "test"):
        value = finding.extra.get(key)
        if isinstance(value, str) and value:
            candidate = workspace / value.split("::", 1)[0]
            if candidate.is_file():
                return _in_workspace(candidate, workspace)
    return None


def _line(finding: Finding) -> int | None:
    line = finding.extra.get("line")
    return line if isinstance(line, int) and line > 0 else None


def _in_workspace(path: Path, workspace: Path) -> str | None:
    """``path`` relative to the workspace (GitHub places annotations by repository path), else None."""
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return None


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
