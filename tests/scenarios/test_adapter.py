"""Summary → metrics and validity; the stress knee; request naming; what applies to a run."""

from __future__ import annotations

from scenarios import adapter
from scenarios.recorder import MAX_OPERATIONS, Recorder, endpoint_key, operation_of

STEPS = [
    {"users": 100, "seconds": 28, "rps": 95.0, "error_ratio": 0.0, "p95_ms": 40.0},
    {"users": 200, "seconds": 28, "rps": 190.0, "error_ratio": 0.0, "p95_ms": 85.0},
    {"users": 300, "seconds": 28, "rps": 230.0, "error_ratio": 0.0, "p95_ms": 240.0},
    {"users": 400, "seconds": 28, "rps": 210.0, "error_ratio": 0.02, "p95_ms": 900.0},
]


def test_knee_is_the_last_step_within_both_limits() -> None:
    assert adapter.knee(STEPS, 100, 0.001) == {"load.stress.knee_users": 200.0, "load.stress.knee_rps": 190.0}


def test_no_knee_when_even_the_first_step_breaks() -> None:
    assert adapter.knee(STEPS, 10, 0.001) is None


def test_request_names_become_endpoint_names_with_one_method_prefix() -> None:
    assert endpoint_key("GET", "list books") == "GET list books"
    assert endpoint_key("GET", "/books/[id]") == "GET /books/[id]"
    # A user who already wrote the method into the name keeps it once ("GET GET /get" was a bug).
    assert endpoint_key("GET", "GET /get") == "GET /get"
    assert endpoint_key("POST", "GET /get") == "POST GET /get"
    assert endpoint_key("WS", "/ws ping") == "WS /ws ping"


def test_operations_are_concrete_paths_on_the_target_without_query() -> None:
    host = "http://127.0.0.1:8123"
    assert operation_of("GET", f"{host}/books/3?limit=5", host) == "GET /books/3"
    assert operation_of("DELETE", "/books/3", host) == "DELETE /books/3"
    assert operation_of("GET", "http://elsewhere:80/books", host) is None
    assert operation_of("WS", f"{host}/ws", host) is None


def test_operations_are_capped_and_merged_from_workers() -> None:
    worker, master = Recorder(), Recorder()
    for n in range(MAX_OPERATIONS + 5):
        worker.saw(f"GET /books/{n}")
    master.absorb(worker.drain())
    master.absorb({"operations": ["GET /books/1", "GET /authors"]})
    assert len(master.operations) == MAX_OPERATIONS and "GET /authors" not in master.operations
    assert master.counters["operations_dropped"] == 5 + 1, "the worker's own overflow counts too"
    assert worker.operations == set(), "drained"


def test_websocket_and_upload_figures_apply_only_to_traffic_that_was_sent() -> None:
    rec = Recorder()
    rec.record("GET /books", 3.0, at=1.0)
    assert set(adapter.traffic_not_applicable({"counters": dict(rec.counters)})) == {"load.ws.*", "load.upload*"}
    # Sent during the warm-up only: applicable (a missing figure is then inconclusive, not n/a).
    rec.record("WS /ws ping", 3.0, at=1.0, family="ws", in_window=False)
    rec.record("POST /upload", 3.0, at=1.0, family="upload", upload_class="small", error="HTTP 500")
    assert adapter.traffic_not_applicable({"counters": dict(rec.counters)}) == {}


def test_latencies_of_a_run_whose_requests_mostly_failed_are_void() -> None:
    # A refusing target answers in a millisecond; its latency budgets must not "pass" on that.
    refused = adapter.requests_succeeded({"requests": 40, "failures": 40})
    assert not refused.ok
    assert refused.detail.startswith("0.0% of 40 requests succeeded")
    assert "load.http.*_ms" in refused.affects
    assert "load.http.*" not in refused.affects  # the error ratio itself stays judged
    assert adapter.requests_succeeded({"requests": 40, "failures": 1}).ok
