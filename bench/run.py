"""One bench command: every figure of issue 21's table, with its goal, in one table.

Rows (``--only`` picks some, by name):

  generator  instrumented ÷ plain Locust FastHttpUser req/s, one core   `bench/load_bench.py --json`
  accuracy   percentile error vs exact                                   `bench/load_bench.py --json`
  users      think-time users one generator process holds on one core   `bench/load_bench.py --json`
  memory     generator memory over a soak, projected to 1 h             `bench/load_bench.py --json`
  artillery  ours ÷ Artillery 2.0.21, same page and core                `bench/artillery_bench.py`
  peak       the peak profile on the bundled app (users, p95, req/s)    `harness run --profile peak --stages load`,
             then on the commit issue 21 measured it on (`--peak-reference`)
  smoke      a smoke gate's wall time, `harness run` to verdict          `harness run --profile smoke`,
             with each stage's core-seconds (/proc/stat) and the CPU floor they allow
  scale      gate + reports over 10 M requests, 50 endpoints, 1 h        `bench/scale_bench.py`
  suite      the project's own test suite (only with ``--suite``)        pytest as `./noxw -s tests` runs it

Every figure is measured against a reference in the same run where one exists (these machines are
shared: the load average goes with each row). A row that could not be measured says why and is
never met. The table is printed and written to ``<out>/bench.md`` and ``<out>/bench.json``.
Loopback only; every measurement has a deadline and every process it started is killed.

    python bench/run.py [--out DIR] [--only scale,peak] [--suite] [--soak-seconds 600]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench import artillery_bench, measure, scale_bench  # noqa: E402
from bench.measure import Row  # noqa: E402
from stagekit import supervisor  # noqa: E402
from vocabulary import atomic  # noqa: E402

LOAD_BENCH = ROOT / "bench" / "load_bench.py"
GENERATOR_ROWS = {
    "generator": ("generator overhead", ">= 0.95"),
    "accuracy": ("percentile error vs exact", "<= 0.1%"),
    "users": ("think-time users one generator process holds on one core", ">= 5000"),
    "memory": ("generator memory growth over 1 h", "< 50 MB"),
}
"""Name -> (the start of `load_bench.py`'s figure, its goal): its rows are matched by that start."""
PEAK_FIGURES = "issue 21: 1000 users, p95 11.6 ms, 571 req/s"
PEAK_REFERENCE = "2a4f806"
"""The main issue 21 measured its peak figures on: its load stage and bundled app, run in the same bench,
are the peak row's reference (absolute figures follow the machine: old and new both moved 4x since)."""
PEAK_P95_RATIO = 1.5
"""p95 at 1000 users varies by up to 1.65x between back-to-back runs of one commit here (47.7-78.6 ms)."""
PEAK_RPS_RATIO = 0.95
SMOKE_GOAL_S = 60.0
SUITE_GOAL_S = 600.0


def generator_rows(names: list[str], work: Path, args: argparse.Namespace) -> list[Row]:
    """`load_bench.py --json` with only the measurements ``names`` need; its rows of those names."""
    wanted = {name: GENERATOR_ROWS[name] for name in names}
    flags = [
        "--rounds", "5" if "generator" in wanted else "1" if "accuracy" in wanted else "0",
        "--users", "5000" if "users" in wanted else "0",
        "--soak-seconds", str(args.soak_seconds if "memory" in wanted else 0),
        "--json", str(work / "load_bench.json"),
    ]  # fmt: skip
    if "--json" not in _help(LOAD_BENCH, work):
        return [measure.not_measured(f, g, "bench/load_bench.py has no --json option yet") for f, g in wanted.values()]
    timeout = 900 + (args.soak_seconds if "memory" in wanted else 0)
    done = measure.run([sys.executable, str(LOAD_BENCH), *flags], env=measure.child_env(), log=work / "load_bench.log",
                       timeout_s=timeout)  # fmt: skip
    found = json.loads((work / "load_bench.json").read_text()) if (work / "load_bench.json").exists() else []
    rows = []
    for figure, goal in wanted.values():
        mine = [r for r in found if str(r.get("figure", "")).startswith(figure)]
        why = f"load_bench.py exited with {done.returncode} without this figure (see {work / 'load_bench.log'})"
        rows += [_from_load_bench(r) for r in mine] or [measure.not_measured(figure, goal, why)]
    return rows


def _from_load_bench(found: dict[str, Any]) -> Row:
    return Row(str(found["figure"]), float(found["measured"]), str(found["goal"]), bool(found["met"]),
               str(found.get("detail", "")))  # fmt: skip


def _help(script: Path, work: Path) -> str:
    log = work / f"{script.stem}-help.log"
    log.unlink(missing_ok=True)
    measure.run([sys.executable, str(script), "--help"], env=measure.child_env(), log=log, timeout_s=60)
    return log.read_text(errors="replace") if log.exists() else ""


def harness_run(
    work: Path, profile: str, *extra: str, timeout_s: float, checkout: Path = ROOT
) -> tuple[measure.Timing, Path | None]:
    """``harness run --profile PROFILE EXTRA --out WORK`` of ``checkout``; its timing and run folder."""
    argv = [sys.executable, "-m", "harness", "run", "--profile", profile, "--out", str(work), *extra]
    env = measure.child_env() | ({} if checkout == ROOT else {"PYTHONPATH": str(checkout)})
    timing = measure.run(argv, env=env, log=work / f"{profile}.log", timeout_s=timeout_s, cwd=checkout)
    latest = work / "latest"
    return timing, latest.resolve() if latest.exists() else None


@dataclasses.dataclass(frozen=True)
class Peak:
    """One peak run's load figures."""

    users: float
    held: float
    p95_ms: float
    rps: float
    returncode: int | None

    @classmethod
    def read(cls, timing: measure.Timing, run: Path | None) -> Peak | None:
        """The figures of ``run``'s load.json; None when the run left none."""
        if run is None or not (run / "load.json").exists():
            return None
        metrics = json.loads((run / "load.json").read_text())["metrics"]
        return cls(metrics.get("load.users.peak", 0.0), metrics.get("load.users.held_ratio", 0.0),
                   metrics.get("load.http.p95_ms", float("nan")), metrics.get("load.http.rps", 0.0),
                   timing.returncode)  # fmt: skip

    def describe(self) -> str:
        return (f"{self.users:.0f} users (held {self.held:.0%}), p95 {self.p95_ms:.1f} ms, {self.rps:.0f} req/s, "
                f"exit code {self.returncode} (0: every load budget met)")  # fmt: skip


def peak_row(work: Path, args: argparse.Namespace) -> list[Row]:
    """The peak profile, load stage only, on the bundled app with the generator on the same cores, then the
    same on the reference commit (its own harness and bundled app): p95 and req/s as ratios to it."""
    figure = "peak profile, bundled app: p95 at 1000 users"
    goal = (f"keep ({PEAK_FIGURES}): users held, p95 <= {PEAK_P95_RATIO:g} x and req/s >= {PEAK_RPS_RATIO:g} x "
            f"those of {args.peak_reference}")  # fmt: skip
    checkout = _checkout(args.peak_reference, work / "reference-checkout")
    reference = Peak.read(*harness_run(work / "reference", "peak", "--stages", "load", timeout_s=900,
                                       checkout=checkout))  # fmt: skip
    if reference is None:
        return [measure.not_measured(figure, goal, f"the reference run left no load result; see {work / 'reference'}")]
    ours = Peak.read(*harness_run(work / "head", "peak", "--stages", "load", timeout_s=900))
    if ours is None:
        return [measure.not_measured(figure, goal, f"no load result; see {work / 'head'}")]
    ratio = ours.p95_ms / reference.p95_ms
    held = min(ours.users, reference.users) >= 1000 and ours.held >= 0.95
    met = held and ratio <= PEAK_P95_RATIO and ours.rps >= PEAK_RPS_RATIO * reference.rps
    detail = f"{ours.describe()}; reference {args.peak_reference}: {reference.describe()}; {measure.load()}"
    return [Row(figure, ours.p95_ms, goal, met, detail, reference.p95_ms, ratio, "ms")]


def _checkout(commit: str, into: Path) -> Path:
    """``commit``'s tree in ``into`` (git archive: the repository itself is not touched)."""
    if not into.exists():
        into.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def smoke_row(work: Path, _: argparse.Namespace) -> list[Row]:
    """A whole smoke gate from `harness run` to its verdict. The reference is the floor of its CPU: the load
    stage's wall time (it keeps the machine to itself) plus the machine's busy core-seconds after it spread
    over every core, i.e. the shortest run the stages' own CPU allows if everything else shared perfectly."""
    figure, goal = "smoke gate, every default stage: `harness run` to verdict", f"<= {SMOKE_GOAL_S:g} s"
    with measure.CpuTimeline() as cpu:
        timing, run = harness_run(work, "smoke", timeout_s=900)
        ended = time.time()
    started = ended - timing.wall_s
    if run is None or not (run / "verdict.json").exists():
        return [measure.not_measured(figure, goal, f"no verdict (exit {timing.returncode}); see {work}")]
    stages = _stage_windows(run)
    used = {stage: cpu.busy_between(start, end) for stage, (start, end) in stages.items()}
    load_end = stages["load"][1] if "load" in stages else started
    floor = (load_end - started) + cpu.busy_between(load_end, ended) / cpu.cores
    stolen = cpu.stolen_between(started, ended)
    detail = (
        f"exit code {timing.returncode}; each stage's seconds and the machine's busy core-seconds meanwhile: "
        + ", ".join(f"{k} {end - start:.0f} s / {used[k]:.0f}" for k, (start, end) in stages.items())
        + f" (stages beside each other share theirs); the hypervisor stole {stolen:.0f} core-seconds meanwhile"
        + f"; reference: the CPU floor on {cpu.cores} cores, "
        f"harness start to the end of load plus the busy core-seconds after it / {cpu.cores}; {measure.load()}"
    )
    return [Row(figure, timing.wall_s, goal, timing.wall_s <= SMOKE_GOAL_S, detail, floor, timing.wall_s / floor, "s")]


def _stage_windows(run: Path) -> dict[str, tuple[float, float]]:
    """Each stage result's start and finish, as ``time.time()`` stamps."""
    found = {}
    for stage in json.loads((run / "run.json").read_text()).get("stages", []):
        file = run / f"{stage}.json"
        if file.exists():
            data = json.loads(file.read_text())
            if data.get("started_at") and data.get("finished_at"):
                found[stage] = (_when(data["started_at"]).timestamp(), _when(data["finished_at"]).timestamp())
    return found


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def suite_row(work: Path, args: argparse.Namespace) -> list[Row]:
    """The project's test suite, as `./noxw -s tests` runs it (installs excluded)."""
    figure, goal = "the project's own test suite (pytest as ./noxw -s tests runs it)", f"<= {SUITE_GOAL_S:g} s"
    if not args.suite:
        return [measure.not_measured(figure, goal, "run with --suite")]
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args.split()]
    timing = measure.run(argv, env=measure.child_env(), log=work / "suite.log", timeout_s=3600)
    detail = f"exit code {timing.returncode} (log {work / 'suite.log'}); {measure.load()}"
    return [Row(figure, timing.wall_s, goal, timing.wall_s <= SUITE_GOAL_S and timing.returncode == 0, detail,
                unit="s")]  # fmt: skip


