"""`harness run` against targets it must not or cannot reach: fast, clear, right exit code."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.fixtures.runs import RunCli


def test_unreachable_target_is_inconclusive_within_seconds(run_cli: RunCli, tmp_path: Path) -> None:
    started = time.monotonic()
    done = run_cli("run", "--target-url", "http://127.0.0.1:9", "--stages", "contracts", "--out", str(tmp_path))
    assert time.monotonic() - started < 10
    assert done.returncode == 2, done.stderr
    assert "http://127.0.0.1:9 is not reachable" in done.stderr
    verdict = json.loads((tmp_path / "latest" / "verdict.json").read_text())
    assert verdict["outcome"] == "inconclusive"


def test_remote_target_is_refused_before_any_traffic(run_cli: RunCli, tmp_path: Path) -> None:
    done = run_cli("run", "--target-url", "http://shop.example.invalid", "--out", str(tmp_path / "out"))
    assert done.returncode == 4, done.stderr
    assert "refusing to send load or scans to non-loopback host 'shop.example.invalid'" in done.stderr
    assert not (tmp_path / "out" / "latest").exists()


def test_bad_flag_is_a_usage_error(run_cli: RunCli) -> None:
    done = run_cli("run", "--profile", "smok")
    assert done.returncode == 4
    assert "invalid choice: 'smok'" in done.stderr
