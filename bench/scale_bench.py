"""Gate and reports at scale: `harness gate` and `harness report` on a synthetic 10 M request run.

The run (`bench/synthetic_run.py`: 50 endpoints' HDR histograms, 1 h of per-second series, every
other stage, a baseline run and 200 earlier runs in the history) is judged and rendered by the CLI
as a user runs it. Figures, each the median of ``--repeat`` runs:

  * gate: from starting ``harness gate RUN --out DIR`` to its ``verdict.json`` (goal < 1 s), also
    with ``--baseline`` (a bootstrap test per endpoint);
  * reports: ``harness report RUN``, every report (HTML with trends, Markdown, JUnit, SARIF,
    metrics.prom, history) (goal < 5 s);
  * peak memory of either (goal < 500 MB).

The reference, measured in the same run, is the same command on a small synthetic run (a few
endpoints, two minutes): what the harness costs whatever the run's size.

    python bench/scale_bench.py [--out DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import measure
from bench.measure import Row, Timing

HISTORY_RUNS = 200
TIMEOUT_S = 300.0
GOALS = {"gate_s": 1.0, "reports_s": 5.0, "memory_mb": 500.0}


def generate(folder: Path, *, small: bool, env: dict[str, str]) -> Path:
    """Write a synthetic run (and its baseline) under ``folder``; the run's path."""
    argv = [sys.executable, str(measure.ROOT / "bench" / "synthetic_run.py"), str(folder), "--baseline"]
    argv += ["--small"] if small else ["--history", str(HISTORY_RUNS)]
    done = measure.run(argv, env=env, log=folder.parent / "generate.log", timeout_s=TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"synthetic_run.py failed (exit {done.returncode}); see {folder.parent / 'generate.log'}")
    return folder / "run-soak"


def harness(*args: str) -> list[str]:
    """``python -m harness ARGS``."""
    return [sys.executable, "-m", "harness", *args]


def repeated(times: int, once: Callable[[int], Timing]) -> list[Timing]:
    """``once(i)`` for i in 0..times-1; an overrun or a crash (exit 3 or worse) stops the bench."""
    found = []
    for i in range(times):
        timing = once(i)
        if timing.returncode is None or timing.returncode >= 3:
            raise RuntimeError(f"harness exited with {timing.returncode} (see the logs beside the run)")
        found.append(timing)
    return found


def gate(run: Path, work: Path, env: dict[str, str], times: int, *extra: str) -> list[Timing]:
    """``harness gate RUN --out work/gate-N``, timed to its verdict.json."""

    def once(i: int) -> Timing:
        out = work / f"gate{'-baseline' if extra else ''}-{i}"
        argv = harness("gate", str(run), "--out", str(out), *extra)
        return measure.run(argv, env=env, log=work / "gate.log", timeout_s=TIMEOUT_S, watch=out / "verdict.json")

    return repeated(times, once)


def report(run: Path, work: Path, env: dict[str, str], times: int) -> list[Timing]:
    """``harness report RUN``, timed to its end."""
    return repeated(times, lambda _: measure.run(harness("report", str(run)), env=env, log=work / "report.log",
                                                 timeout_s=TIMEOUT_S))  # fmt: skip


def to_verdict(timings: list[Timing]) -> float:
    """Median seconds from the start to verdict.json."""
    return statistics.median(t.appeared_s if t.appeared_s is not None else t.wall_s for t in timings)


def wall(timings: list[Timing]) -> float:
    """Median wall seconds."""
    return statistics.median(t.wall_s for t in timings)


def measure_scale(work: Path, times: int = 3) -> list[Row]:
    """Generate both runs, warm the bytecode cache, time gate and reports on each; the rows."""
    env = measure.child_env()
    big = generate(work / "big", small=False, env=env)
    small = generate(work / "small", small=True, env=env)
    measure.run(harness("report", str(small)), env=env, log=work / "warm-up.log", timeout_s=TIMEOUT_S)
    ref_gate, big_gate = gate(small, work / "small", env, times), gate(big, work / "big", env, times)
    baseline = ("--baseline", str(big.parent / "baseline-soak"))
    ref_base = gate(small, work / "small", env, times, "--baseline", str(small.parent / "baseline-soak"))
    big_base = gate(big, work / "big", env, times, *baseline)
    ref_report, big_report = report(small, work / "small", env, times), report(big, work / "big", env, times)
    peak = max(t.peak_mb for t in [*big_gate, *big_base, *big_report])
    ref_peak = max(t.peak_mb for t in [*ref_gate, *ref_base, *ref_report])
    scale = "10 M requests, 50 endpoints, 1 h per-second series"
    reference = "the same command on a 20 k request, 6 endpoint, 2 min run"
    common = f"median of {times}; reference: {reference}; {measure.load()}"
    whole = "whole `harness gate` (verdict, then every report and the terminal table)"
    return [
        _row(f"gate to verdict.json, {scale}", to_verdict(big_gate), to_verdict(ref_gate), "gate_s", "s",
             f"{whole} {wall(big_gate):.2f} s; {common}"),
        _row("gate to verdict.json with --baseline (bootstrap per endpoint)", to_verdict(big_base),
             to_verdict(ref_base), "gate_s", "s", f"{whole} {wall(big_base):.2f} s; {common}"),
        _row(f"all reports (`harness report`), {scale}, {HISTORY_RUNS} runs of history", wall(big_report),
             wall(ref_report), "reports_s", "s", f"HTML, Markdown, JUnit, SARIF, metrics.prom, history; {common}"),
        _row("peak memory of gate and reports at that scale", peak, ref_peak, "memory_mb", "MB",
             f"VmHWM of the harness process; {measure.load()}"),
    ]  # fmt: skip


def _row(figure: str, measured: float, reference: float, goal: str, unit: str, detail: str) -> Row:
    limit = GOALS[goal]
    return Row(figure, measured, f"< {limit:g} {unit}", measured < limit, detail, reference, measured / reference, unit)


def main() -> int:
    """Print the rows; exit 1 when a goal is not met."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep the runs there (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        work = args.out or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = measure_scale(work, args.repeat)
    for row in rows:
        print(
            f"- {row.figure}: {row.measured:.3g} {row.unit} (reference {row.reference:.3g}, goal {row.goal}): "
            f"{'met' if row.met else 'NOT met'}; {row.detail}"
        )
    return 0 if all(row.met for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