def artillery_row(work: Path, args: argparse.Namespace) -> list[Row]:
    """`artillery_bench.measure_artillery`."""
    return [artillery_bench.measure_artillery(work, prefix=args.artillery_prefix)]


def scale_rows(work: Path, _: argparse.Namespace) -> list[Row]:
    """`scale_bench.measure_scale`."""
    return scale_bench.measure_scale(work)


Measure = Callable[[Path, argparse.Namespace], list[Row]]
ROWS: dict[str, Measure] = {
    "artillery": artillery_row,
    "peak": peak_row,
    "smoke": smoke_row,
    "scale": scale_rows,
    "suite": suite_row,
}
NAMES = [*GENERATOR_ROWS, *ROWS]


def collect(names: list[str], out: Path, args: argparse.Namespace) -> list[Row]:
    """Every selected row, in the table's order; a row that crashed is not measured, with the error."""
    rows: list[Row] = []
    generator = [name for name in GENERATOR_ROWS if name in names]
    if generator:
        rows += _guarded(generator, functools.partial(generator_rows, generator, _work(out, "generator"), args))
    for name, measure_rows in ROWS.items():
        if name in names:
            rows += _guarded([name], functools.partial(measure_rows, _work(out, name), args))
    return rows


def _guarded(names: list[str], measure_rows: Callable[[], list[Row]]) -> list[Row]:
    try:
        return measure_rows()
    except Exception as exc:  # noqa: BLE001 - recorded as the row's reason; the other rows still run
        return [measure.not_measured(f"{name} rows", "-", f"{type(exc).__name__}: {exc}") for name in names]


