"""Damaged inputs end in a clear message and exit 3 or 4, never a traceback and never 1 ("breached"):
truncated or invalid run files, non-UTF-8 or oversized budget files, a disk that fills mid-run.
The commands run in-process (`harness.cli.main`), so each case takes milliseconds."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import cli
from stagekit.stages import StageContext
from tests.fixtures.runs import DATA, REPO
from tests.harness.fake_run import run_with
from vocabulary import atomic
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult, Status
from vocabulary.source import MAX_BYTES

SMALL = DATA / "budgets" / "small.toml"
DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "not-utf8": lambda data: b"\xff\xfe" + data,
    "not-an-object": lambda data: b"[1, 2]",
    "empty": lambda data: b"",
}


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("file", ["run.json", "load.json"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_gate_on_a_damaged_run_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, damage: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "runs" / "pass", run)
    (run / file).write_bytes(DAMAGE[damage]((run / file).read_bytes()))
    code, err = _main(capsys, "gate", str(run), "--budgets", str(SMALL), "--out", str(tmp_path / "regate"))
    assert code == 4, err
    assert f"{run / file}" in err and ("damaged" in err or "not a valid stage result" in err), err


def test_report_on_a_damaged_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "runs" / "pass", run)
    (run / "verdict.json").write_text('{"outcome": "pa', encoding="utf-8")
    code, err = _main(capsys, "report", str(run))
    assert code == 4 and f"{run / 'verdict.json'} is damaged" in err, err


@pytest.mark.parametrize("flag", ["--budgets", "--known-failures"])
@pytest.mark.parametrize("damage", ["not-utf8", "oversized"])
def test_a_damaged_budget_file_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, damage: str
) -> None:
    bad = tmp_path / "bad.toml"
    if damage == "not-utf8":
        bad.write_bytes(b"schema_version = 1\n# caf\xe9\n")
    else:
        bad.write_bytes(b"# padding\n" * (MAX_BYTES // 10 + 1))
    code, err = _main(capsys, "gate", str(DATA / "runs" / "pass"), flag, str(bad), "--out", str(tmp_path / "o"))
    assert code == 4, err
    assert str(bad) in err
    assert (
        ("bad.toml:2:6: not UTF-8 text (byte 0xe9)" in err) if damage == "not-utf8" else ("larger than 1024 KiB" in err)
    )
    assert not (tmp_path / "o").exists(), "refused before anything is written"


def test_a_disk_that_fills_mid_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while a stage runs: its result cannot be saved. Exit 3 with the file and the
    reason, and run.json (written before) still says the run is incomplete."""
    real_fsync, full = os.fsync, []

    def fsync(fd: int) -> None:
        if full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    def stage(ctx: StageContext) -> StageResult:
        full.append(True)  # the stage's own output filled the disk
        return ctx.result(status=Status.PASSED, metrics={"load.http.p95_ms": 812.0})

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = run_with(stage, tmp_path, monkeypatch, capsys)
    assert code == 3, err
    run = (tmp_path / "latest").resolve()
    flat = "".join(err.split())  # rich folds long paths over lines
    assert f"cannotwrite{run / 'load.json'}:Nospaceleftondevice" in flat, err
    assert json.loads((run / "run.json").read_text())["complete"] is False
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")], "no half-written file is left"


def test_a_failed_write_names_the_file_and_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "verdict.json"
    with pytest.raises(HarnessError) as caught:
        atomic.write_json(target, {"a": 1})
    assert caught.value.kind is ErrorKind.OUTPUT and caught.value.exit_code == 3
    assert f"cannot write {target}: No space left on device" == caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_run_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    """Report files are readable by a web server publishing the run folder (0644 by default)."""
    target = tmp_path / "summary.md"
    code = f"import os; os.umask({umask}); from vocabulary import atomic; from pathlib import Path; "
    code += f"atomic.write_text(Path({str(target)!r}), 'x')"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)
    assert stat.S_IMODE(target.stat().st_mode) == mode
