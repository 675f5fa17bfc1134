"""Which stages of a run go at once, and running a group of them.

A stage that measures timing (load, e2e) runs with the machine to itself: another stage beside it
would slow what it measures. Stages that judge correctness only (contracts, security, accessibility)
run at once, each on its own thread (each is mostly a subprocess), after the stages whose artifacts
they read (`stagekit.stages.Scheduling`).
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from stagekit.stages import Scheduling, scheduling_of

T = TypeVar("T")


def plan(stages: Sequence[str], scheduling: Callable[[str], Scheduling] = scheduling_of) -> list[tuple[str, ...]]:
    """The run's groups, in order: a timing stage alone, every correctness stage that is ready together.

    ``stages`` keeps its order where the rules allow; a stage waits for the stages it reads (``after``)
    that are part of the run. A dependency cycle (a plugin declaring one) falls back to the given order.
    """
    pending = list(stages)
    groups: list[tuple[str, ...]] = []
    while pending:
        ready = [stage for stage in pending if not set(scheduling(stage).after) & set(pending) - {stage}]
        ready = ready or pending[:1]
        first = ready[0]
        group = (first,) if scheduling(first).timing else tuple(s for s in ready if not scheduling(s).timing)
        groups.append(group)
        pending = [stage for stage in pending if stage not in group]
    return groups


def run_group(stages: Sequence[str], run: Callable[[str], T], cancel: threading.Event) -> dict[str, T]:
    """``run(stage)`` for each stage at once and the results, once every stage has ended.

    One stage runs on this thread, as a run without overlap always did (Ctrl-C reaches it directly).
    Several run on threads of their own; Ctrl-C, which only this thread receives, sets ``cancel``,
    which every stage watches (its supervisor stops its tool), and the wait goes on until each has
    stopped and kept what it measured. A stage that raised raises here, after the others ended.
    """
    if len(stages) == 1:
        return {stages[0]: run(stages[0])}
    with concurrent.futures.ThreadPoolExecutor(len(stages), thread_name_prefix="harness-stage") as pool:
        futures = {stage: pool.submit(run, stage) for stage in stages}
        _wait_all(list(futures.values()), cancel)
    return {stage: future.result() for stage, future in futures.items()}


def _wait_all(futures: list[concurrent.futures.Future[T]], cancel: threading.Event) -> None:
    pending = set(futures)
    while pending:
        try:
            _, pending = concurrent.futures.wait(pending, timeout=0.5)
        except KeyboardInterrupt:
            cancel.set()  # a second Ctrl-C too: the stages are already stopping their tools
