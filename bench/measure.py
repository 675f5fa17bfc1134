"""What every bench row shares: the row record, and one timed child process.

A child runs under `stagekit.supervisor` (its own session, killed with its whole tree when the
measurement ends or overruns its deadline). While it runs, its peak resident memory is read from
``/proc/<pid>/status`` (``VmHWM``, the kernel's high-water mark, so a short peak is not missed
between two polls) and, if asked, the moment a file appears (e.g. ``verdict.json``).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stagekit import supervisor

ROOT = Path(__file__).resolve().parent.parent
POLL_S = 0.005


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the bench table; ``measured`` None means not measured (``detail`` says why)."""

    figure: str
    measured: float | None
    goal: str
    met: bool
    detail: str = ""
    reference: float | None = None
    """The same figure for a reference measured in the same run (None: the goal is absolute)."""
    ratio: float | None = None
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to ``bench.json``."""
        return dataclasses.asdict(self)


def not_measured(figure: str, goal: str, why: str) -> Row:
    """A row that was not measured: never a pass."""
    return Row(figure, None, goal, False, f"not measured: {why}")


@dataclasses.dataclass(frozen=True)
class Timing:
    """How one child run went."""

    wall_s: float
    returncode: int | None
    """None when it overran its deadline and was killed."""
    peak_mb: float
    appeared_s: float | None = None
    """When the watched file appeared (None: it never did)."""


def load() -> str:
    """The machine's load averages (1, 5, 15 min): a loaded machine can hide a met goal."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def child_env() -> dict[str, str]:
    """This environment with bytecode caching on: an installed harness has its bytecode compiled (the nox
    sessions install with it), so a run that recompiled every module (pandas alone takes seconds) would
    time the compiler, not the harness. No PYTHONPYCACHEPREFIX: Python would then look for bytecode
    only under the prefix and compile every installed package again."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    timeout_s: float,
    watch: Path | None = None,
    cwd: Path = ROOT,
) -> Timing:
    """Run ``argv`` to its end (killed after ``timeout_s``), output appended to ``log``."""
    peak = _Peak()
    start = time.monotonic()
    appeared: float | None = None
    child = supervisor.start(argv, env=env, cwd=cwd, log=log)
    try:
        while child.poll() is None and time.monotonic() - start < timeout_s:
            peak.read(child.pid)
            if appeared is None and watch is not None and watch.exists():
                appeared = time.monotonic() - start
            time.sleep(POLL_S)
        wall = time.monotonic() - start
    finally:
        returncode = child.stop()
    if appeared is None and watch is not None and watch.exists():
        appeared = wall
    return Timing(wall, returncode if wall < timeout_s else None, peak.mb, appeared)


class CpuTimeline:
    """The machine's busy and stolen core-seconds over wall-clock time, read from ``/proc/stat`` twice a
    second on a thread while a run goes on (``with CpuTimeline() as cpu: ...``; then `busy_between`)."""

    _EVERY_S = 0.5

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self._samples: list[tuple[float, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-cpu", daemon=True)

    def __enter__(self) -> CpuTimeline:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def busy_between(self, start: float, end: float) -> float:
        """Core-seconds this machine's processes ran from ``start`` to ``end`` (``time.time()`` stamps)."""
        return self._between(start, end, 1)

    def stolen_between(self, start: float, end: float) -> float:
        """Core-seconds the hypervisor gave to other machines while this one wanted them (steal)."""
        return self._between(start, end, 2)

    def _between(self, start: float, end: float, field: int) -> float:
        inside = [sample[field] for sample in self._samples if start <= sample[0] <= end]
        return inside[-1] - inside[0] if len(inside) > 1 else 0.0

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        while not self._stop.is_set():
            # cpu user nice system idle iowait irq softirq steal: busy is user to softirq, bar idle and iowait.
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            busy = sum(fields[:7]) - fields[3] - fields[4]
            self._samples.append((time.time(), busy / ticks, fields[7] / ticks))
            self._stop.wait(self._EVERY_S)


class _Peak:
    """The highest ``VmHWM`` read so far, in MB."""

    def __init__(self) -> None:
        self.mb = 0.0

    def read(self, pid: int) -> None:
        try:
            text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        except OSError:  # exited between the poll and the read
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                self.mb = max(self.mb, int(line.split()[1]) / 1024)
                return
