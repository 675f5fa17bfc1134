"""The stage's observer of e2e workflow steps (`STEP_OBSERVER`), and reading what it wrote in this run.

The stage registry hands `STEP_OBSERVER` to the e2e stage, which loads the plugin
(`accessibility.steps`) into its test run and lists the audits' folder as its ``a11y_steps``
artifact: the two stages share the run folder and that name, never an import. When e2e did
not run in this run, or ran without step audits, there is nothing to read and the stage says
why in a note.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from accessibility.results import AuditRecord
from stagekit.step_observers import StepObserver
from vocabulary import atomic

STEP_OBSERVER = StepObserver(plugin="accessibility.steps", option="--a11y-steps", folder="a11y", artifact="a11y_steps")
"""Audit the open tabs with axe after each step: ``e2e/a11y/<workflow>/<nn>-<step>.json``, artifact ``a11y_steps``."""
E2E_RESULT = "e2e.json"
_EMPTY: dict[str, Any] = {"violations": [], "incomplete": [], "passes": []}
"""The axe groups of a step audit that holds no results (a repeat or a failure)."""


@dataclasses.dataclass(frozen=True)
class StepFile:
    """One step audit: its results, the earlier audit of the same state, or why it failed."""

    file: Path
    record: AuditRecord
    same_as: str | None = None
    """The run-relative name of the earlier step audit this state repeats (its findings count once)."""
    error: str | None = None


def steps_folder(run_dir: Path) -> tuple[Path | None, str | None]:
    """The folder of step audits from this run's e2e stage, or None and a note saying why not."""
    e2e_file = run_dir / E2E_RESULT
    if not e2e_file.is_file():
        return None, "the e2e stage did not run in this run: workflow steps were not audited"
    artifacts: dict[str, str] = atomic.read_json(e2e_file).get("artifacts", {})
    folder = artifacts.get(STEP_OBSERVER.artifact)
    if folder is None or not (run_dir / folder).is_dir():
        return None, "the e2e stage ran without step audits (e2e option a11y_steps): workflow steps were not audited"
    return run_dir / folder, None


def read_steps(folder: Path) -> Iterator[StepFile]:
    """Every step audit under ``folder``, in workflow and step order."""
    for file in sorted(folder.glob("*/*.json")):
        body: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
        axe = body.get("axe", _EMPTY)
        record = AuditRecord(name=body["name"], kind="step", url=body["url"], status=None, axe=axe)
        same_as = _name_of(folder, body["same_as"]) if "same_as" in body else None
        yield StepFile(file, record, same_as, body.get("error"))


def _name_of(folder: Path, relative: str) -> str:
    """The step name recorded in an earlier step audit's file."""
    body: dict[str, Any] = json.loads((folder / relative).read_text(encoding="utf-8"))
    return str(body["name"])
