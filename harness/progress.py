"""What a stage is doing right now, and the heartbeat that tells a CI log.

`StageStatus` is the live state of one stage: its step, how far along it is, and the live figures
the stage reports (`stagekit.stages.Progress.figures`). On a terminal `harness.console` draws it as
a progress bar; without one (a CI log) a `Heartbeat` prints `heartbeat_line` every few seconds, so
the log shows that the run is alive and how it is going.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from types import TracebackType


@dataclasses.dataclass
class StageStatus:
    """The current step of a stage, its progress and its live figures."""

    stage: str
    clock: Callable[[], float] = time.monotonic
    description: str = "starting"
    completed: float = 0.0
    total: float | None = None
    figures: str = ""
    started_at: float = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.started_at = self.clock()

    def start(self, description: str, total: float | None) -> None:
        """A new step: its own progress, no figures yet."""
        self.description, self.total, self.completed, self.figures = description, total, 0.0, ""

    def elapsed_s(self) -> float:
        """Seconds since the stage started."""
        return self.clock() - self.started_at


def heartbeat_line(status: StageStatus) -> str:
    """``  load 0:20 smoke profile, 20 users, 67 %: 20 users, 46 req/s, p95 12.8 ms, errors 0.0 %``."""
    seconds = int(status.elapsed_s())
    step = [status.description.removeprefix(f"{status.stage}: ")]
    if status.total:
        step.append(f"{min(100.0, 100 * status.completed / status.total):.0f} %")
    figures = f": {status.figures}" if status.figures else ""
    return f"  {status.stage} {seconds // 60}:{seconds % 60:02d} {', '.join(step)}{figures}"


class Heartbeat:
    """Calls ``emit(line())`` every ``interval_s`` seconds on its own thread, while in its ``with`` block.

    ``interval_s`` 0 turns it off. ``wait`` (default: the stop event's) sleeps for the interval and
    says whether to stop; a test passes its own to run `beat` without a thread or a real clock.
    """

    def __init__(
        self,
        line: Callable[[], str],
        emit: Callable[[str], None],
        interval_s: float,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.interval_s = interval_s
        self._line, self._emit = line, emit
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._thread = threading.Thread(target=self.beat, name="harness-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        if self.interval_s > 0:
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def beat(self) -> None:
        """One line per interval until told to stop."""
        while not self._wait(self.interval_s):
            self._emit(self._line())
