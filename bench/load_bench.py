"""Benchmark of the load generator itself (a developer tool that prints figures, not a test).

Against one static page served by a one-worker nginx on its own core (the bundled app's
/health if nginx is missing), with every generator pinned to the other core, in one run:

  * harness overhead: requests/s of one Locust process with our instrumented FastHttpUser and
    plain Locust FastHttpUser (and ``wrk`` for scale), in ``--rounds`` interleaved rounds; the
    figure is the median of the rounds' instrumented / plain ratios (goal >= 0.95). The CPU
    seconds per request of both, a ratio that a shared machine's load disturbs far less, is
    printed beside it as a cross-check;
  * generator health at scale: ``--users`` (5000) users with 1-3 s think time in one process on
    one core: event-loop lag p95 (goal <= 5 ms), achieved / nominal request rate (goal >= 0.98);
  * accuracy: our HDR p50/p95/p99 against the exact percentiles of the same samples (<= 0.1 %);
  * memory: the generator's resident memory, sampled from outside once a second over a soak at a
    steady rate; its growth from the end of the warm-up to one hour (goal < 50 MB): measured with
    ``--soak-seconds 3600``, else the soak's growth plus its last half's slope over the rest of the hour.

    python bench/load_bench.py [--seconds 5] [--rounds 5] [--users 5000] [--scale-seconds 30]
                               [--soak-seconds 600] [--json figures.json]

``--json PATH`` writes every figure with a goal as a list of rows ``{"figure", "measured",
"goal", "met", "detail"}`` (the one-command bench collects them). Loopback only; each
measurement is bounded (<= 30 s, the soak by --soak-seconds) and every process is killed on the
way out. The machine's load average goes with every figure; a figure measured while the machine
was loaded (1-minute load above the CPU count + 1) is never ``met`` and says it could not be shown.
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
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import load  # noqa: E402
from stagekit.target import bundled_app, free_port  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "static_locustfile.py"
CONNECTIONS = 50
MAX_S = 30.0
RAMP_S = 5.0
THINK_MEAN_S = 2.0
SOAK_USERS = 200
SOAK_WARMUP_S = 30.0
GOALS = {"overhead": 0.95, "lag_p95_ms": 5.0, "achieved": 0.98, "users": 5000, "error": 0.001, "memory_mb": 50.0}
NGINX_CONF = """worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log;
worker_rlimit_nofile 65536;
events {{ worker_connections 16384; }}
http {{ access_log off; client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp;
  fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;
  server {{ listen 127.0.0.1:{port} backlog=8192; root {d}/www; }} }}
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
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx:
        port = free_port()
        tmp.chmod(0o755)  # nginx's worker drops root privileges to read the page
        (tmp / "www").mkdir()
        (tmp / "tmp").mkdir()
        (tmp / "www" / "index.html").write_text("<!doctype html><title>bench</title><p>static page</p>\n")
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(d=tmp, port=port))
        cmd = pinned(core, [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")])
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


class RssWatch:
    """The resident memory of a process, sampled from outside once a second (a thread)."""

    def __init__(self, pid: int) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        with contextlib.suppress(psutil.Error):
            proc, started = psutil.Process(pid), time.monotonic()
            while not self._stop.wait(1.0):
                self.samples.append((time.monotonic() - started, proc.memory_info().rss / 2**20))

    def stop(self) -> list[tuple[float, float]]:
        """Stop sampling; (seconds since start, MB) per sample."""
        self._stop.set()
        self._thread.join()
        return self.samples


def locust_run(
    url: str,
    path: str,
    core: str,
    tmp: Path,
    *,
    mode: str,
    users: int,
    seconds: float,
    think: str = "0,0",
    spawn_rate: float | None = None,
    tag: str = "",
    warmup_s: float = 0.0,
    samples: bool = False,
    probe: bool = False,
) -> dict[str, Any]:
    """One headless Locust process; its stats, CPU seconds, resident memory once a second, (when
    instrumented) our summary, with ``samples`` every response time too, with ``probe`` the bench
    locustfile's loop lag, request count, CPU and users over time (both modes)."""
    name = f"{mode}-{users}{tag}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_MODE": mode,
        "BENCH_THINK": think,
        "BENCH_PATH": path,
        "BENCH_SUMMARY": str(tmp / f"{name}.summary.json"),
        "BENCH_CPU": str(tmp / f"{name}.cpu.json"),
        "BENCH_WARMUP_S": str(warmup_s),
    }
    if samples:
        env["BENCH_SAMPLES"] = str(tmp / f"{name}.samples.json")
    if probe:
        env["BENCH_PROBE"] = str(tmp / f"{name}.probe.json")
    cmd = pinned(
        core,
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            url,
            "-u",
            str(users),
            "-r",
            str(spawn_rate or users),
            "-t",
            f"{int(seconds)}s",
            "--only-summary",
            "--json-file",
            str(tmp / name),
            "--stop-timeout",
            "2",
        ],
    )
    with spawned(cmd, tmp / f"{name}.log", env) as proc:
        rss = RssWatch(proc.pid)
        proc.wait(timeout=seconds + 90)
        rss_mb = rss.stop()
    stats = json.loads((tmp / f"{name}.json").read_text())
    requests = sum(row["num_requests"] for row in stats)
    span = max(row["last_request_timestamp"] for row in stats) - min(row["start_time"] for row in stats)
    out: dict[str, Any] = {"requests": requests, "rps": requests / span if span > 0 else 0.0, "rss_mb": rss_mb}
    for suffix in ("summary", "samples", "cpu", "probe"):
        path_ = tmp / f"{name}.{suffix}.json"
        if path_.exists():
            out[suffix] = json.loads(path_.read_text())
    out["cpu_us_per_request"] = out["cpu"]["cpu_s"] / requests * 1e6 if requests and "cpu" in out else math.nan
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


