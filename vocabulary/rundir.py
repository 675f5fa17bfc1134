"""The run directory: one folder per run, its stage results and artifacts, and a `latest` pointer."""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from vocabulary import atomic, schema, secrets
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult

RUN_META = "run.json"
VERDICT = "verdict.json"
REGATE_META = "regate.json"
"""In a re-gate folder: the run it judged (``run``, relative to the folder) and the gate's inputs."""
RUN_FILES = (RUN_META, VERDICT, REGATE_META)
"""The JSON files of a run folder that are not stage results (every other ``<name>.json`` is one)."""
LATEST = "latest"
_MIN_FREE_BYTES = 50 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class RunDir:
    """A run's folder: ``<out>/<timestamp>-<profile>/``."""

    path: Path

    @classmethod
    def create(cls, out: Path, profile: str) -> RunDir:
        """Make a new, uniquely named run folder under ``out`` and point ``latest`` at it."""
        check_writable(out)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = out / f"{stamp}-{profile}"
        suffix = 1
        while path.exists():
            suffix += 1
            path = out / f"{stamp}-{profile}-{suffix}"
        path.mkdir(parents=True)
        _point_latest(out, path)
        return cls(path)

    @classmethod
    def open(cls, path: Path) -> RunDir:
        """An existing run folder, e.g. for `harness gate RUN_DIR`; a re-gate folder opens the run it judged."""
        source = regated_run(path)
        if source is not None:
            path = source
        if not (path / RUN_META).is_file() and not any(path.glob("*.json")):
            raise HarnessError(
                ErrorKind.USAGE,
                f"{path} is not a run directory (no {RUN_META} and no stage results)",
                tip="pass a folder made by `harness run`, e.g. harness-runs/latest",
            )
        return cls(path.resolve())

    def artifacts(self, stage: str) -> Path:
        """The folder for a stage's raw artifacts (created on first use)."""
        folder = self.path / stage
        folder.mkdir(exist_ok=True)
        return folder

    def write_result(self, result: StageResult) -> Path:
        """Validate and atomically write ``<stage>.json``, secrets redacted (every stage writes through here)."""
        data = secrets.redact_obj(result.to_dict())
        schema.validate_stage_result(data)
        target = self.path / f"{result.stage}.json"
        atomic.write_json(target, data)
        return target

    def stages(self) -> list[str]:
        """The stages whose results the folder holds: in run.json's order (the run's own), then the rest by name.

        Whatever stages ran, plugins included: the folder, not a list of known stages, says which.
        """
        present = sorted(file.stem for file in self.path.glob("*.json") if file.name not in RUN_FILES)
        recorded = [str(stage) for stage in self.meta().get("stages", ()) if stage in present]
        return list(dict.fromkeys([*recorded, *present]))

    def results(self) -> dict[str, StageResult]:
        """Every stage result in the folder, validated, keyed by stage name, in `stages` order."""
        found: dict[str, StageResult] = {}
        for stage in self.stages():
            file = self.path / f"{stage}.json"
            data = read_input(file)
            try:
                schema.validate_stage_result(data)
            except jsonschema.ValidationError as exc:
                raise HarnessError(
                    ErrorKind.USAGE,
                    f"{file} is not a valid stage result: {exc.message} at {exc.json_path}",
                ) from exc
            found[stage] = StageResult.from_dict(data)
        return found

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Atomically (re)write ``run.json``: target, profile, stages, times, completeness."""
        atomic.write_json(self.path / RUN_META, secrets.redact_obj(meta))

    def meta(self) -> dict[str, Any]:
        """The run's metadata, or an empty dict for a folder without it."""
        file = self.path / RUN_META
        data = read_input(file) if file.is_file() else {}
        if not isinstance(data, dict):
            raise _damaged(file, "not a JSON object")
        return data


def read_input(file: Path) -> Any:
    """A JSON file of a saved run; a truncated, invalid or unreadable one is a usage error naming it."""
    try:
        return atomic.read_json(file)
    except UnicodeDecodeError as exc:
        raise _damaged(file, f"not UTF-8 text (byte {exc.start})") from exc
    except ValueError as exc:  # json.JSONDecodeError: a truncated or hand-edited file
        raise _damaged(file, f"not valid JSON ({exc})") from exc
    except OSError as exc:
        raise _damaged(file, f"cannot be read ({exc.strerror or exc})") from exc


def _damaged(file: Path, problem: str) -> HarnessError:
    return HarnessError(
        ErrorKind.USAGE,
        f"{file} is damaged: {problem}",
        tip="the run folder was cut short or edited; run the stages again, or restore the file",
    )


def regated_run(path: Path) -> Path | None:
    """The run a re-gate folder judged (from its ``regate.json``); None for any other folder."""
    file = path / REGATE_META
    if not file.is_file():
        return None
    data = read_input(file)
    if not isinstance(data, dict) or not isinstance(data.get("run"), str):
        raise _damaged(file, "no 'run' entry naming the run it re-gated")
    return (path / str(data["run"])).resolve()


def check_writable(out: Path) -> None:
    """Fail before any stage runs if the output folder cannot take a run."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise HarnessError(
            ErrorKind.OUTPUT,
            f"output folder {out} is not writable: {exc.strerror or exc}",
            tip="choose another folder with --out or HARNESS_OUT",
        ) from exc
    free = shutil.disk_usage(out).free
    if free < _MIN_FREE_BYTES:
        raise HarnessError(
            ErrorKind.OUTPUT,
            f"output folder {out} has only {free // (1024 * 1024)} MB free (need 50 MB)",
            tip="free some space or choose another folder with --out",
        )


def _point_latest(out: Path, run: Path) -> None:
    """Make ``<out>/latest`` a relative symlink to ``run`` (replaced atomically)."""
    link = out / LATEST
    tmp = out / f".{LATEST}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(run.name, tmp)
    os.replace(tmp, link)
