""" "Did you mean ...?" suggestions for misspelt keys, stage names and profiles."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest choice, or an empty string when none is close."""
    match = closest(word, choices)
    return f" Did you mean {match!r}?" if match is not None else ""


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``, or None when none is close; among the close ones, the same
    characters in another order first (``p59`` is a slip for ``p95`` rather than for ``p99``)."""
    matches = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    swapped = [match for match in matches if sorted(match) == sorted(word)]
    return next(iter(swapped or matches), None)
