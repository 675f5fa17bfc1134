"""Benchmark of the load generator itself (a developer tool that prints figures, not a test).

Against one static page served by a one-worker nginx on its own core (the bundled app's
/health if nginx is missing), with every generator pinned to the other core, in one run:

  * harness overhead: requests/s of one Locust process with our instrumented FastHttpUser,
    plain Locust FastHttpUser and ``wrk``, as ratios to wrk (goal: ours >= 0.9 x plain);
  * generator health at scale: 1000 users with 1-3 s think time in one process: CPU p90,
    event-loop lag p95, achieved / nominal request rate;
  * accuracy: our HDR p50/p95/p99 against the exact percentiles of the same samples;
  * memory: the generator's resident-memory growth over a soak at a steady rate (goal < 50 MB
    in 10 minutes: histograms, not sample lists).

    python bench/load_bench.py [--seconds 10] [--scale-seconds 25] [--users 1000] [--soak-seconds 600]

Loopback only; each measurement is bounded (<= 30 s, the soak by --soak-seconds) and every
process is killed on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stagekit.target import bundled_app, free_port  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "static_locustfile.py"
CONNECTIONS = 50
MAX_S = 30.0
NGINX_CONF = """worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 4096; }}
http {{ access_log off; client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp;
  fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;
  server {{ listen 127.0.0.1:{port}; root {d}/www; }} }}
"""


def cpus() -> tuple[str, str]:
    """(generator core, server core); both 0 on a one-core machine."""
    last = (os.cpu_count() or 1) - 1
    return "0", str(min(1, last))


def pinned(core: str, cmd: list[str]) -> list[str]:
    """``cmd`` under ``taskset -c core`` (children inherit the affinity)."""
    return ["taskset", "-c", core, *cmd] if shutil.which("taskset") else cmd


@contextlib.contextmanager
def spawned(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group, killed (group-wide) when the block ends."""
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait()


@contextlib.contextmanager
def static_server(tmp: Path, core: str) -> Iterator[tuple[str, str]]:
    """(base URL, path) of a static page: one-worker nginx if installed, else the app's /health."""
    if shutil.which("nginx"):
        port = free_port()
        tmp.chmod(0o755)  # nginx's worker drops root privileges to read the page
        (tmp / "www").mkdir()
        (tmp / "tmp").mkdir()
        (tmp / "www" / "index.html").write_text("<!doctype html><title>bench</title><p>static page</p>\n")
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(d=tmp, port=port))
        cmd = pinned(core, ["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")])
        with spawned(cmd, tmp / "nginx.out"):
            url = f"http://127.0.0.1:{port}"
            wait_ready(url + "/index.html")
            yield url, "/index.html"
        return
    with bundled_app(tmp / "target.log", data_dir=tmp / "data") as app:
        assert app.process is not None
        os.sched_setaffinity(app.process.pid, {int(core)})
        yield app.url, "/health"


def wait_ready(url: str) -> None:
    """Poll ``url`` until it answers 200 (10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} never became ready")


def wrk_rps(url: str, core: str, seconds: float) -> float:
    """wrk's requests/s with one thread and `CONNECTIONS` connections."""
    cmd = pinned(core, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", url])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=MAX_S + 10, check=True).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    return float(match.group(1))


def locust_run(
    url: str, path: str, core: str, tmp: Path, *, mode: str, users: int, seconds: float, think: str = "0,0",
    spawn_rate: float | None = None, tag: str = "", warmup_s: float = 0.0,
) -> dict[str, Any]:
    """One headless Locust process; its stats (and our summary / raw samples when instrumented)."""
    name = f"{mode}-{users}{tag}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_MODE": mode, "BENCH_THINK": think, "BENCH_PATH": path,
           "BENCH_SUMMARY": str(tmp / f"{name}.summary.json"), "BENCH_SAMPLES": str(tmp / f"{name}.samples.json"),
           "BENCH_WARMUP_S": str(warmup_s)}
    if mode == "plain" or warmup_s:  # a soak keeps no sample list: its memory is what is measured
        env.pop("BENCH_SAMPLES")
    cmd = pinned(core, [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
                        "-u", str(users), "-r", str(spawn_rate or users), "-t", f"{int(seconds)}s",
                        "--only-summary", "--json-file", str(tmp / name), "--stop-timeout", "2"])
    with spawned(cmd, tmp / f"{name}.log", env) as proc:
        proc.wait(timeout=seconds + 60)
    stats = json.loads((tmp / f"{name}.json").read_text())
    requests = sum(row["num_requests"] for row in stats)
    span = max(row["last_request_timestamp"] for row in stats) - min(row["start_time"] for row in stats)
    out: dict[str, Any] = {"requests": requests, "rps": requests / span if span > 0 else 0.0}
    for suffix in ("summary", "samples"):
        path_ = tmp / f"{name}.{suffix}.json"
        if path_.exists():
            out[suffix] = json.loads(path_.read_text())
    return out


