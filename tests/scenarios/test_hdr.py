"""Our HDR percentiles agree with exact ones, and worker histograms merge exactly."""

from __future__ import annotations

import random

import numpy as np
import pytest

from scenarios import hdr, summary
from scenarios.recorder import Recorder

RESOLUTION = 0.001  # 3 significant digits


def samples(n: int, seed: int) -> list[float]:
    """Log-normal latencies in ms (a long tail, like real ones), 0.5 ms to ~10 s."""
    rng = random.Random(seed)
    return [min(max(rng.lognormvariate(2.5, 1.2), 0.5), 10_000.0) for _ in range(n)]


def exact(values: list[float], pct: float) -> float:
    """The exact percentile of the raw samples (µs-rounded, as recorded).

    Nearest-rank, with HdrHistogram's rank rounding (``int(pct * n / 100 + 0.5)``): numpy's
    ``inverted_cdf`` is the same definition but takes the ceiling, and ``0.999 * 6000`` lands a
    float epsilon above 5994, which on a long tail is a different sample, not a resolution error.
    """
    ordered = np.sort(np.round(np.array(values) * 1000) / 1000)
    rank = max(int(pct * len(ordered) / 100 + 0.5), 1)
    return float(ordered[rank - 1])


@pytest.mark.parametrize("pct", [50.0, 90.0, 95.0, 99.0, 99.9])
def test_percentile_within_resolution_of_exact(pct: float) -> None:
    values = samples(20_000, seed=int(pct * 10))
    hist = hdr.new()
    for v in values:
        hdr.record(hist, v)
    ours, truth = hdr.percentile_ms(hist, pct), exact(values, pct)
    assert abs(ours - truth) <= truth * RESOLUTION + 0.001, (ours, truth)


def test_summary_matches_hdrh_reference_implementation() -> None:
    hist = hdr.new()
    for v in samples(5_000, seed=7):
        hdr.record(hist, v, expected_interval_ms=20.0)
    summary = hdr.summarize(hist)
    for name, pct in hdr.PERCENTILES:
        assert summary[f"{name}_ms"] == hist.get_value_at_percentile(pct) / 1000
    assert summary["mean_ms"] == pytest.approx(hist.get_mean_value() / 1000, rel=1e-9)


def test_bucket_values_equal_hdrh_for_every_index() -> None:
    """The vectorised index-to-value table behind every percentile and mean is hdrh's own."""
    ref = hdr.new()
    values = [ref.get_value_from_index(i) for i in range(ref.counts_len)]
    highest, _ = hdr._index_values()
    assert highest.tolist() == [float(ref.get_highest_equivalent_value(v)) for v in values]


def test_coordinated_omission_correction_backfills_a_stall() -> None:
    """One 1 s stall seen by a user paced at 100 ms hides 9 requests; correction restores them."""
    raw, corrected = hdr.new(), hdr.new()
    for _ in range(95):
        hdr.record(raw, 5.0)
        hdr.record(corrected, 5.0, expected_interval_ms=100.0)
    hdr.record(raw, 1000.0)
    hdr.record(corrected, 1000.0, expected_interval_ms=100.0)
    assert hdr.percentile_ms(raw, 95) == pytest.approx(5.0, rel=RESOLUTION)
    assert corrected.get_total_count() == 105
    assert hdr.percentile_ms(corrected, 95) >= 500.0


def test_batched_recording_equals_one_by_one() -> None:
    """`record_many` (the recorder's per-request path, deferred) and the paced back-fill give the very
    histograms `record` gives, edges included: sub-µs and over-range values, powers of two."""
    edges = [0.0, 0.0004, 0.0005, 0.0015, 2.047, 2.048, 2.0475, 1e9, 60_000.0, 59_999.9995]
    powers = [2**k / 1000 for k in range(27)] + [(2**k - 1) / 1000 for k in range(1, 27)]
    values = edges + powers + samples(5_000, seed=3)
    one_by_one, batched = hdr.new(), hdr.new()
    for v in values:
        hdr.record(one_by_one, v)
    hdr.record_many(batched, values[:1000])
    hdr.record_many(batched, values[1000:])
    assert hdr.encode(batched) == hdr.encode(one_by_one)
    assert (batched.min_value, batched.max_value) == (one_by_one.min_value, one_by_one.max_value)

    paced, recorder = hdr.new(), Recorder()
    for i, v in enumerate(values):
        hdr.record(paced, v, expected_interval_ms=20.0 if i % 2 else None)
        recorder.record("GET /x", v, at=1.0, pacing_ms=20.0 if i % 2 else None)
    ep = recorder.endpoints["GET /x"]
    assert hdr.encode(ep.corrected) == hdr.encode(paced) and hdr.encode(ep.raw) == hdr.encode(one_by_one)
    hdr.reset(batched)
    assert batched.get_total_count() == 0 and not any(batched.counts)


