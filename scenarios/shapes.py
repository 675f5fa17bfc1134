"""The one `LoadTestShape` Locust sees: it drives the swarm through the chosen profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from locust import LoadTestShape
from locust.runners import WORKER_REPORT_INTERVAL, MasterRunner

from scenarios.profiles import Profile, Stage

DRAIN_S = WORKER_REPORT_INTERVAL + 1.5
"""Distributed mode ends with this long at zero users: every worker then sends a report with
its complete tail. Locust's quit waits only 0.5 s for the workers' last reports, which a busy
worker can miss, silently dropping its final seconds."""


class ProfileShape(LoadTestShape):
    """Drives Locust through the profile chosen with ``--harness-profile``."""

    profile: Profile | None = None
    """Set by the harness plugin on init (the shape is instantiated before options are known)."""
    knee_reached: Callable[[], bool] | None = None
    """Asked at each stage boundary of a ``stop_at_knee`` profile: did the step just run break
    the knee limits? Set by the harness plugin on init."""
    stopped_at_s: float | None = None
    """When a ``stop_at_knee`` profile ended early (None while it runs or if it ran to its end)."""
    _stage_started = 0.0

    def reset_time(self) -> None:
        """A new test (the web UI can start several): forget an earlier early stop."""
        super().reset_time()  # type: ignore[no-untyped-call]
        self.stopped_at_s, self._stage_started = None, 0.0

    def _current(self, t: float) -> tuple[Stage, float] | None:
        """The stage at ``t``; None once the profile is over (or ended at its knee)."""
        if self.profile is None or self.stopped_at_s is not None:
            return None
        current = self.profile.stage_at(t)
        started = current[1] if current else self.profile.duration_s
        if self.profile.stop_at_knee and self.knee_reached and started != self._stage_started:
            self._stage_started = started
            if self.knee_reached():
                self.stopped_at_s = t
                return None
        return current

    def elapsed(self) -> float:
        """Seconds since the shape started."""
        return float(self.get_run_time())  # type: ignore[no-untyped-call]

    def tick(self) -> tuple[int, float] | tuple[int, float, list[Any] | None] | None:
        """The users and spawn rate for now, or None when the profile is over."""
        if self.profile is None:
            return None
        t = self.elapsed()
        current = self._current(t)
        if current is None:
            end = self.profile.duration_s if self.stopped_at_s is None else self.stopped_at_s
            draining = isinstance(self.runner, MasterRunner) and t < end + DRAIN_S
            return (0, 100.0) if draining else None
        stage, _ = current
        if self.profile.paced_only and self.runner is not None:
            classes = [c for c in self.runner.environment.user_classes if getattr(c, "pacing_s", None)]
            # Users without constant pacing (a ``pacing_s`` attribute) make no fixed arrival rate.
            if classes:
                return stage.users, stage.spawn_rate, classes
        return stage.users, stage.spawn_rate

    def expected_users(self) -> tuple[int, bool, float]:
        """Users the current stage asks for, whether it is a hold stage, and seconds into it."""
        t = self.elapsed()
        current = self._current(t)
        if current is None:
            return 0, False, 0.0
        stage, started = current
        return stage.users, stage.hold, t - started
