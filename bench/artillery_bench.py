"""Our instrumented Locust user against Artillery 2.0.21 on the same static page and the same core.

Both generators are pinned to one core, the page is a one-worker nginx on the other
(`load_bench.static_server`); ``--rounds`` interleaved rounds of each, the figure is the median of
the rounds' ours ÷ Artillery requests/s (goal >= 2.5). Artillery runs 50 virtual users that each
loop on the page, as Locust's 50 users do; its rate is its request count over its first-to-last
metric span. Artillery is installed from npm once into ``--prefix`` (``npm i artillery@2.0.21
--ignore-scripts``: its Playwright engine's browser download is not needed for HTTP); when it
cannot be installed or run the row says why, never a pass.

    python bench/artillery_bench.py [--seconds 10] [--rounds 3] [--prefix DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import load_bench  # noqa: E402 - G1's helpers: the static server, pinning, one Locust run

from bench import measure  # noqa: E402
from bench.measure import Row  # noqa: E402

VERSION = "2.0.21"
GOAL = 2.5
USERS = 50
INSTALL_TIMEOUT_S = 900.0
FIGURE = f"ours ÷ Artillery {VERSION} req/s, same static page, one core"
CONFIG = """config:
  target: "{url}"
  phases: [{{duration: 1, arrivalCount: {users}}}]
scenarios:
  - flow:
      - loop:
          - get: {{url: "{path}"}}
        count: {count}
"""


def default_prefix() -> Path:
    """Where Artillery is installed once and reused."""
    return Path.home() / ".cache" / "release-harness-bench" / f"artillery-{VERSION}"


def install(prefix: Path, log: Path) -> Path:
    """The ``artillery`` executable under ``prefix``, installed from npm if missing; raises RuntimeError why not."""
    binary = prefix / "node_modules" / ".bin" / "artillery"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "package.json").write_text('{"private": true}\n')
    argv = [npm, "i", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", f"artillery@{VERSION}"]
    env = measure.child_env()
    done = measure.run(argv, env=env, log=log, cwd=prefix, timeout_s=INSTALL_TIMEOUT_S)
    if done.returncode != 0 or not binary.exists():
        raise RuntimeError(f"npm i artillery@{VERSION} failed (exit {done.returncode}; see {log})")
    return binary


def artillery_rps(binary: Path, url: str, path: str, core: str, tmp: Path, seconds: float, tag: str) -> float:
    """Artillery's requests/s over one run of about ``seconds`` (the loop count is sized from a first guess)."""
    count = int(seconds * 4000 / USERS)  # ~4 k req/s on one core (issue 21), so about ``seconds`` long
    config = tmp / f"artillery-{tag}.yml"
    config.write_text(CONFIG.format(url=url, users=USERS, path=path, count=count))
    report = tmp / f"artillery-{tag}.json"
    argv = load_bench.pinned(core, [str(binary), "run", "--quiet", "--output", str(report), str(config)])
    env = measure.child_env() | {"ARTILLERY_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    done = measure.run(argv, env=env, log=tmp / "artillery.log", timeout_s=seconds * 20 + 60)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"artillery run failed (exit {done.returncode}; see {tmp / 'artillery.log'})")
    aggregate = json.loads(report.read_text())["aggregate"]
    requests = aggregate["counters"].get("http.responses", 0)
    span_s = (aggregate["lastMetricAt"] - aggregate["firstMetricAt"]) / 1000
    return float(requests / span_s) if span_s > 0 else 0.0


def measure_artillery(work: Path, seconds: float = 10.0, rounds: int = 3, prefix: Path | None = None) -> Row:
    """The comparison row (not measured, with the reason, when Artillery cannot run here)."""
    try:
        binary = install(prefix or default_prefix(), work / "artillery-install.log")
    except (RuntimeError, OSError) as exc:
        return measure.not_measured(FIGURE, f">= {GOAL}", str(exc))
    gen, srv = load_bench.cpus()
    ours, theirs = [], []
    with load_bench.static_server(work, srv) as (url, path):
        for n in range(rounds):
            run = load_bench.locust_run(url, path, gen, work, mode="instrumented", users=USERS, seconds=seconds,
                                        tag=f"-artillery-{n}")  # fmt: skip
            ours.append(float(run["rps"]))
            try:
                theirs.append(artillery_rps(binary, url, path, gen, work, seconds, str(n)))
            except (RuntimeError, OSError, KeyError, ValueError) as exc:
                return measure.not_measured(FIGURE, f">= {GOAL}", str(exc))
    ratios = [o / t for o, t in zip(ours, theirs, strict=True) if t > 0]
    if not ratios:
        return measure.not_measured(FIGURE, f">= {GOAL}", "Artillery completed no request")
    ratio = statistics.median(ratios)
    detail = (
        f"median of {len(ratios)} interleaved rounds ({', '.join(f'{r:.2f}' for r in ratios)}); ours "
        f"{statistics.median(ours):,.0f}/s, Artillery {statistics.median(theirs):,.0f}/s; {measure.load()}"
    )
    return Row(FIGURE, statistics.median(ours), f">= {GOAL}", ratio >= GOAL, detail, statistics.median(theirs), ratio,
               "req/s")  # fmt: skip


def main() -> int:
    """Print the row; exit 1 when the goal is not met or not measured."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefix", type=Path, help=f"Artillery's npm prefix (default {default_prefix()})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="artillery-bench-") as tmp:
        row = measure_artillery(Path(tmp), args.seconds, args.rounds, args.prefix)
    print(f"- {row.figure}: ratio {row.ratio} (goal {row.goal}): {'met' if row.met else 'NOT met'}; {row.detail}")
    return 0 if row.met else 1


if __name__ == "__main__":
    sys.exit(main())
