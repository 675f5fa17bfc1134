"""An open-model reference generator: requests at a fixed arrival rate, timed from when they were due.

A closed-model generator (Locust) stops sending while the server stalls, so the stall barely
shows in its percentiles (coordinated omission). This one sends request ``n`` at
``start + n / rate`` whatever happened to earlier ones, and measures each latency from that
*intended* send time, so queueing behind a stall counts in full. It is the yardstick the
corrected Locust figures are checked against (tests, bench).

    python -m scenarios.open_model http://127.0.0.1:8000 --path /books --rate 50 --duration-s 15

Bounded: ``rate * duration_s`` requests at most, each with a timeout, loopback targets only, plain HTTP/1.1.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import sys
import time
import urllib.parse
from typing import Any

from hdrh.histogram import HdrHistogram

from scenarios import hdr
from stagekit import supervisor
from stagekit.imports import IMPORT_ROOT
from stagekit.netguard import check_target_url

MAX_CONNECTIONS = 512
"""A stall of a few seconds at a few hundred requests/s needs that many requests in flight."""
TIMEOUT_S = 10.0
MAX_REQUESTS = 100_000
_STOP = supervisor.Stop()


@dataclasses.dataclass
class OpenModelResult:
    """Latencies from the intended send time, errors and how punctual the sender itself was."""

    rate: float
    duration_s: float
    latency: HdrHistogram = dataclasses.field(default_factory=hdr.new)
    send_lag: HdrHistogram = dataclasses.field(default_factory=hdr.new)
    """Actual minus intended send time: a late sender would blame the target for its own delay."""
    errors: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def sent(self) -> int:
        """Requests sent (answered or failed)."""
        return int(self.latency.get_total_count()) + sum(self.errors.values())

    def summary(self) -> dict[str, Any]:
        """Plain figures in milliseconds (JSON-ready)."""
        return {
            "rate": self.rate,
            "duration_s": self.duration_s,
            "sent": self.sent,
            "errors": dict(self.errors),
            "latency": hdr.summarize(self.latency),
            "send_lag": hdr.summarize(self.send_lag),
            "hist_latency": hdr.encode(self.latency),
            "hist_send_lag": hdr.encode(self.send_lag),
        }

    @classmethod
    def from_summary(cls, data: dict[str, Any]) -> OpenModelResult:
        """Rebuild a result from `summary` (e.g. printed by a generator in its own process)."""
        return cls(
            data["rate"],
            data["duration_s"],
            hdr.decode(data["hist_latency"]),
            hdr.decode(data["hist_send_lag"]),
            dict(data["errors"]),
        )


class _Pool:
    """Keep-alive HTTP/1.1 connections to one host (a bare client: httpx's own per-request cost,
    a few ms here, made the sender itself fall seconds behind on a loaded machine)."""

    def __init__(self, base_url: str) -> None:
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def get(self, path: str) -> int:
        """GET ``path`` on an idle or new connection; returns the status code."""
        reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        if length is None:
            writer.close()  # no length (chunked or close-delimited): not reusable, read nothing more
        else:
            await reader.readexactly(int(length.group(1)))
            self.idle.append((reader, writer))
        return int(head[9:12])

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self.idle:
            writer.close()


async def _one(pool: _Pool, path: str, due: float, result: OpenModelResult) -> None:
    """One request due at ``due`` (perf_counter seconds); its latency counts from then."""
    async with pool.slots:
        result.send_lag.record_value(hdr.to_us((time.perf_counter() - due) * 1000))
        try:
            status = await asyncio.wait_for(pool.get(path), TIMEOUT_S)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as exc:
            key = type(exc).__name__
        else:
            if status == 200:
                hdr.record(result.latency, (time.perf_counter() - due) * 1000)
                return
            key = f"HTTP {status}"
    result.errors[key] = result.errors.get(key, 0) + 1


async def run_async(base_url: str, path: str, rate: float, duration_s: float) -> OpenModelResult:
    """Send ``rate`` requests/s to ``path`` for ``duration_s`` seconds; wait for the stragglers."""
    total = int(rate * duration_s)
    if not 0 < total <= MAX_REQUESTS:
        raise ValueError(f"{total} requests is outside 1..{MAX_REQUESTS}")
    result = OpenModelResult(rate, duration_s)
    pool = _Pool(base_url)
    try:
        start = time.perf_counter()
        tasks = []
        for n in range(total):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(_one(pool, path, due, result)))
        await asyncio.gather(*tasks)
    finally:
        pool.close()
    return result


def run(base_url: str, path: str = "/", rate: float = 50.0, duration_s: float = 15.0) -> OpenModelResult:
    """`run_async` on a fresh event loop (callable from a plain thread)."""
    check_target_url(base_url, allow_remote=False)
    return asyncio.run(run_async(base_url, path, rate, duration_s))


def run_in_subprocess(base_url: str, path: str, rate: float, duration_s: float) -> OpenModelResult:
    """`run` in a process of its own, so the caller's threads (and GIL) cannot delay its sends."""
    cmd = [
        sys.executable,
        "-m",
        "scenarios.open_model",
        base_url,
        "--path",
        path,
        "--rate",
        str(rate),
        "--duration-s",
        str(duration_s),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(IMPORT_ROOT), os.environ.get("PYTHONPATH")]))}
    with supervisor.start(cmd, cwd=IMPORT_ROOT, env=env, log=None, stop=_STOP, capture_stdout=True) as child:
        out, _ = child.popen.communicate(timeout=duration_s + TIMEOUT_S + 30)
    if child.returncode != 0:
        raise RuntimeError(f"open-model generator exited with {child.returncode}")
    return OpenModelResult.from_summary(json.loads(out))


def main(argv: list[str] | None = None) -> int:
    """Print the figures of one open-model run as JSON."""
    parser = argparse.ArgumentParser(prog="python -m scenarios.open_model", description=__doc__.splitlines()[0])
    parser.add_argument("url", help="target base URL on loopback, e.g. http://127.0.0.1:8000")
    parser.add_argument("--path", default="/", help="the path every request GETs, e.g. /books")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--duration-s", type=float, default=15.0)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.url, args.path, args.rate, args.duration_s).summary(), indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