def generator_health(run: dict[str, Any], users: int) -> dict[str, float]:
    """Loop-lag p95, CPU and achieved / nominal rate over the seconds after the ramp (the bench
    locustfile's probe, the same in both modes), and the users the process reached."""
    lags, counts = run["probe"]["lag_ms"], run["probe"]["requests"]
    steady = [c for c in counts if c[0] >= RAMP_S + 2][:-1]  # the last second may hold the stop
    if len(steady) < 2:
        raise RuntimeError(f"the {users}-user run measured {len(steady)} steady seconds (see its log)")
    (t0, n0, cpu0, _), (t1, n1, cpu1, _) = steady[0], steady[-1]
    window = sorted(lag for t, lag in lags if t0 <= t <= t1)
    achieved = (n1 - n0) / (t1 - t0)
    return {
        "lag_p95_ms": window[min(len(window) - 1, int(0.95 * len(window)))] if window else math.inf,
        "cpu_ratio": (cpu1 - cpu0) / (t1 - t0),
        "cpu_us_per_request": (cpu1 - cpu0) / (n1 - n0) * 1e6 if n1 > n0 else math.inf,
        "users": users,
        "reached": max(c[3] for c in counts),
        "achieved_rps": achieved,
        "nominal_rps": users / THINK_MEAN_S,
        "ratio": achieved * THINK_MEAN_S / users,
    }


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour (nan under two samples)."""
    if len(samples) < 2:
        return math.nan
    mean_t = statistics.fmean(t for t, _ in samples)
    mean_mb = statistics.fmean(mb for _, mb in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return sum((t - mean_t) * (mb - mean_mb) for t, mb in samples) / var * 3600 if var else math.nan


def hour_growth(rss_mb: list[tuple[float, float]], warmup_s: float) -> dict[str, float]:
    """Resident memory growth from the end of the warm-up to one hour into the soak (MB).

    ``observed``: what the soak grew after its warm-up. ``recent_per_h``: the least-squares slope
    of its last half. ``projected``: ``observed`` plus that slope over the rest of the hour (none
    left after a 1 h soak). A generator that levels off grows slower later than in the last half,
    so this bounds the hour from above without charging the warm-up's climb to every later minute
    (a slope over the whole soak did: 80 MB/h from a curve that had been flat for minutes).
    """
    after = [(t, mb) for t, mb in rss_mb if t >= warmup_s]
    if len(after) < 4:
        return {"observed": math.nan, "recent_per_h": math.nan, "first_per_h": math.nan, "projected": math.nan}
    end, half = after[-1][0], (after[0][0] + after[-1][0]) / 2
    recent = slope_per_hour([(t, mb) for t, mb in after if t >= half])
    observed = after[-1][1] - after[0][1]
    return {
        "observed": observed,
        "recent_per_h": recent,
        "first_per_h": slope_per_hour([(t, mb) for t, mb in after if t < half]),
        "projected": observed + max(recent, 0.0) * max(3600.0 - end, 0.0) / 3600,
    }


def loaded() -> str | None:
    """Why the figures just measured cannot be trusted, or None: more runnable tasks over the last
    minute than this bench's own two (generator, server) plus one per core."""
    cores, load1 = os.cpu_count() or 1, os.getloadavg()[0]
    return f"machine loaded (load average {load1:.1f} on {cores} CPUs)" if load1 > cores + 1 else None


