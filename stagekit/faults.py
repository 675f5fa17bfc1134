"""``--faults`` checked against the fault switches the target description declares, before the app starts.

Fault names are the target's knowledge: its command declares them (``faults``) or a command that
lists them (``list_faults``, one a line, name first: ``python -m target_app --list-faults``). A
misspelt switch would otherwise start the app, fail inside it, and end as an inconclusive run with
the hint buried in the target's log. A description that declares neither passes names through:
the app's own check decides.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from stagekit.description import AppCommand
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.suggest import did_you_mean

LIST_TIMEOUT_S = 10.0
"""A listing prints a few lines; one that takes longer is a broken description, not a slow app."""


def check_faults(command: AppCommand, faults: Sequence[str]) -> None:
    """Refuse ``faults`` the app cannot receive or does not have, with the nearest known switch."""
    if not faults:
        return
    require_faults_env(command, faults)
    known = command.faults or listed_faults(command)
    for name in faults if known else ():
        if name not in known:
            raise HarnessError(
                ErrorKind.USAGE,
                f"unknown fault {name!r}.{did_you_mean(name, known)}",
                tip=f"the target's fault switches: {', '.join(known)}",
            )


def require_faults_env(command: AppCommand, faults: Sequence[str]) -> None:
    """Refuse ``faults`` when the command names no variable to hand them to the app in."""
    if faults and not command.faults_env:
        raise HarnessError(
            ErrorKind.USAGE,
            f"--faults {','.join(faults)}: the target's command has no faults_env to hand them to the app",
            tip="set [tool.harness.target.command] faults_env to the variable your app reads its switches from",
        )


def listed_faults(command: AppCommand) -> tuple[str, ...]:
    """The switch names the description's ``list_faults`` command prints (empty without one)."""
    if not command.list_faults:
        return ()
    argv = [part.replace("{python}", sys.executable) for part in command.list_faults]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT_S,
            cwd=command.cwd,
            env={**os.environ, **command.env},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _broken(argv, str(exc)) from None
    if done.returncode != 0:
        raise _broken(argv, f"exit code {done.returncode}: {done.stderr.strip()[-500:]}")
    return tuple(line.split()[0] for line in done.stdout.splitlines() if line.strip())


def _broken(argv: Sequence[str], why: str) -> HarnessError:
    return HarnessError(
        ErrorKind.CONFIG,
        f"the target's list_faults command {' '.join(argv)} failed: {why}",
        tip="fix [tool.harness.target.command] list_faults (one fault a line, name first), or remove it",
    )
