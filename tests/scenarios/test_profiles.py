"""Profiles: shapes, rescaling, and the hold windows the users-held check relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import profiles
from vocabulary.profiles import PROFILES


def test_every_profile_name_has_one_shape() -> None:
    # The names are declared once (the CLI and the budget file accept them); each needs its shape here.
    assert tuple(profiles.PROFILES) == PROFILES
    assert all(shape.name == name for name, shape in profiles.PROFILES.items())


def test_peak_holds_a_thousand_users_for_a_minute() -> None:
    peak = profiles.build("peak")
    held = [s for s in peak.stages if s.hold]
    assert peak.requested_users >= 1000
    assert sum(s.duration_s for s in held) >= 60


def test_rescaling_keeps_the_shape() -> None:
    smoke = profiles.build("smoke", users=20, duration_s=7.5)
    assert smoke.duration_s == pytest.approx(7.5)
    assert smoke.requested_users == 20
    assert 0 < smoke.warmup_s < smoke.duration_s


def test_stage_at_walks_the_stages_then_ends() -> None:
    spike = profiles.build("spike")
    assert spike.stage_at(0)[0].users == 20  # type: ignore[index]
    assert spike.stage_at(25)[0].users == 500  # type: ignore[index]
    assert spike.stage_at(spike.duration_s) is None


def test_stress_steps_up() -> None:
    users = [s.users for s in profiles.build("stress").stages if s.hold]
    assert users == sorted(users) and len(set(users)) == len(users)


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="smoke"):
        profiles.build("smok")


STRESS_SHAPE_SCRIPT = """
import json
from scenarios import profiles
from scenarios.shapes import ProfileShape

shape = ProfileShape()
shape.profile = profiles.build("stress")
verdicts = iter([False, False, True])  # the warm-up and the 100-user step pass, 200 users is past the knee
asked = []
now = [0.0]
shape.elapsed = lambda: now[0]
def knee_reached():
    asked.append(now[0])
    return next(verdicts)
shape.knee_reached = knee_reached
ticks = []
for t in range(0, 200):
    now[0] = float(t)
    ticks.append(shape.tick())
print(json.dumps({"asked": asked, "ticks": ticks, "stopped_at_s": shape.stopped_at_s}))
"""


def test_stress_ends_after_the_first_step_past_the_knee() -> None:
    """The real shape (in a subprocess: Locust monkey-patches whatever imports it)."""
    out = subprocess.run(
        [sys.executable, "-c", STRESS_SHAPE_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    seen = json.loads(out.stdout.splitlines()[-1])
    # Asked once per stage boundary: 10 s (warm-up over), 40 s (100 users done), 70 s (200 done).
    assert seen["asked"] == [10.0, 40.0, 70.0]
    assert seen["stopped_at_s"] == 70.0
    assert seen["ticks"][69] == [200, 20.0]
    assert all(tick is None for tick in seen["ticks"][70:])  # the 300-user step never starts
