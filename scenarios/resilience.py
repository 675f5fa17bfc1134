"""Resilience: kill the target the harness started once under steady load, let its supervisor restart
it, and measure the way back: seconds from the kill to ready again, and the requests that failed meanwhile.

The supervisor is `stagekit.target.AppProcess.restart` (SIGKILL to the app's process group, start
again on the same port, wait for the description's ``ready_path``), handed to stages as
``ctx.target.restart``; an app the harness did not start has none, and the recovery figures do not apply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from stagekit.stages import StageContext
from vocabulary.errors import HarnessError

RESTART_AFTER_WARMUP_S = 20.0


def restart_after_s(options: Any, duration_s: float, warmup_s: float) -> float:
    """Option ``restart_after_s``, else 20 s into the measured window (a third of it if shorter)."""
    if options.get("restart_after_s") is not None:
        return float(options["restart_after_s"])
    return min(RESTART_AFTER_WARMUP_S, (duration_s - warmup_s) / 3)


class RestartInjector:
    """Restarts the started target once, ``after_s`` seconds past the warm-up (resilience profile)."""

    def __init__(
        self, ctx: StageContext, after_s: float | None, before_kill: Callable[[], None] = lambda: None
    ) -> None:
        self.before_kill = before_kill
        self.restart = ctx.target.restart if after_s is not None else None
        self.after_s = after_s or 0.0
        self.injected_at: float | None = None
        self.recovered_at: float | None = None
        self.error: str | None = None
        self._cancel = ctx.cancel
        self._over = threading.Event()
        self._thread: threading.Thread | None = None

    def warm(self) -> None:
        """Called once when the warm-up ends: schedule the restart."""
        if self.restart is not None and self._thread is None:
            self._thread = threading.Thread(target=self._inject, name="restart-target", daemon=True)
            self._thread.start()

    def _inject(self) -> None:
        restart = self.restart
        if restart is None:
            return
        if self._over.wait(self.after_s) or self._cancel.is_set():
            return  # the run ended (or was cancelled) first: no restart after the load stopped
        self.before_kill()
        self.injected_at = time.time()
        try:
            restart()  # returns once the ready path answers again
        except HarnessError as exc:
            # Recorded, not raised: the run goes on and the outage shows in the probe figures.
            self.error = exc.message
            return
        self.recovered_at = time.time()

    def join(self) -> None:
        """The run is over: drop a pending restart, wait for one in progress (the after-scrape needs the target)."""
        self._over.set()
        if self._thread is not None:
            self._thread.join()

    def metrics(self, summary: dict[str, Any]) -> dict[str, float]:
        """``load.recovery_s`` (kill to healthy) and ``load.recovery.errors`` (failed requests meanwhile)."""
        if self.injected_at is None or self.recovered_at is None:
            return {}
        started = int(summary["started_at"])
        first, last = int(self.injected_at) - started, int(self.recovered_at) - started
        errors = sum(row["failures"] for row in summary["series"] if first <= row["t"] <= last + 1)
        return {"load.recovery_s": self.recovered_at - self.injected_at, "load.recovery.errors": float(errors)}

    def details(self) -> dict[str, Any]:
        """When the kill and the recovery happened (wall-clock seconds), or why it failed."""
        return {"injected_at": self.injected_at, "recovered_at": self.recovered_at, "error": self.error}