def test_worker_reports_merge_exactly() -> None:
    """Two workers' drained recorders absorbed by a master equal one recorder of all samples."""
    values = samples(6_000, seed=11)
    workers, reference, master = [Recorder(), Recorder()], Recorder(), Recorder()
    for i, v in enumerate(values):
        for rec in (workers[i % 2], reference):
            rec.record("GET /api/models", v, at=1000.0 + i / 100, error="HTTP 500" if i % 97 == 0 else None)
    sent = 0
    for worker in workers:
        # Reports go out every few seconds: drain twice to check that deltas add up.
        half = worker.drain()
        sent += sum(s["requests"] for s in half["seconds"].values())
        master.absorb(half)
    merged, ref = master.endpoints["GET /api/models"], reference.endpoints["GET /api/models"]
    assert merged.requests == sent == len(values)
    assert merged.failures == ref.failures == len(range(0, len(values), 97))
    assert list(merged.raw.counts) == list(ref.raw.counts)
    for _, pct in hdr.PERCENTILES:
        assert hdr.percentile_ms(merged.raw, pct) == pytest.approx(exact(values, pct), rel=RESOLUTION, abs=0.001)


def test_closed_seconds_keep_their_figures_and_take_late_samples() -> None:
    """Compacting finished seconds (flat memory over a soak) changes no figure, even when a
    worker's report for a compacted second arrives late."""
    values = samples(3_000, seed=5)
    compacted, reference, late = Recorder(), Recorder(), Recorder()
    for i, v in enumerate(values):
        at = 2000.0 + i / 300  # ten seconds, 300 samples each
        reference.record("GET /api/models", v, at=at)
        (late if i % 10 == 0 else compacted).record("GET /api/models", v, at=at)
    compacted.close_before(2010)
    assert not compacted.seconds and len(compacted.closed) == 10
    compacted.absorb(late.drain())  # one sample in ten arrives after its second was closed
    compacted.close_before(2010)
    assert compacted.per_second() == reference.per_second()
    assert compacted.sent() == reference.sent() == len(values)
    for sec in range(2000, 2010):
        closed = compacted.second_hist(sec)
        assert isinstance(closed, str)
        assert list(hdr.decode(closed).counts) == list(reference.seconds[sec].hist.counts)


def test_step_figures_merged_incrementally_equal_a_fresh_merge() -> None:
    """`Recorder.merged_seconds` adds each closed second once across partial summaries; a late sample
    that reopens a closed second still counts exactly once."""
    start, rng = 1_780_000_000, random.Random(5)
    users = [summary.UserSample(start + s + 0.5, 50 + 50 * (s >= 60), 50 + 50 * (s >= 60), True, s % 60)
             for s in range(120)]  # fmt: skip
    incremental, fresh = Recorder(), Recorder()
    for sec in range(120):
        for i in range(20):
            ms = rng.lognormvariate(2, 0.5)
            incremental.record("GET /x", ms, at=start + sec + i / 20)
            fresh.record("GET /x", ms, at=start + sec + i / 20)
        if sec % 7 == 0:
            incremental.close_before(start + sec - 3)
            summary.steps(incremental, users[: sec + 1])
    for rec in (incremental, fresh):
        rec.record("GET /x", 500.0, at=start + 20.5)
    assert summary.steps(incremental, users) == summary.steps(fresh, users)
    assert [row["seconds"] for row in summary.steps(fresh, users)] == [58, 58]
