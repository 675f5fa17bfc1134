"""Run the Schemathesis CLI in its own session with structured reports, and always reap it."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from contracts.settings import RunSettings
from harness.stages import StageContext

_POLL_S = 0.25
_KILL_GRACE_S = 5.0
_EXIT_GRACE_S = 30.0
"""Past ``--max-time`` Schemathesis still finishes the scenario at hand and writes its reports."""


@dataclasses.dataclass(frozen=True)
class RunFiles:
    """Where one run's inputs and Schemathesis's raw reports live."""

    folder: Path

    @property
    def schema(self) -> Path:
        """The OpenAPI document exactly as tested."""
        return self.folder / "openapi.json"

    @property
    def config(self) -> Path:
        """The config Schemathesis reads: the user's file plus the harness's defaults (secrets as ``${VAR}``)."""
        return self.folder / "schemathesis.toml"

    @property
    def events(self) -> Path:
        """Schemathesis's NDJSON event stream: every case, check and request."""
        return self.folder / "schemathesis-events.ndjson"

    @property
    def summary(self) -> Path:
        """Schemathesis's JSON run report: operation counts, errors, stop reason."""
        return self.folder / "schemathesis-report.json"

    @property
    def log(self) -> Path:
        """The CLI's own terminal output, for humans."""
        return self.folder / "schemathesis.log"


def command(files: RunFiles, base_url: str, settings: RunSettings) -> list[str]:
    """The ``schemathesis run`` command line: only what no config may change (no secrets, no settings).

    Everything else is in ``files.config``, where the user's own settings outrank the harness's.
    """
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(files.config), "--no-color",
        "run", str(files.schema), "--url", base_url,
        "--report", "ndjson,json",
        "--report-ndjson-path", str(files.events), "--report-json-path", str(files.summary),
    ]  # fmt: skip
    if settings.include:
        cmd += ["--include-name-regex", _any_of(settings.include)]
    if settings.exclude:
        cmd += ["--exclude-name-regex", _any_of(settings.exclude)]
    return cmd


def _any_of(patterns: tuple[str, ...]) -> str:
    """One regex matching any of ``patterns`` (the CLI takes a single regex per filter)."""
    return "|".join(f"(?:{p})" for p in patterns)


def hypothesis_cache(environ: Mapping[str, str]) -> Path:
    """Hypothesis's Unicode tables take ~20 s to build on a busy machine: keep them across runs.

    Only those tables live there: the example database is off (``generation.database = "none"``
    in the config, unless the user's file says otherwise) so a run never depends on a previous one.
    """
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "release-harness" / "hypothesis"


def run(ctx: StageContext, cmd: list[str], files: RunFiles, env: dict[str, str], deadline_s: float, cwd: Path) -> int:
    """Run ``cmd`` in ``cwd`` to completion (or cancellation/deadline); returns its exit code."""
    full_env = {"HYPOTHESIS_STORAGE_DIRECTORY": str(hypothesis_cache(os.environ)), **os.environ, **env}
    with files.log.open("wb") as log:
        process = subprocess.Popen(
            cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=full_env, start_new_session=True
        )
        try:
            return _wait(ctx, process, files, deadline_s)
        finally:
            _reap(process)


def _wait(ctx: StageContext, process: subprocess.Popen[bytes], files: RunFiles, deadline_s: float) -> int:
    deadline = time.monotonic() + deadline_s
    offset = 0
    while process.poll() is None:
        if ctx.cancel.is_set() or time.monotonic() > deadline:
            _stop(process)
            break
        time.sleep(_POLL_S)
        offset = _report_progress(ctx, files.events, offset)
    _report_progress(ctx, files.events, offset)
    if process.poll() is None:
        # SIGINT's grace ran out (a busy machine once took 16 s to flush): stop waiting now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return process.wait()


_SCENARIO = re.compile(rb'^\{"(?:Fuzz)?ScenarioFinished"', re.MULTILINE)


def _report_progress(ctx: StageContext, events: Path, offset: int) -> int:
    """Advance the progress bar by the scenarios finished since ``offset``; returns the new offset."""
    try:
        with events.open("rb") as stream:
            stream.seek(offset)
            chunk = stream.read()
    except OSError:
        return offset
    complete = chunk[: chunk.rfind(b"\n") + 1]
    done = len(_SCENARIO.findall(complete))
    if done:
        ctx.progress.advance(done)
    return offset + len(complete)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT first so Schemathesis flushes its reports (a partial run is still evidence)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=_KILL_GRACE_S)


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Kill the whole process group, whatever state it is in: no orphan outlives the stage."""
    if process.poll() is None:
        _stop(process)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
