"""Time `reports.write_all` on a run with 50 endpoints and a one-hour per-second load series.

Usage: python bench/report_bench.py [--repeat N]   (target: under 5 s per render)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports import write_all
from tests.reports import samples

ENDPOINTS = 50
SECONDS = 3600
LIMIT_S = 5.0


def build(root: Path) -> Path:
    """A breached run: 50 endpoints (3 over budget), a 3600-row series, every other stage too."""
    names = samples.endpoint_names(ENDPOINTS)
    load = samples.load_result(endpoints=ENDPOINTS, seconds=SECONDS, slow=names[:3])
    return samples.write_run(root / "bench-run", [load, *samples.other_results()], samples.load_budgets(load))


def main() -> int:
    """Render ``--repeat`` times and print the median and worst time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run = build(Path(tmp))
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            written = write_all(run)
            times.append(time.perf_counter() - start)
        sizes = ", ".join(f"{p.name} {p.stat().st_size // 1024} KiB" for p in written)
    print(
        f"{ENDPOINTS} endpoints, {SECONDS} s series: median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s over {args.repeat} renders ({sizes})"
    )
    return 0 if max(times) < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