def row(figure: str, measured: float, goal: str, met: bool, detail: str) -> dict[str, Any]:
    """One figure as the one-command bench collects it; on a loaded machine never met (could not be
    shown either way: a starved process misses goals, and ratios of starved runs can look better)."""
    busy = loaded()
    if busy:
        met, detail = False, f"could not be shown, {busy}: {detail}"
    return {"figure": figure, "measured": measured, "goal": goal, "met": bool(met), "detail": detail}


def overhead_rows(rounds: dict[str, list[float]], cpu: dict[str, list[float]], target: str) -> list[dict[str, Any]]:
    """Print the throughput table; the instrumented / plain figures as rows (median of the rounds)."""
    med = {k: statistics.median(v) for k, v in rounds.items()}
    ratios = [o / p for o, p in zip(rounds["ours"], rounds["plain"], strict=True)]
    cpu_ratios = [p / o for o, p in zip(cpu["ours"], cpu["plain"], strict=True)]
    names = {"wrk": "wrk (1 thread)", "plain": "plain Locust FastHttpUser", "ours": "harness instrumented FastHttpUser"}
    print("\n".join([
        f"## Harness overhead (static page {target}, {CONNECTIONS} connections / users, {len(ratios)} rounds)",
        "| generator | requests/s (median) | rounds | ratio to wrk | CPU µs / request (rounds) |",
        "|---|---:|---|---:|---|",
        *(f"| {names[k]} | {med[k]:,.0f} | {', '.join(f'{x:,.0f}' for x in v)} | {med[k] / med['wrk']:.3f} | "
          f"{', '.join(f'{x:.1f}' for x in cpu.get(k, []))} |" for k, v in rounds.items()),
    ]))  # fmt: skip
    fmt, goal = ", ".join, GOALS["overhead"]
    ratio, cpu_ratio = statistics.median(ratios), statistics.median(cpu_ratios)
    return [
        row("generator overhead: instrumented ÷ plain Locust FastHttpUser req/s, one core", ratio, f">= {goal}",
            ratio >= goal, f"median of {len(ratios)} interleaved rounds ({fmt(f'{r:.3f}' for r in ratios)}); "
            f"plain {med['plain']:,.0f}/s, ours {med['ours']:,.0f}/s, wrk {med['wrk']:,.0f}/s; {load()}"),
        row("generator overhead cross-check: plain ÷ instrumented CPU seconds per request", cpu_ratio,
            f">= {goal}", cpu_ratio >= goal, f"median of {len(cpu_ratios)} rounds "
            f"({fmt(f'{r:.3f}' for r in cpu_ratios)}): less sensitive to the machine's load than requests/s; {load()}"),
    ]  # fmt: skip


