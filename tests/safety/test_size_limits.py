"""Bounded inputs: a file the user names and every body the harness parses have a size limit.

An endless source (``/dev/zero``, a server that never stops answering) must end in a clear message
naming the limit, with the harness's memory bounded by that limit, never in the kernel's OOM killer.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scenarios import prometheus
from scenarios.planner import pages_plan, target_client
from security.collect import Collector, Options
from stagekit import bounded
from stagekit.auth import AuthError, authenticate
from stagekit.description import AuthRecipe, TargetDescription
from stagekit.discovery import find_openapi
from stagekit.openapi import load_document
from tests.fixtures.runs import REPO
from tests.fixtures.servers import serve
from vocabulary.errors import HarnessError

_MIB = 1024 * 1024
# What each path starts with before the endless filler: enough to look like what the harness expects.
_HEADS = {
    "/openapi.json": (
        b'{"openapi": "3.0.3", "info": {"title": "endless", "version": "1"}, "paths": {"',
        "application/json",
    ),
    "/": (b"<!doctype html><html><body><a href='/next'>next</a>", "text/html"),
    "/metrics": (b"# TYPE requests_total counter\n", "text/plain"),
    "/login": (b'{"token": "', "application/json"),
}


class _Endless(http.server.BaseHTTPRequestHandler):
    """Answers each known path with its head, then filler until the client hangs up (no length)."""

    def do_GET(self) -> None:
        self._endless()

    def do_POST(self) -> None:
        self._endless()

    def _endless(self) -> None:
        head, kind = _HEADS.get(self.path, (b"", "text/plain"))
        self.send_response(200)
        self.send_header("content-type", kind)
        self.end_headers()
        try:
            self.wfile.write(head)
            while True:
                self.wfile.write(b"a" * 65536)
        except OSError:
            return  # the harness stopped reading: what it should do

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def endless() -> Iterator[str]:
    with serve(_Endless) as url:
        yield url


def test_openapi_dev_zero_is_a_usage_error_with_bounded_memory(tmp_path: Path) -> None:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "run", "--openapi", "/dev/zero", "--target-url", "http://127.0.0.1:9",
         "--out", str(tmp_path / "runs")],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    # wait4 measures this child alone: its peak resident memory, in KiB on Linux.
    _, status, usage = os.wait4(process.pid, 0)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    assert os.waitstatus_to_exitcode(status) == 4, stderr
    assert "/dev/zero" in stderr and "32 MiB" in stderr, stderr
    assert usage.ru_maxrss < 400 * 1024, f"peak {usage.ru_maxrss // 1024} MiB"
    assert time.monotonic() - started < 60
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir()), "refused before the run"


def test_an_endless_openapi_document_is_found_then_refused_by_size(endless: str) -> None:
    # It starts like a document, so discovery names it rather than telling "the app has no OpenAPI".
    assert find_openapi(endless) == endless + "/openapi.json"
    with pytest.raises(HarnessError, match="larger than 32 MiB") as refused:
        load_document(endless + "/openapi.json")
    assert endless + "/openapi.json" in refused.value.message


def test_endless_page_login_and_metrics_answers_stop_at_their_limits(endless: str) -> None:
    with target_client(endless, authenticate(AuthRecipe(), endless)) as client:
        plan = pages_plan(TargetDescription(), client)
    assert not plan.requests
    assert "larger than 5 MiB" in plan.skipped["/"]
    recipe = AuthRecipe(kind="login", path="/login", token_pointer="/token")
    with pytest.raises(AuthError, match="larger than 1 MiB"):
        authenticate(recipe, endless)
    with pytest.raises(httpx.HTTPError, match="larger than 16 MiB"):
        prometheus.scrape(endless, "/metrics")
    # The security baseline examines the first part of a page (its cap is an option) and goes on.
    collector = Collector(endless, Options(max_body_bytes=_MIB), threading.Event())
    try:
        response = collector.fetch("page", "GET", endless + "/")
    finally:
        collector.close()
    assert response is not None and len(response.content) == _MIB


def test_memory_stays_near_the_limit_however_long_the_answer(endless: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(HarnessError):
            load_document(endless + "/openapi.json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * bounded.OPENAPI_MAX_BYTES, f"peak {peak // _MIB} MiB"
