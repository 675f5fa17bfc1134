"""Profiles: shapes, rescaling, and the hold windows the users-held check relies on."""

from __future__ import annotations

import pytest

from scenarios import profiles


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
