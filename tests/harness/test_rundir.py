"""Run directories: unique folders, a `latest` pointer, validated atomic stage results."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from vocabulary import atomic
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Finding, Severity, StageResult, Status, ValidityCheck
from vocabulary.rundir import RunDir


def _result() -> StageResult:
    return StageResult(
        stage="contracts",
        status=Status.FAILED,
        target_url="http://127.0.0.1:1",
        profile="smoke",
        metrics={"contracts.failures.total": 1.0},
        findings=[Finding("response_schema_conformance", Severity.HIGH, "bad", "GET /a", "fp1")],
        validity=[ValidityCheck("operations tested", True, "12 of 12", ("contracts.*",))],
    ).finish()


def test_create_points_latest_at_the_newest(tmp_path: Path) -> None:
    first = RunDir.create(tmp_path, "smoke")
    second = RunDir.create(tmp_path, "smoke")
    assert first.path != second.path
    assert (tmp_path / "latest").resolve() == second.path.resolve()


def test_result_round_trip_through_the_schema(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "smoke")
    written = run.write_result(_result())
    assert json.loads(written.read_text())["status"] == "failed"
    assert run.results()["contracts"] == _result().__class__.from_dict(json.loads(written.read_text()))


def test_invalid_result_is_refused_before_writing(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "smoke")
    bad = _result()
    bad.metrics["p95_ms"] = 1.0  # no stage prefix
    with pytest.raises(jsonschema.ValidationError):
        run.write_result(bad)
    assert not (run.path / "contracts.json").exists()


def test_the_folder_says_which_stages_ran_in_the_runs_order(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "smoke")
    run.write_meta({"stages": ["security", "contracts", "e2e"]})  # e2e left no result
    for stage in ("contracts", "tiny", "security"):  # tiny: a plugin stage run.json does not list
        run.write_result(dataclasses.replace(_result(), stage=stage, metrics={f"{stage}.checks": 1.0}))
    assert run.stages() == ["security", "contracts", "tiny"]
    assert list(run.results()) == ["security", "contracts", "tiny"]


def test_tampered_result_is_a_clear_error(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "smoke")
    atomic.write_json(run.path / "load.json", {"stage": "load"})
    with pytest.raises(HarnessError, match=r"load\.json is not a valid stage result"):
        run.results()


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    atomic.write_json(target, {"a": 1})
    with pytest.raises(TypeError):
        atomic.write_text(target, object())  # type: ignore[arg-type]
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_output_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(HarnessError) as info:
            RunDir.create(tmp_path / "out", "smoke")
    finally:
        tmp_path.chmod(0o700)
    assert info.value.kind is ErrorKind.OUTPUT


def test_output_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(HarnessError) as info:
        RunDir.create(blocker / "out", "smoke")
    assert info.value.kind is ErrorKind.OUTPUT
    assert info.value.exit_code == 3


def test_full_output_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Filling a real disk is not an option on a shared machine; the free-space figure is what is checked.
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real._replace(free=10 * 1024 * 1024))
    with pytest.raises(HarnessError) as info:
        RunDir.create(tmp_path / "out", "smoke")
    assert info.value.kind is ErrorKind.OUTPUT
    assert "has only 10 MB free" in info.value.message
