"""`harness run` in-process against a loopback server that answers 200, with a stand-in stage runner:
for tests of the pipeline's own behaviour (console lines, exit codes, damaged disks) in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness import cli
from stagekit import stages
from stagekit.stages import StageContext
from tests.fixtures.runs import DATA
from tests.fixtures.servers import Ok, serve
from vocabulary.records import StageResult

SMALL = DATA / "budgets" / "small.toml"


def run_with(
    stage: Callable[[StageContext], StageResult],
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """`harness run --stages load` with ``stage`` as the load stage; the exit code and stderr."""
    monkeypatch.setattr(stages, "resolve", lambda name: stage)
    with serve(Ok) as url:
        code = cli.main(["run", "--target-url", url, "--stages", "load", "--budgets", str(SMALL), "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err
