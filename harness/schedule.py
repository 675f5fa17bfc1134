"""Which stages of a run go at once, and running a group of them.

A stage that measures timing (load, e2e) runs with the machine to itself while it measures: another
stage beside it would slow what it measures. Stages that judge correctness only (contracts, security,
accessibility) run at once, each on its own thread (each is mostly a subprocess), after the stages
whose artifacts they read (`stagekit.stages.Scheduling`). A timing stage that has measured sets its
`StageContext.measured`: the correctness stages after it that do not read it then start beside the
rest of it (saving its results, closing its tools); the others start when it ends.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from stagekit.stages import Scheduling, scheduling_of

T = TypeVar("T")
Group = tuple[str, ...]
Runner = Callable[[str, threading.Event], T]
"""Runs one stage, handing it the event it sets once it has measured (`StageContext.measured`)."""


def plan(stages: Sequence[str], scheduling: Callable[[str], Scheduling] = scheduling_of) -> list[Group]:
    """The run's groups, in order: a timing stage alone, every correctness stage that is ready together.

    ``stages`` keeps its order where the rules allow; a stage waits for the stages it reads (``after``)
    that are part of the run. A dependency cycle (a plugin declaring one) falls back to the given order.
    """
    pending = list(stages)
    groups: list[Group] = []
    while pending:
        ready = [stage for stage in pending if not set(scheduling(stage).after) & set(pending) - {stage}]
        ready = ready or pending[:1]
        first = ready[0]
        group = (first,) if scheduling(first).timing else tuple(s for s in ready if not scheduling(s).timing)
        groups.append(group)
        pending = [stage for stage in pending if stage not in group]
    return groups


def steps(
    groups: Sequence[Group], scheduling: Callable[[str], Scheduling] = scheduling_of
) -> list[tuple[Group, Group]]:
    """The plan as the run goes through it: each group, with the group that may start in its tail.

    Only a correctness group after a timing stage may (`run_group`); it is then no step of its own.
    A timing stage starts only once every stage before it has ended.
    """
    found: list[tuple[Group, Group]] = []
    rest = list(groups)
    while rest:
        group = rest.pop(0)
        tail = bool(rest) and scheduling(group[0]).timing and not scheduling(rest[0][0]).timing
        found.append((group, rest.pop(0) if tail else ()))
    return found


@dataclasses.dataclass(frozen=True)
class Ended(Generic[T]):
    """What one step's stages returned, and how they overlapped."""

    results: dict[str, T]
    """By stage; a stage the run was interrupted before is missing."""
    overlap: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    """For run.json's ``stage_times``: ``{"measured_s": s}`` for a timing stage that released the
    machine ``s`` seconds after it started, ``{"beside": [stage]}`` for a stage started beside it."""


def run_group(
    stages: Group,
    run: Runner[T],
    cancel: threading.Event,
    *,
    then: Group = (),
    starting: Callable[[Group, Group], bool] = lambda stages, beside: True,
    scheduling: Callable[[str], Scheduling] = scheduling_of,
) -> Ended[T]:
    """``run(stage, measured)`` for each stage at once, then for each of ``then``; the results once all ended.

    One stage runs on this thread, as a run without overlap always did (Ctrl-C reaches it directly).
    Several run on threads of their own; Ctrl-C, which only this thread receives, sets ``cancel``,
    which every stage watches (its supervisor stops its tool), and the wait goes on until each has
    stopped and kept what it measured. A stage that raised raises here, after the others ended.

    ``then`` (`steps`: the correctness group after the timing stage that ``stages`` is): its stages
    that do not read the timing stage start once it sets ``measured``, the others when it ends.
    ``starting(stages, beside)`` is asked before each start (False: they do not start, e.g. the target
    exited); nothing starts once ``cancel`` is set.
    """
    if not then:
        return Ended(_at_once(stages, run, cancel))
    (timing,) = stages
    early = tuple(stage for stage in then if timing not in scheduling(stage).after)
    with concurrent.futures.ThreadPoolExecutor(len(then), thread_name_prefix="harness-stage") as pool:
        tail = _Tail(pool, run, cancel, starting)
        try:
            result, released_s = _timing_stage(timing, run, lambda: tail.start(early, beside=(timing,)))
            tail.start(then)
            _wait_all(list(tail.futures.values()), cancel)
        except BaseException:
            cancel.set()  # the run stops here: the stages started beside it stop too (the pool waits for them)
            raise
    overlap = {timing: {"measured_s": released_s}} if released_s is not None else {}
    results = {timing: result, **{stage: future.result() for stage, future in tail.futures.items()}}
    return Ended(results, {**overlap, **tail.overlap})


def _timing_stage(timing: str, run: Runner[T], release: Callable[[], None]) -> tuple[T, float | None]:
    """Run the timing stage on this thread; ``release()`` once it sets its ``measured`` before it ends.
    Returns its result and the seconds after which it set it (None: it kept the machine to its end)."""
    measured, ended, began = threading.Event(), threading.Event(), time.monotonic()
    released: list[float] = []

    def watch() -> None:
        measured.wait()
        if not ended.is_set():
            released.append(round(time.monotonic() - began, 3))
            release()

    watcher = threading.Thread(target=watch, name=f"harness-{timing}-measured", daemon=True)
    watcher.start()
    try:
        result = run(timing, measured)
    finally:
        ended.set()
        measured.set()  # wakes the watcher: the stage has ended, whether or not it said so before
        watcher.join()
    return result, released[0] if released else None


class _Tail(Generic[T]):
    """The stages started in a timing stage's tail: each once, on the pool, none once ``cancel`` is set."""

    def __init__(
        self,
        pool: concurrent.futures.ThreadPoolExecutor,
        run: Runner[T],
        cancel: threading.Event,
        starting: Callable[[Group, Group], bool],
    ) -> None:
        self._pool, self._run, self._cancel, self._starting = pool, run, cancel, starting
        self._lock = threading.Lock()  # the watcher and this thread may both start stages
        self.futures: dict[str, concurrent.futures.Future[T]] = {}
        self.overlap: dict[str, dict[str, Any]] = {}

    def start(self, stages: Group, beside: Group = ()) -> None:
        """Start those of ``stages`` not started yet, beside the stages still running that ``beside`` names."""
        with self._lock:
            new = tuple(stage for stage in stages if stage not in self.futures)
            if not new or self._cancel.is_set() or not self._starting(new, beside):
                return
            for stage in new:
                self.futures[stage] = self._pool.submit(self._run, stage, threading.Event())
                if beside:
                    self.overlap[stage] = {"beside": list(beside)}


def _at_once(stages: Group, run: Runner[T], cancel: threading.Event) -> dict[str, T]:
    """Every stage of ``stages`` at once (one: on this thread)."""
    if len(stages) == 1:
        return {stages[0]: run(stages[0], threading.Event())}
    with concurrent.futures.ThreadPoolExecutor(len(stages), thread_name_prefix="harness-stage") as pool:
        futures = {stage: pool.submit(run, stage, threading.Event()) for stage in stages}
        _wait_all(list(futures.values()), cancel)
    return {stage: future.result() for stage, future in futures.items()}


def _wait_all(futures: list[concurrent.futures.Future[T]], cancel: threading.Event) -> None:
    pending = set(futures)
    while pending:
        try:
            _, pending = concurrent.futures.wait(pending, timeout=0.5)
        except KeyboardInterrupt:
            cancel.set()  # a second Ctrl-C too: the stages are already stopping their tools