def exact_percentile(sorted_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile of exact samples (HdrHistogram's definition, without buckets)."""
    rank = max(math.ceil(pct / 100 * len(sorted_ms)), 1)
    return sorted_ms[rank - 1]


def accuracy(run: dict[str, Any]) -> dict[str, tuple[float, float, float]]:
    """Per percentile: (exact ms, ours ms, relative error): the summary's figures vs every sample."""
    samples = sorted(run["samples"])
    ours = run["summary"]["http"]["raw"]
    if int(ours["count"]) != len(samples):
        raise RuntimeError(f"our histogram holds {ours['count']:.0f} samples, the run had {len(samples)}")
    out = {}
    for pct in (50, 95, 99):
        exact = exact_percentile(samples, pct)
        out[f"p{pct}"] = (exact, ours[f"p{pct}_ms"], (ours[f"p{pct}_ms"] - exact) / exact if exact else 0.0)
    return out


def generator_health(run: dict[str, Any], users: int, think_mean_s: float, ramp_s: float) -> dict[str, float]:
    """CPU p90, loop-lag p95 and achieved / nominal rate over the seconds after the ramp."""
    summary = run["summary"]
    proc = summary["generator"]["processes"]["local"]
    steady = [row["requests"] for row in summary["series"] if row["t"] >= ramp_s + 2][:-1]
    achieved = sum(steady) / len(steady) if steady else 0.0
    return {"cpu_p90": proc["cpu_p90"], "lag_p95_ms": proc["lag"]["p95_ms"],
            "achieved_rps": achieved, "nominal_rps": users / think_mean_s, "ratio": achieved * think_mean_s / users}


def main(argv: list[str] | None = None) -> int:
    """Run every measurement once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each throughput run (<= 30)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk / plain / ours rounds")
    parser.add_argument("--scale-seconds", type=float, default=25.0, help="the 1000-user run (<= 30)")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="the memory soak (0: skip it)")
    args = parser.parse_args(argv)
    gen, srv = cpus()
    print(f"load average {os.getloadavg()}; generator on CPU {gen}, server on CPU {srv}")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp_name:
        tmp = Path(tmp_name)
        measure(args, tmp, gen, srv)
    print(f"load average {os.getloadavg()}")
    return 0


def measure(args: argparse.Namespace, tmp: Path, gen: str, srv: str) -> None:
    """Every measurement against one static server, then the report."""
    seconds, scale_s = min(args.seconds, MAX_S), min(args.scale_seconds, MAX_S)
    with static_server(tmp, srv) as (url, path):
        # Interleaved rounds, medians reported: other tenants of a shared machine come and go.
        rounds: dict[str, list[float]] = {"wrk": [], "plain": [], "ours": []}
        for n in range(args.rounds):
            rounds["wrk"].append(wrk_rps(url + path, gen, seconds))
            rounds["plain"].append(locust_run(url, path, gen, tmp, mode="plain", users=CONNECTIONS,
                                              seconds=seconds, tag=str(n))["rps"])
            ours = locust_run(url, path, gen, tmp, mode="instrumented", users=CONNECTIONS, seconds=seconds, tag=str(n))
            rounds["ours"].append(ours["rps"])
        ramp_s = 5.0
        scale = locust_run(url, path, gen, tmp, mode="instrumented", users=args.users, seconds=scale_s,
                           think="1,3", spawn_rate=args.users / ramp_s)
        report(url + path, rounds, generator_health(scale, args.users, 2.0, ramp_s), accuracy(ours))
        if args.soak_seconds > 0:
            soak = locust_run(url, path, gen, tmp, mode="instrumented", users=SOAK_USERS, seconds=args.soak_seconds,
                              think="1,3", spawn_rate=SOAK_USERS / ramp_s, tag="-soak", warmup_s=SOAK_WARMUP_S)
            report_soak(soak, args.soak_seconds)


SOAK_USERS = 200
SOAK_WARMUP_S = 30.0


def report_soak(run: dict[str, Any], seconds: float) -> None:
    """The generator's memory over the soak (from the summary it wrote at the end)."""
    memory = run["summary"]["generator"]["memory"]
    print(
        f"## Memory: {seconds / 60:.0f}-minute soak, {SOAK_USERS} users, 1-3 s think time, "
        f"{run['requests']:,} requests ({run['rps']:.0f}/s)\n"
        f"resident memory after the {SOAK_WARMUP_S:.0f} s warm-up {memory['warm_mb']:.1f} MB, at the end "
        f"{memory['last_mb']:.1f} MB, max {memory['max_mb']:.1f} MB: growth {memory['growth_mb']:+.1f} MB (goal < 50)"
    )


def report(target: str, rounds: dict[str, list[float]], health: dict[str, float],
           acc: dict[str, tuple[float, float, float]]) -> None:
    """Print the figures as Markdown (throughput: median of the rounds, every round in brackets)."""
    med = {k: statistics.median(v) for k, v in rounds.items()}
    names = {"wrk": "wrk (1 thread)", "plain": "plain Locust FastHttpUser", "ours": "harness instrumented FastHttpUser"}
    lines = [
        f"## Harness overhead (static page {target}, {CONNECTIONS} connections / users, {len(rounds['wrk'])} rounds)",
        "| generator | requests/s (median) | rounds | ratio to wrk |", "|---|---:|---|---:|",
        *(f"| {names[k]} | {med[k]:,.0f} | {', '.join(f'{x:,.0f}' for x in v)} | {med[k] / med['wrk']:.3f} |"
          for k, v in rounds.items()),
        f"instrumented / plain = {med['ours'] / med['plain']:.3f} (goal >= 0.90)",
        "## Generator health at scale (one process, one core, 1-3 s think time)",
        f"CPU p90 {health['cpu_p90']:.0f} % (goal <= 45), loop lag p95 {health['lag_p95_ms']:.2f} ms (goal <= 5), "
        f"achieved {health['achieved_rps']:.0f}/s of nominal {health['nominal_rps']:.0f}/s = {health['ratio']:.3f} "
        "(goal >= 0.98)",
        "## Accuracy (the last instrumented throughput run, every sample)",
        "| percentile | exact ms | ours ms | error |", "|---|---:|---:|---:|",
        *(f"| {k} | {e:.3f} | {o:.3f} | {err:+.2%} |" for k, (e, o, err) in acc.items()),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
