"""The generator's memory over a soak: what a second of recording keeps, and the bench's 1 h figure."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import tracemalloc
import weakref
from collections.abc import Iterator

import pytest

from bench.load_bench import hour_growth, slope_per_hour
from scenarios import hdr
from scenarios.recorder import Recorder
from tests.fixtures.runs import REPO

PER_SECOND = 100
"""Requests a second, as the bench's soak sends (200 users, 1-3 s think time)."""


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Only reference counting frees memory: what a generator gets between two full collections."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_dropped_histogram_is_freed_without_a_garbage_collection(no_gc: None) -> None:
    made = hdr.new()
    hdr.record_many(made, [1.0, 2.5])
    decoded = hdr.decode(hdr.encode(made))
    assert hdr.summarize(hdr.merge(made, [decoded, hdr.encode(decoded)]))["count"] == 6
    gone = [weakref.ref(made), weakref.ref(decoded)]
    del made, decoded
    assert [ref() for ref in gone] == [None, None]


def test_a_closed_second_keeps_half_a_kilobyte(no_gc: None) -> None:
    """Five minutes of a soak's per-second series cost ~0.5 KB a second once compacted (an hour: ~2 MB),
    with no garbage collection at all; before, every second left its ~140 KB histogram to the collector."""
    rec, start, seconds = Recorder(), 1_000_000, 300
    tracemalloc.start()
    try:
        for sec in range(seconds):
            for i in range(PER_SECOND):
                rec.record("GET /", 1.0 + (i % 37) / 10, at=start + sec + i / PER_SECOND, in_window=False)
            rec.close_before(start + sec)  # as the sampler does every second
            if sec == 30:
                baseline = tracemalloc.get_traced_memory()[0]
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert len(rec.closed) == seconds - 1 and rec.sent() == seconds * PER_SECOND
    assert grown / (seconds - 31) < 1024, f"{grown / (seconds - 31):.0f} bytes per second"


PRUNE_CHECK = """
from locust.stats import RequestStats
from scenarios.metrics import LOCUST_SECONDS_KEPT as KEPT, prune_locust_seconds

stats, now = RequestStats(), 1_000_000
for endpoint in ("/a", "/b"):
    entry = stats.get(endpoint, "GET")
    for sec in range(now - 3600, now + 1):
        for counts in (entry.num_reqs_per_sec, entry.num_fail_per_sec, stats.total.num_reqs_per_sec):
            counts[sec] += 1 + sec % 7
stats.total.start_time, stats.total.last_request_timestamp = now - 3600, now
entries = (*stats.entries.values(), stats.total)
rates = [(e.current_rps, e.current_fail_per_sec) for e in entries]
prune_locust_seconds(stats, now - KEPT)
assert [(e.current_rps, e.current_fail_per_sec) for e in entries] == rates
assert {len(c) for e in entries for c in (e.num_reqs_per_sec, e.num_fail_per_sec)} == {0, KEPT + 1}
"""


def test_locusts_per_second_counts_keep_a_minute_and_its_current_rate() -> None:
    """Locust kept a count per endpoint per second for the whole run; we keep the last minute
    (a process of its own: importing Locust monkey-patches the test process)."""
    done = subprocess.run([sys.executable, "-c", PRUNE_CHECK], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr


def levelling(t: float) -> float:
    """A generator's resident MB that climbs 15 MB in its first minutes, then 3 MB an hour."""
    return 80 + 15 * (1 - math.exp(-t / 120)) + 3 * t / 3600


def test_the_hour_figure_bounds_a_curve_that_levels_off() -> None:
    rss = [(float(t), levelling(t)) for t in range(1, 601)]
    growth = hour_growth(rss, 30.0)
    truth = levelling(3600) - levelling(30)
    # Above the hour's real growth (the curve still bends in the last half), below what a slope over
    # the whole soak claimed (that charged the warm-up's climb to every later minute).
    assert truth <= growth["projected"] < min(2 * truth, slope_per_hour([s for s in rss if s[0] >= 30]))
    assert growth["first_per_h"] > growth["recent_per_h"] > 0


def test_an_hour_long_soak_is_measured_not_projected() -> None:
    rss = [(float(t), levelling(t)) for t in range(1, 3601)]
    growth = hour_growth(rss, 30.0)
    assert growth["projected"] == pytest.approx(levelling(3600) - levelling(30))


def test_steady_growth_is_projected_in_full() -> None:
    rss = [(float(t), 80 + 60 * t / 3600) for t in range(1, 601)]
    assert hour_growth(rss, 30.0)["projected"] == pytest.approx(60 * (3600 - 30) / 3600)
