"""The one `LoadTestShape` Locust sees: it drives the swarm through the chosen profile."""

from __future__ import annotations

from typing import Any

from locust import LoadTestShape
from locust.runners import WORKER_REPORT_INTERVAL, MasterRunner

from scenarios.profiles import Profile

DRAIN_S = WORKER_REPORT_INTERVAL + 1.5
"""Distributed mode ends with this long at zero users: every worker then sends a report with
its complete tail. Locust's quit waits only 0.5 s for the workers' last reports, which a busy
worker can miss, silently dropping its final seconds."""


class ProfileShape(LoadTestShape):
    """Drives Locust through the profile chosen with ``--harness-profile``."""

    profile: Profile | None = None
    """Set by the locustfile on init (the shape is instantiated before options are known)."""

    def elapsed(self) -> float:
        """Seconds since the shape started."""
        return float(self.get_run_time())  # type: ignore[no-untyped-call]

    def tick(self) -> tuple[int, float] | tuple[int, float, list[Any] | None] | None:
        """The users and spawn rate for now, or None when the profile is over."""
        if self.profile is None:
            return None
        t = self.elapsed()
        current = self.profile.stage_at(t)
        if current is None:
            draining = isinstance(self.runner, MasterRunner) and t < self.profile.duration_s + DRAIN_S
            return (0, 100.0) if draining else None
        stage, _ = current
        if self.profile.paced_only and self.runner is not None:
            classes = [c for c in self.runner.environment.user_classes if getattr(c, "pacing_s", None)]
            return stage.users, stage.spawn_rate, classes
        return stage.users, stage.spawn_rate

    def expected_users(self) -> tuple[int, bool, float]:
        """Users the current stage asks for, whether it is a hold stage, and seconds into it."""
        if self.profile is None:
            return 0, False, 0.0
        t = self.elapsed()
        current = self.profile.stage_at(t)
        if current is None:
            return 0, False, 0.0
        stage, started = current
        return stage.users, stage.hold, t - started
