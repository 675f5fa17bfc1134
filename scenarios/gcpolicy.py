"""Garbage collection in the Locust process: out of the users' way, on the event loop's terms.

With thousands of users, CPython's automatic collector was the generator's largest avoidable cost:
a full collection scans every user's objects (client, connection pool, greenlet: ~250,000 objects
at 5000 users) and ran every second or two, 200 ms of CPU each, stalling every user at once
(measured: ~50 µs of CPU per request, 12 % of a core at 2,400 requests/s). Yet a steady run makes
almost no cyclic garbage (119 unreachable objects over 23,000 requests): reference counting frees
what requests allocate.

So while a test runs:

- ``gc.freeze()`` once the users of a stage are all spawned (`settle`, on ``spawning_complete``):
  the live users leave the collector's scans. Each stage first unfreezes and collects, so users
  a stage stopped are collected, never kept frozen.
- The automatic collector is off; once a second (`tick`, between requests, never inside one) the
  objects allocated and still alive since the last collection are counted, and past
  `YOUNG_LIMIT` the young generations are collected (every `FULL_EVERY`-th time, all of them).
  Cyclic garbage (a failed request's traceback, a Locust file's own cycles) is thus collected
  within about a second of its allocations, in one short pause instead of many.

`stop` gives the process back CPython's own collector.
"""

from __future__ import annotations

import dataclasses
import gc
from typing import Any

import gevent

YOUNG_LIMIT = 10_000
"""Tracked objects allocated (net of those freed) since the last collection that trigger one:
a few MB at most, and a pause of a few ms to scan them."""
FULL_EVERY = 10
"""Every tenth collection is a full one (CPython's own ratio between its oldest two generations)."""
TICK_S = 1.0


@dataclasses.dataclass
class GcPolicy:
    """The Locust process's collection schedule while a test runs (see the module docstring)."""

    _greenlet: gevent.Greenlet | None = None

    def start(self, **_: Any) -> None:
        """``test_start``: automatic collection off, the once-a-second check on."""
        if self._greenlet is None:
            gc.disable()
            self._greenlet = gevent.spawn(self._loop)

    def settle(self, **_: Any) -> None:
        """``spawning_complete``: collect what the ramp left (stopped users included), then freeze
        the rest out of later scans."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def stop(self, **_: Any) -> None:
        """``test_stop`` / ``quit``: CPython's collector back, over every object (idempotent)."""
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None
        gc.unfreeze()
        gc.enable()

    def _loop(self) -> None:
        while True:
            gevent.sleep(TICK_S)
            tick()


def tick() -> int | None:
    """Collect the young generations if `YOUNG_LIMIT` objects were allocated since the last
    collection (all generations every `FULL_EVERY`-th time); the generation collected, or None."""
    young, _, since_full = gc.get_count()
    if young < YOUNG_LIMIT:
        return None
    generation = 2 if since_full + 1 >= FULL_EVERY else 1
    gc.collect(generation)
    return generation


def install(events: Any) -> GcPolicy:
    """Hook a `GcPolicy` onto this process's Locust events (``environment.events``; not imported
    here, so the policy can be tested without Locust monkey-patching the test process)."""
    policy = GcPolicy()
    hooks = ((events.test_start, policy.start), (events.spawning_complete, policy.settle),
             (events.test_stop, policy.stop), (events.quit, policy.stop))  # fmt: skip
    for hook, listener in hooks:
        hook.add_listener(listener)
    return policy
