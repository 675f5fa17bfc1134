"""Typed errors with a kind; the CLI renders them once, at its boundary."""

from __future__ import annotations

import enum

from vocabulary.exit_codes import ExitCode


class ErrorKind(enum.Enum):
    """What went wrong, which decides the exit code and the suggestion shown."""

    CONFIG = "config"
    BUDGETS = "budgets"
    USAGE = "usage"
    REMOTE_REFUSED = "remote-refused"
    TARGET_UNREACHABLE = "target-unreachable"
    TARGET_START = "target-start"
    OUTPUT = "output"
    BROWSER_MISSING = "browser-missing"
    STAGE = "stage"
    INTERNAL = "internal"


_EXIT_CODES = {
    ErrorKind.CONFIG: ExitCode.USAGE_ERROR,
    ErrorKind.BUDGETS: ExitCode.USAGE_ERROR,
    ErrorKind.USAGE: ExitCode.USAGE_ERROR,
    ErrorKind.REMOTE_REFUSED: ExitCode.USAGE_ERROR,
    ErrorKind.TARGET_UNREACHABLE: ExitCode.INCONCLUSIVE,
    ErrorKind.TARGET_START: ExitCode.INCONCLUSIVE,
    ErrorKind.OUTPUT: ExitCode.HARNESS_ERROR,
    ErrorKind.BROWSER_MISSING: ExitCode.HARNESS_ERROR,
    ErrorKind.STAGE: ExitCode.INCONCLUSIVE,
    ErrorKind.INTERNAL: ExitCode.HARNESS_ERROR,
}


class HarnessError(Exception):
    """An error the user can act on: a kind, a message and an optional tip."""

    def __init__(self, kind: ErrorKind, message: str, tip: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.tip = tip

    @property
    def exit_code(self) -> ExitCode:
        """The process exit code this error ends a command with."""
        return _EXIT_CODES[self.kind]

    def render(self) -> str:
        """The text shown to the user: the message, then the tip on its own line."""
        lines = [f"error: {self.message}"]
        if self.tip:
            lines.append(f"tip: {self.tip}")
        return "\n".join(lines)
