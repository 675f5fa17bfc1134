"""Run the Schemathesis CLI under the harness's supervisor with structured reports, and always reap it."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

from contracts.events import Observations, fold
from contracts.settings import RunSettings
from stagekit import supervisor
from stagekit.stages import StageContext

_POLL_S = 0.25


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
        # Under the egress guard: Schemathesis reaches only the hosts the stage allows.
        sys.executable, "-m", "stagekit.guarded", "schemathesis.cli",
        "--config-file", str(files.config), "--no-color", "run", str(files.schema), "--url", base_url,
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


def run(
    ctx: StageContext,
    cmd: list[str],
    files: RunFiles,
    env: dict[str, str],
    deadline_s: float,
    cwd: Path,
    documented: Collection[str] = (),
) -> int:
    """Run ``cmd`` in ``cwd`` to completion (or cancellation/deadline); returns its exit code. The live
    figures count the ``documented`` operations called so far.

    The default `supervisor.Stop`: SIGINT first so Schemathesis flushes its reports (a partial run
    is still evidence), then SIGKILL to its group (a busy machine once took 16 s to flush).
    """
    full_env = {"HYPOTHESIS_STORAGE_DIRECTORY": str(hypothesis_cache(os.environ)), **os.environ, **env}
    watch = EventWatch(ctx, files.events, frozenset(documented))
    with supervisor.start(cmd, env=full_env, cwd=cwd, log=files.log, truncate_log=True) as child:
        supervisor.wait(child, timeout_s=deadline_s, cancel=ctx.cancel, on_tick=watch.tick, poll_s=_POLL_S)
    watch.tick()
    return child.wait()


class EventWatch:
    """Follows the event stream as Schemathesis writes it: the bar advances by the scenarios finished,
    the live figures count the documented operations called and the failed checks."""

    def __init__(self, ctx: StageContext, events: Path, documented: frozenset[str]) -> None:
        self.ctx, self.events, self.documented = ctx, events, documented
        self.offset = 0
        self.seen = Observations()

    def tick(self) -> None:
        """Fold in the lines completed since the last tick."""
        try:
            with self.events.open("rb") as stream:
                stream.seek(self.offset)
                chunk = stream.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        before = self.seen.scenarios
        for line in complete.splitlines():
            fold(line, self.seen)
        if self.seen.scenarios > before:
            self.ctx.progress.advance(self.seen.scenarios - before)
            # Not every request: the coverage phase also sends undocumented methods (unsupported_method).
            called = len(self.seen.called & self.documented)
            failed = len(self.seen.failures)
            self.ctx.progress.figures(f"operations {called} of {len(self.documented)} called, {failed} failed checks")
