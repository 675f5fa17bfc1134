"""The lifeline: kills a supervised child's whole process tree when its pipe closes, even after ``kill -9``.

    python -I -S lifeline.py FD PID

`stagekit.supervisor` starts one per child, in a session of its own (a signal to the harness's
process group cannot reach it), with the read end ``FD`` of a pipe whose write end only the
harness holds, and never writes to. The pipe closes when the supervisor ends the child
(`Child.kill`) or when the harness dies, however it dies. Then the lifeline kills the child's
session, every descendant of it, and every session such a descendant opened (Playwright starts
Chromium in one of its own), and exits. Nothing here imports the project, so it runs by path
wherever the harness is installed, and nothing depends on which thread of the harness started
the child (unlike ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time

_PROC = "/proc"
_ROUNDS = 20
_WATCH_S = 0.5
"""How often the tree is scanned while the child runs: a session it opens is remembered even if
the process that opened it is re-parented to init before the end (Chromium when its driver died)."""
"""Scans at most, first to freeze the tree (a frozen process cannot fork), then for stragglers."""


def main(argv: list[str]) -> int:
    """Wait for the pipe to close, noting the sessions the tree opens meanwhile; then kill the tree."""
    fd, root = int(argv[1]), int(argv[2])
    sessions = {root}
    while _open(fd):
        tree(root, sessions, processes())
    kill_tree(root, sessions)
    return 0


def _open(fd: int) -> bool:
    """Is the pipe still open after up to `_WATCH_S`?"""
    try:
        ready, _, _ = select.select([fd], [], [], _WATCH_S)
        return not ready or bool(os.read(fd, 64))
    except OSError:
        return False


def kill_tree(root: int, sessions: set[int]) -> None:
    """Freeze ``root``'s tree (SIGSTOP, so nothing is re-parented or forked unseen), then SIGKILL it.

    ``sessions``: those seen in the tree earlier, whose members may have been re-parented since.
    """
    frozen: set[int] = set()
    for _ in range(_ROUNDS):
        found = tree(root, sessions, processes()) - frozen
        if not found:
            break
        _send(found, signal.SIGSTOP)
        frozen |= found
    _send(frozen, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(root, signal.SIGKILL)  # all there is without /proc
    for _ in range(_ROUNDS):
        left = tree(root, sessions, processes())
        if not left:
            return
        _send(left, signal.SIGKILL)
        time.sleep(0.05)


def tree(root: int, sessions: set[int], table: dict[int, tuple[int, int]]) -> set[int]:
    """The live processes of ``sessions`` (grown in place), ``root``, and their descendants.

    ``table`` maps pid -> (parent pid, session id). Sessions are followed as well as parents, so
    members re-parented to init when their parent died are still found.
    """
    spared = {0, 1, os.getsid(0)}
    found: set[int] = set()
    grew = True
    while grew:
        grew = False
        for pid, (ppid, sid) in table.items():
            if pid not in found and sid not in spared and (sid in sessions or ppid in found or pid == root):
                found.add(pid)
                sessions.add(sid)
                grew = True
    return found - {os.getpid()}


def processes() -> dict[int, tuple[int, int]]:
    """Every live (not zombie) process: pid -> (parent pid, session id), from /proc."""
    table: dict[int, tuple[int, int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir(_PROC):
            stat = _stat(entry) if entry.isdigit() else None
            if stat is not None:
                table[int(entry)] = stat
    return table


def _stat(pid: str) -> tuple[int, int] | None:
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as stream:
            text = stream.read()
    except OSError:
        return None
    # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    fields = text[text.rfind(b")") + 2 :].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[1]), int(fields[3])


def _send(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