def _work(out: Path, name: str) -> Path:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def table(rows: list[Row]) -> str:
    """The Markdown table, then each row's detail."""
    lines = ["| figure | measured | reference (same run) | ratio | goal | met |", "|---|---:|---:|---:|---|---|"]
    for row in rows:
        cells = [_number(row.measured, row.unit), _number(row.reference, row.unit), _number(row.ratio, "")]
        met = "yes" if row.met else "not measured" if row.measured is None else "**no**"
        lines.append(f"| {row.figure} | {' | '.join(cells)} | {row.goal} | {met} |")
    notes = [f"- {row.figure}: {row.detail}" for row in rows if row.detail]
    return "\n".join([*lines, "", *notes])


def _number(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:.4g}{' ' + unit if unit else ''}"


def main(argv: list[str] | None = None) -> int:
    """Measure the selected rows, print the table, write bench.md and bench.json; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="run folder (default harness-runs/bench-<UTC time>)")
    parser.add_argument("--only", default=",".join(NAMES), help=f"comma-separated rows: {','.join(NAMES)}")
    parser.add_argument("--suite", action="store_true", help="also time the project's test suite (minutes)")
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="the generator memory soak")
    parser.add_argument("--pytest-args", default="-n auto", help="the suite's flags (the nox session passes its own)")
    parser.add_argument("--artillery-prefix", type=Path, help="where Artillery is (or gets) npm-installed")
    parser.add_argument("--peak-reference", default=PEAK_REFERENCE, help="the commit the peak row compares with")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    if unknown := [n for n in names if n not in NAMES]:
        parser.error(f"unknown rows {', '.join(unknown)}; known: {', '.join(NAMES)}")
    out = (args.out or ROOT / "harness-runs" / f"bench-{datetime.now(UTC):%Y%m%d-%H%M%S}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = measure.load()
    with supervisor.interruptible():
        rows = collect(names, out, args)
    text = f"# Bench ({', '.join(names)})\n\nstart: {started}; end: {measure.load()}\n\n{table(rows)}\n"
    print(text)
    (out / "bench.md").write_text(text, encoding="utf-8")
    atomic.write_json(out / "bench.json", {"rows": [r.to_dict() for r in rows], "selected": names,
                                           "load_start": started, "load_end": measure.load()})  # fmt: skip
    print(f"written: {out / 'bench.md'}, {out / 'bench.json'}")
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
