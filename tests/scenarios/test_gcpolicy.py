"""The Locust process's collection schedule: frozen users, young garbage collected between requests."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import gevent
import pytest

from scenarios import gcpolicy


class Hook:
    """The part of a Locust event hook the policy uses (Locust itself would monkey-patch pytest)."""

    def __init__(self) -> None:
        self.listeners: list[Callable[..., Any]] = []

    def add_listener(self, listener: Callable[..., Any]) -> None:
        self.listeners.append(listener)

    def fire(self, **kwargs: Any) -> None:
        for listener in self.listeners:
            listener(**kwargs)


class Events:
    """``environment.events`` as far as the policy hooks onto it."""

    def __init__(self) -> None:
        self.test_start, self.spawning_complete, self.test_stop, self.quit = Hook(), Hook(), Hook(), Hook()


class Node:
    """A weak-referenceable object that can sit in a reference cycle."""

    other: Node | None = None


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The automatic collector off, as a running test has it; everything restored after."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


def test_few_young_objects_are_left_alone(collector_off: None) -> None:
    assert gcpolicy.tick() is None


def test_young_cyclic_garbage_is_collected_past_the_limit(collector_off: None) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    kept: list[list[int]] = [[] for _ in range(gcpolicy.YOUNG_LIMIT)]  # allocations that count towards the limit
    assert gcpolicy.tick() == 1
    assert gone() is None
    assert gc.get_count()[0] < len(kept)


def test_every_tenth_collection_is_a_full_one(collector_off: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpolicy, "YOUNG_LIMIT", 1)
    generations: list[int | None] = []
    kept: list[list[list[int]]] = []
    for _ in range(gcpolicy.FULL_EVERY):
        kept.append([[] for _ in range(10)])
        generations.append(gcpolicy.tick())
    assert generations.count(2) == 1
    assert generations[-1] == 2


def test_a_test_run_freezes_its_users_and_gives_the_collector_back(collector_off: None) -> None:
    gc.enable()
    events = Events()
    policy = gcpolicy.install(events)
    events.test_start.fire(environment=None)
    try:
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a stopped user's cycle, left by the ramp
        gone = weakref.ref(a)
        del a, b
        events.spawning_complete.fire(user_count=1)
        assert gone() is None
        assert gc.get_freeze_count() > 0
        gevent.sleep(0)  # the once-a-second check is a greenlet of its own
        assert policy._greenlet is not None and not policy._greenlet.dead
    finally:
        events.test_stop.fire()
        events.quit.fire(exit_code=0)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert policy._greenlet is None
