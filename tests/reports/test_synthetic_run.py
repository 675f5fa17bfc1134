"""The scale bench's synthetic run folder (bench/synthetic_run.py, small size) is one the gate and reports take."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.runs import REPO, harness_cli


def test_small_synthetic_run_is_gated_and_reported(tmp_path: Path) -> None:
    script = REPO / "bench" / "synthetic_run.py"
    made = subprocess.run(
        [sys.executable, str(script), str(tmp_path), "--small", "--baseline", "--history", "3"],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    run, baseline = tmp_path / "run-soak", tmp_path / "baseline-soak"
    load = json.loads((run / "load.json").read_text())
    assert len(load["details"]["timeseries"]) == 120 and len(load["details"]["histograms"]) == 6
    assert {p.stem for p in run.glob("*.json")} >= {"run", "verdict", "load", "e2e", "contracts", "security"}

    gated = harness_cli("gate", str(run), "--baseline", str(baseline), "--out", str(tmp_path / "regate"))
    verdict = json.loads((tmp_path / "regate" / "verdict.json").read_text())
    # The other stages' sample results carry findings that breach; the load budgets are judged on the histograms:
    # only the endpoints the baseline had faster regress.
    assert gated.returncode == 1, gated.stderr
    load = {b["budget"]: b for b in verdict["budgets"] if b["stage"] == "load"}
    regressed = {name for name, b in load.items() if b["status"] == "fail"}
    assert regressed and all(name.startswith("endpoint_p95_regression[") for name in regressed)
    assert all(b["status"] in ("pass", "warn", "not_applicable") for name, b in load.items() if name not in regressed)
    assert load["api_p95"]["ci_low"] is not None

    reported = harness_cli("report", str(tmp_path / "regate"))
    assert reported.returncode == 0, reported.stderr
    assert (tmp_path / "regate" / "report.html").stat().st_size > 0
    assert len((tmp_path / "history.jsonl").read_text().splitlines()) == 4  # 3 earlier runs and the re-gated one
