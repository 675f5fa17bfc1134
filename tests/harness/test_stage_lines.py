"""The console's stage line says what happened, in the reports' words: "load: ran, 1 budget
breached, …", "load: error: …", "load: not applicable: …"; never "passed" beside a breach, and once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stagekit.stages import StageContext
from tests.harness.fake_run import run_with
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult, Status

MEASURED = {
    "load.http.p95_ms": 812.0,  # api_p95 breached
    "load.http.p99_ms": 90.0,
    "load.http.error_ratio": 0.0,
    "load.availability.ratio": 1.0,
}


def _line(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if re.match(r"\s+load: ", line)]


def test_a_stage_with_a_breach_never_reads_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_with(
        lambda ctx: ctx.result(status=Status.PASSED, metrics=dict(MEASURED)), tmp_path, monkeypatch, capsys
    )
    assert code == 1
    assert _line(err) == ["load: ran, 1 budget breached, 1 inconclusive, 3 met"]
    assert "passed" not in err
    html = (tmp_path / "latest" / "report.html").read_text()
    assert 'Load <small class="st st-breached">(ran, 1 budget breached, 1 inconclusive, 3 met)</small>' in html


def test_an_error_says_error_with_its_tip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def stage(ctx: StageContext) -> StageResult:
        raise HarnessError(ErrorKind.STAGE, "the locustfile raised at import", tip="run it with plain locust")

    code, err = run_with(stage, tmp_path, monkeypatch, capsys)
    assert code == 2
    assert _line(err) == ["load: error: the locustfile raised at import"]
    assert "    tip: run it with plain locust" in err


def test_not_applicable_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    why = "the target serves no pages and no OpenAPI document"
    code, err = run_with(lambda ctx: ctx.result(status=Status.NOT_APPLICABLE, error=why), tmp_path, monkeypatch, capsys)
    assert code == 2  # nothing judged the release
    assert _line(err) == [f"load: not applicable: {why}"]