def scale_rows(ours: dict[str, float], plain: dict[str, float], whole_run_lag_ms: float) -> list[dict[str, Any]]:
    """The think-time users figures (one process, one core): ours and, as the reference, plain
    Locust's FastHttpUser with the same users in the same run."""
    lag_ok, rate_ok = ours["lag_p95_ms"] <= GOALS["lag_p95_ms"], ours["ratio"] >= GOALS["achieved"]
    held = ours["reached"] >= ours["users"] and lag_ok and rate_ok

    def health(h: dict[str, float]) -> str:
        return (f"loop lag p95 {h['lag_p95_ms']:.2f} ms, achieved {h['achieved_rps']:.0f}/s of nominal "
                f"{h['nominal_rps']:.0f}/s ({h['ratio']:.3f}), CPU {h['cpu_ratio']:.0%} of a core, "
                f"{h['cpu_us_per_request']:.0f} µs/request")  # fmt: skip

    detail = (
        f"{'held' if held else 'not held'}: {ours['reached']:.0f} of {ours['users']:.0f} users reached, 1-3 s "
        f"think time; after the {RAMP_S:g} s ramp: {health(ours)} (loop lag p95 {whole_run_lag_ms:.2f} ms "
        f"over the whole run, ramp included); plain Locust FastHttpUser, same users, same run: "
        f"{health(plain)}; {load()}"
    )
    users_row = row("think-time users one generator process holds on one core", ours["reached"],
                    f">= {GOALS['users']} (loop lag p95 <= {GOALS['lag_p95_ms']:g} ms, achieved/nominal >= "
                    f"{GOALS['achieved']})", held and ours["users"] >= GOALS["users"], detail)  # fmt: skip
    return [
        users_row,
        row(f"event-loop lag p95 ms at {ours['users']:.0f} think-time users", ours["lag_p95_ms"],
            f"<= {GOALS['lag_p95_ms']:g}", lag_ok, detail),
        row(f"achieved / nominal request rate at {ours['users']:.0f} think-time users", ours["ratio"],
            f">= {GOALS['achieved']}", rate_ok, detail),
    ]  # fmt: skip


def accuracy_row(acc: dict[str, tuple[float, float, float]], requests: int) -> dict[str, Any]:
    """The worst percentile error of the last instrumented throughput run."""
    print("\n".join([
        "## Accuracy (the last instrumented throughput run, every sample)",
        "| percentile | exact ms | ours ms | error |", "|---|---:|---:|---:|",
        *(f"| {k} | {e:.3f} | {o:.3f} | {err:+.3%} |" for k, (e, o, err) in acc.items()),
    ]))  # fmt: skip
    worst = max(abs(err) for _, _, err in acc.values())
    detail = ", ".join(f"{k} {o:.3f} vs exact {e:.3f} ms" for k, (e, o, _) in acc.items())
    return row(
        "percentile error vs exact (p50/p95/p99, worst)",
        worst,
        f"<= {GOALS['error']:.1%}",
        worst <= GOALS["error"],
        f"{detail} over {requests:,} requests",
    )


