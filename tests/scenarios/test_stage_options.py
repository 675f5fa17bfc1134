"""The load stage's options: unknown or moved keys are refused with where they went."""

from __future__ import annotations

import pytest

from scenarios import stage_options
from stagekit.stage_options import regexes
from vocabulary.errors import HarnessError


@pytest.mark.parametrize(
    ("key", "tip"),
    [
        ("locustfile", "locustfiles"),
        ("password", "[tool.harness.target.auth]"),
        ("user", "known load options"),
        ("host_load_limit", "generator_loop_lag_p95_ms"),
    ],
)
def test_unknown_and_moved_options_are_refused(key: str, tip: str) -> None:
    with pytest.raises(HarnessError) as caught:
        stage_options.check({"users": 5, key: "x"})
    assert repr(key) in caught.value.message and tip in (caught.value.tip or "")


def test_patterns_and_flags_are_checked() -> None:
    stage_options.check({"include": ["^GET /books"], "exclude": "DELETE", "unsafe_methods": True})
    assert regexes("load", {"exclude": "DELETE"}, "exclude") == ("DELETE",)
    with pytest.raises(HarnessError, match="not a regular expression"):
        stage_options.check({"include": ["(unclosed"]})
    with pytest.raises(HarnessError, match="expects bool, got 'yes'"):
        stage_options.check({"unsafe_methods": "yes"})
