"""Benchmark of the bundled target on one uvicorn worker (a developer tool, not a test).

For /health, the catalogue list, a model's detail and a search it reports
  * requests per second at saturation, measured with ``wrk`` (closed model), and
  * latency percentiles at a fixed arrival rate (open model, default 500 requests/s),
    measured by a small keep-alive asyncio client that times each request from its
    *scheduled* start, so a stalled server cannot hide queueing (no coordinated omission),
each also as a ratio to /health measured in the same run, plus the server's CPU time per
request during the wrk run (from /proc), which stays meaningful when the machine is shared.

    python bench/target_app_bench.py [--rate 500] [--duration-s 10] [--wrk-duration-s 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
ENDPOINTS = {
    "health": "/health",
    "catalogue list": "/api/models",
    "model detail": "/api/models/42",
    "search": "/api/models?q=dragon",
}
P95_LIMIT_MS = 50.0
MAX_CONNECTIONS = 256


@dataclass
class Result:
    """Figures for one endpoint."""

    saturation_rps: float
    cpu_ms_per_request: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_app(data_dir: Path) -> Iterator[tuple[str, int]]:
    """The app on one worker, ready; always stopped."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "target_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--data-dir",
        str(data_dir),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the app did not become healthy")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def wrk_saturation(url: str, duration_s: int, connections: int, pid: int) -> tuple[float, float]:
    """Requests per second ``wrk`` sustains against ``url``, and server CPU ms per request."""
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", url], capture_output=True, text=True, check=True
    ).stdout
    cpu = cpu_seconds(pid) - cpu_before
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rate is None or total is None:
        raise SystemExit(f"could not parse wrk output:\n{out}")
    return float(rate.group(1)), cpu * 1000 / int(total.group(1))


class Connection:
    """One keep-alive HTTP/1.1 connection (enough parsing for Content-Length responses)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        await self.reader.readexactly(int(length.group(1)) if length else 0)
        return status


async def fixed_rate(url: str, path: str, rate: float, duration_s: float) -> tuple[list[float], int]:
    """Latencies (s) of requests started at ``rate`` per second, from their scheduled time."""
    port = int(url.rsplit(":", 1)[1])
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    idle: list[Connection] = []
    latencies: list[float] = []
    errors = 0
    # At most this many connections, like a real client pool; requests beyond it wait for one,
    # and the wait counts in their latency because it is measured from the scheduled start.
    pool = asyncio.Semaphore(MAX_CONNECTIONS)

    async def one(scheduled: float) -> None:
        nonlocal errors
        async with pool:
            try:
                conn = idle.pop() if idle else Connection(*await asyncio.open_connection(HOST, port))
                status = await conn.get(request)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                return
            latencies.append(time.perf_counter() - scheduled)
            errors += status != 200
            idle.append(conn)

    loop_start = time.perf_counter()
    tasks = []
    for n in range(int(rate * duration_s)):
        scheduled = loop_start + n / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    for conn in idle:
        conn.writer.close()
    return latencies, errors


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if values else 0.0


def measure(url: str, pid: int, args: argparse.Namespace) -> dict[str, Result]:
    """Every endpoint: warm-up, saturation with wrk, then the fixed-rate run."""
    results = {}
    for name, path in ENDPOINTS.items():
        httpx.get(url + path)  # warm the cache
        rps, cpu_ms = wrk_saturation(url + path, args.wrk_duration_s, args.connections, pid)
        time.sleep(1)
        latencies, errors = asyncio.run(fixed_rate(url, path, args.rate, args.duration_s))
        results[name] = Result(
            rps, cpu_ms, percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99), errors
        )
    return results


def report(results: dict[str, Result], rate: float) -> str:
    """A Markdown table with ratios to /health."""
    base = results["health"]
    lines = [
        f"| endpoint | rps at saturation (wrk) | ratio to /health | server CPU ms/request "
        f"| p50 ms @ {rate:g}/s | p95 ms @ {rate:g}/s | p99 ms | p95 ratio to /health | errors "
        f"| p95 < {P95_LIMIT_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} (`{ENDPOINTS[name]}`) | {r.saturation_rps:,.0f} "
            f"| {r.saturation_rps / base.saturation_rps:.2f} | {r.cpu_ms_per_request:.2f} "
            f"| {r.p50_ms:.1f} | {r.p95_ms:.1f} "
            f"| {r.p99_ms:.1f} | {r.p95_ms / base.p95_ms:.2f} | {r.errors} "
            f"| {'yes' if r.p95_ms < P95_LIMIT_MS else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=500.0, help="fixed arrival rate, req/s")
    parser.add_argument("--duration-s", type=float, default=10.0, help="fixed-rate run length")
    parser.add_argument("--wrk-duration-s", type=int, default=10, help="wrk run length")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="seeded data folder to reuse (default: a fresh temporary one)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    with (
        tempfile.TemporaryDirectory(prefix="target-bench-") as scratch,
        running_app(args.data_dir or Path(scratch)) as (url, pid),
    ):
        results = measure(url, pid, args)
    print(report(results, args.rate))
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if all(r.p95_ms < P95_LIMIT_MS for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