def memory_row(run: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The generator's memory growth over a 1 h soak after the warm-up (`hour_growth`): measured
    if the soak lasted the hour, else its growth plus the last half's slope over the rest."""
    # Not the shutdown: an exited process not yet reaped reads 0 MB.
    rss = [(t, mb) for t, mb in run["rss_mb"] if t <= seconds and mb > 0]
    growth = hour_growth(rss, SOAK_WARMUP_S)
    every = 30 * max(1, math.ceil(seconds / 600))  # about 20 readings whatever the soak's length
    trail = ", ".join(f"{mb:.0f}" for t, mb in rss if int(t) % every == 0)
    how = "measured over 1 h" if seconds >= 3600 else f"{seconds:.0f} s soak, projected to 1 h"
    detail = (
        f"{how}: {growth['observed']:+.1f} MB after the {SOAK_WARMUP_S:.0f} s warm-up, slope "
        f"{growth['first_per_h']:+.1f} MB/h in the first half and {growth['recent_per_h']:+.1f} MB/h in "
        f"the last (continued to 1 h); {SOAK_USERS} users, 1-3 s think time, {run['requests']:,} requests; "
        f"resident MB every {every} s: {trail}; {load()}"
    )
    return row(
        "generator memory growth over 1 h (after the warm-up)",
        growth["projected"],
        f"< {GOALS['memory_mb']:g} MB",
        growth["projected"] < GOALS["memory_mb"],
        detail,
    )


def measure(args: argparse.Namespace, tmp: Path, gen: str, srv: str) -> list[dict[str, Any]]:
    """Every measurement against one static server; the figures as rows."""
    seconds, scale_s = min(args.seconds, MAX_S), min(args.scale_seconds, MAX_S)
    rows: list[dict[str, Any]] = []
    with static_server(tmp, srv) as (url, path):
        # Interleaved rounds, medians reported: other tenants of a shared machine come and go.
        rounds: dict[str, list[float]] = {"wrk": [], "plain": [], "ours": []}
        cpu: dict[str, list[float]] = {"plain": [], "ours": []}
        ours: dict[str, Any] = {}
        for n in range(args.rounds):
            rounds["wrk"].append(wrk_rps(url + path, gen, seconds))
            for mode, key in (("plain", "plain"), ("instrumented", "ours")):
                last = n == args.rounds - 1
                run = locust_run(url, path, gen, tmp, mode=mode, users=CONNECTIONS, seconds=seconds, tag=str(n),
                                 samples=last and mode == "instrumented")  # fmt: skip
                rounds[key].append(run["rps"])
                cpu[key].append(run["cpu_us_per_request"])
                ours = run if mode == "instrumented" else ours
        if args.rounds:
            rows += overhead_rows(rounds, cpu, url + path)
            rows.append(accuracy_row(accuracy(ours), ours["requests"]))
        if args.users:
            # Ours, then plain Locust as the reference, back to back on the same core and page.
            scale = {
                mode: locust_run(
                    url,
                    path,
                    gen,
                    tmp,
                    mode=mode,
                    users=args.users,
                    seconds=scale_s,
                    think="1,3",
                    spawn_rate=args.users / RAMP_S,
                    probe=True,
                )
                for mode in ("instrumented", "plain")
            }
            rows += scale_rows(
                generator_health(scale["instrumented"], args.users),
                generator_health(scale["plain"], args.users),
                scale["instrumented"]["summary"]["generator"]["processes"]["local"]["lag"]["p95_ms"],
            )
        if args.soak_seconds > 0:
            soak = locust_run(
                url,
                path,
                gen,
                tmp,
                mode="instrumented",
                users=SOAK_USERS,
                seconds=args.soak_seconds,
                think="1,3",
                spawn_rate=SOAK_USERS / RAMP_S,
                tag="-soak",
                warmup_s=SOAK_WARMUP_S,
            )
            rows.append(memory_row(soak, args.soak_seconds))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run every measurement once, print the figures with their goals, optionally write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each throughput run (<= 30)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved wrk / plain / ours rounds (0: skip)")
    parser.add_argument("--scale-seconds", type=float, default=30.0, help="the think-time users run (<= 30)")
    parser.add_argument("--users", type=int, default=GOALS["users"], help="think-time users (0: skip the run)")
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="the memory soak (0: skip it)")
    parser.add_argument("--json", type=Path, help="also write the figures there as JSON rows")
    args = parser.parse_args(argv)
    gen, srv = cpus()
    print(f"{load()}; generator on CPU {gen}, server on CPU {srv}")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp_name:
        rows = measure(args, Path(tmp_name), gen, srv)
    print("## Figures and goals")
    for r in rows:
        verdict = "met" if r["met"] else "not shown" if r["detail"].startswith("could not") else "NOT met"
        print(f"- {r['figure']}: {r['measured']:.4g} (goal {r['goal']}): {verdict}; {r['detail']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
