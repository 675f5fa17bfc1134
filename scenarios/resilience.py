"""Resilience: restart the bundled target once mid-run; the availability probe times recovery."""

from __future__ import annotations

import threading
import time

from harness.errors import HarnessError
from harness.stages import StageContext


class RestartInjector:
    """Restarts the bundled target once, ``after_s`` seconds past the warm-up (resilience profile)."""

    def __init__(self, ctx: StageContext, after_s: float | None) -> None:
        self.restart = ctx.target.restart if after_s is not None else None
        self.after_s = after_s or 0.0
        self.injected_at: float | None = None
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        """Was a restart injected (and did it come back)?"""
        return self.injected_at is not None and self.error is None

    def warm(self) -> None:
        """Called once when the warm-up ends: schedule the restart."""
        if self.restart is not None and self._thread is None:
            self._thread = threading.Thread(target=self._inject, name="restart-target", daemon=True)
            self._thread.start()

    def _inject(self) -> None:
        restart = self.restart
        if restart is None:
            return
        time.sleep(self.after_s)
        self.injected_at = time.time()
        try:
            restart()
        except HarnessError as exc:
            # Recorded, not raised: the run goes on and the outage shows in the probe figures.
            self.error = exc.message

    def join(self) -> None:
        """Wait for a restart in progress (the target must be up before the after-scrape)."""
        if self._thread is not None:
            self._thread.join()
