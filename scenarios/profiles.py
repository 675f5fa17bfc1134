"""Load profiles: the shape of each profile `vocabulary.profiles` names (pure data, no Locust).

Each profile is a list of stages (how long, how many users, how fast to spawn them). Stages
marked ``hold`` are where the users must be reached and held: the validity check
``users-held`` compares the users Locust really ran with the stage's count, second by second.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Stage:
    """Run ``users`` users for ``duration_s`` seconds, spawning at ``spawn_rate`` users/s."""

    duration_s: float
    users: int
    spawn_rate: float
    hold: bool = False


@dataclasses.dataclass(frozen=True)
class Profile:
    """A named sequence of stages, the warm-up excluded from the histograms, and the user mix."""

    name: str
    stages: tuple[Stage, ...]
    warmup_s: float
    paced_only: bool = False
    """Open-model approximation: only constant-pacing users, so the arrival rate is fixed."""
    think_scale: float = 1.0
    """Multiplies every think time and pacing interval (smoke packs a steady state into seconds)."""
    fresh_login_share: float = 1.0
    """Share of signed-in users who log in at start; the rest resume a session, as returning visitors
    do (read by Locust files that sign in, through `scenarios.options.profile_of`)."""
    stop_at_knee: bool = False
    """Stepped profiles: end after the first hold stage that breaks the knee limits."""

    @property
    def duration_s(self) -> float:
        """Total length of the profile."""
        return sum(s.duration_s for s in self.stages)

    @property
    def requested_users(self) -> int:
        """The most users any hold stage asks for."""
        return max((s.users for s in self.stages if s.hold), default=0)

    def stage_at(self, t: float) -> tuple[Stage, float] | None:
        """The stage running at ``t`` seconds and when it started; None once the profile ends."""
        start = 0.0
        for stage in self.stages:
            if t < start + stage.duration_s:
                return stage, start
            start += stage.duration_s
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written into the summary."""
        return dataclasses.asdict(self) | {"requested_users": self.requested_users}


def _steps(start: int, step: int, count: int, hold_s: float) -> tuple[Stage, ...]:
    return tuple(Stage(hold_s, start + i * step, max(step / 5, 1), hold=True) for i in range(count))


PROFILES: dict[str, Profile] = {
    # Keyed by the names of `vocabulary.profiles.PROFILES`, in its order (tests/scenarios/test_profiles.py).
    # Smoke: a pull-request check. 20 quick-clicking users for 25 s: the bundled app's per-second p95
    # settles within 2 s, so a 5 s warm-up leaves 20 s of steady state, the same measured user-seconds
    # (the websocket pings go per user and second) and requests as the 30 s with a 10 s warm-up this
    # replaced, and every load budget is judged in seconds. (30 users for 20 s measured as much in less
    # time, but slowed the app past its budgets on a CI machine busy with a second test worker.)
    "smoke": Profile("smoke", (Stage(2, 20, 20), Stage(23, 20, 20, hold=True)), warmup_s=5, think_scale=0.25),
    "load": Profile("load", (Stage(30, 100, 5), Stage(270, 100, 5, hold=True)), warmup_s=30),
    # Peak, stress and spike model a busy day: most signed-in users return with a session.
    "peak": Profile("peak", (Stage(40, 1000, 25), Stage(80, 1000, 25, hold=True)), warmup_s=45, fresh_login_share=0.1),
    "stress": Profile(
        "stress",
        (Stage(10, 50, 10), *_steps(100, 100, 15, 30)),
        warmup_s=10,
        fresh_login_share=0.1,
        stop_at_knee=True,
    ),
    "spike": Profile(
        "spike",
        (Stage(20, 20, 10, hold=True), Stage(40, 500, 250, hold=True), Stage(30, 20, 100, hold=True)),
        warmup_s=10,
        fresh_login_share=0.1,
    ),
    "soak": Profile("soak", (Stage(30, 50, 5), Stage(1770, 50, 5, hold=True)), warmup_s=30),
    # Resilience: steady load while the stage restarts the started target once (SIGKILL) and the
    # availability probe times the way back to healthy (load.recovery_s).
    "resilience": Profile("resilience", (Stage(10, 50, 10), Stage(80, 50, 10, hold=True)), warmup_s=10),
    "arrival-rate": Profile(
        "arrival-rate", (Stage(5, 50, 20), Stage(55, 50, 20, hold=True)), warmup_s=5, paced_only=True
    ),
}


def build(name: str, users: int | None = None, duration_s: float | None = None) -> Profile:
    """A profile by name, optionally rescaled to ``users`` at its peak and ``duration_s`` long."""
    try:
        base = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown load profile {name!r}; known: {', '.join(PROFILES)}") from None
    user_scale = users / base.requested_users if users else 1.0
    time_scale = duration_s / base.duration_s if duration_s else 1.0
    stages = tuple(
        Stage(
            s.duration_s * time_scale,
            max(1, round(s.users * user_scale)),
            max(1.0, s.spawn_rate * user_scale),
            s.hold,
        )
        for s in base.stages
    )
    # A short run still needs its warm-up (connections, logins, cold caches): keep at least 30 %
    # of it, never more than the profile's own.
    warmup = min(base.warmup_s, max(base.warmup_s * time_scale, 0.3 * base.duration_s * time_scale))
    return dataclasses.replace(base, stages=stages, warmup_s=warmup)
