"""The process exit codes of every `harness` command (documented in the README)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What a CI job learns from the harness's exit status."""

    #: Every budget met.
    OK = 0
    #: At least one budget breached.
    BREACHED = 1
    #: The run did not measure what a budget needs (stage error, failed validity check, missing metric).
    INCONCLUSIVE = 2
    #: A bug in the harness or an environment problem.
    HARNESS_ERROR = 3
    #: Bad flag, bad budget file or bad config.
    USAGE_ERROR = 4
