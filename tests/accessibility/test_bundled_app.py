"""The bundled app without faults: every described page and state audited, no serious or critical violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stagekit.description import bundled_description
from stagekit.target import AppProcess
from target_app.a11y_states import STATES
from tests.accessibility.conftest import RunStage
from tests.fixtures.target import bundled_info
from vocabulary.records import Status


@pytest.mark.slow
def test_every_page_and_state_is_free_of_serious_and_critical_violations(
    bundled_target: AppProcess, run_stage: RunStage, tmp_path: Path
) -> None:
    result = run_stage(bundled_info(bundled_target.url), options={})
    assert result.status is Status.PASSED, result.error
    assert [c for c in result.validity if not c.ok] == []
    audited = {item["name"] for item in result.details["audited"]}
    described = bundled_description()
    expected = {*described.pages, *described.auth_pages, *(f"state:{state.name}" for state in STATES)}
    assert audited == expected
    assert result.metrics["a11y.rules.applied"] >= 30
    blocking = [f for f in result.findings if f.extra["impact"] in ("serious", "critical")]
    assert not blocking, "\n".join(f"{f.rule} at {f.location}: {f.extra['html']}" for f in blocking)
    assert result.metrics["a11y.violations.serious"] == result.metrics["a11y.violations.critical"] == 0
    raw = tmp_path / "run" / result.artifacts["axe_results"]
    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(raw.glob("*.json"))]
    assert {record["name"] for record in records} == expected
    assert all(record["axe"]["testEngine"]["name"] == "axe-core" for record in records)
