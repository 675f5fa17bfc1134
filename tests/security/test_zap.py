"""The ZAP adapter through the real zapv2 client against the ZAP stand-in (see zap_standin.py for why)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from security import stage, zap
from stagekit.target import AppProcess, free_port
from tests.security import zap_standin
from tests.security.helpers import security_context
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Severity

TARGET = "http://127.0.0.1:9"


@pytest.fixture
def script() -> zap_standin.Script:
    return zap_standin.Script(
        alerts=[
            zap_standin.alert(
                "40012",
                "Cross Site Scripting (Reflected)",
                "High",
                f"{TARGET}/search?q=x",
                confidence="Medium",
                cweid="79",
                param="q",
                evidence="<script>alert(1)</script>",
            ),
            zap_standin.alert("10038", "Content Security Policy (CSP) Header Not Set", "Medium", f"{TARGET}/"),
            zap_standin.alert("10021", "X-Content-Type-Options Header Missing", "Low", f"{TARGET}/api/models/7"),
            zap_standin.alert("10015", "Re-examine Cache-control Directives", "Informational", f"{TARGET}/"),
            zap_standin.alert("10036", "Server Leaks Version", "Low", f"{TARGET}/", confidence="False Positive"),
        ]
    )


@pytest.fixture
def zap_url(script: zap_standin.Script) -> Iterator[str]:
    yield from zap_standin.serve(script)


def settings(url: str, key: str = "test-key", **kw: float | bool) -> zap.Settings:
    return zap.Settings(url=url, api_key=key, poll_s=0.05, **kw)  # type: ignore[arg-type]


def test_scan_runs_zaps_flow_and_maps_risks(zap_url: str, script: zap_standin.Script) -> None:
    result = zap.scan(settings(zap_url), TARGET, f"{TARGET}/openapi.json", threading.Event(), lambda _: None)
    assert result.version == zap_standin.VERSION and result.timed_out == []
    risks = {(a.plugin_id, a.risk.value, a.cwe) for a in result.alerts}
    assert risks == {
        ("40012", "High", 79),
        ("10038", "Medium", 693),
        ("10021", "Low", 693),
        ("10015", "Informational", 693),
    }
    assert script.called("openapi/action/importUrl") == [{"url": f"{TARGET}/openapi.json", "contextId": "1"}]
    assert script.called("spider/action/scan")[0]["contextName"].startswith("harness-")
    assert len(script.called("pscan/view/recordsToScan")) == 4  # counted down 3, 2, 1, 0
    assert script.called("ascan/action/scan") == []  # passive only unless asked
    assert len(script.called("context/action/removeContext")) == 1


def test_active_scan_runs_when_asked(zap_url: str, script: zap_standin.Script) -> None:
    zap.scan(settings(zap_url, active=True), TARGET, None, threading.Event(), lambda _: None)
    assert script.called("ascan/action/scan") and script.called("ascan/view/status")


def test_a_spider_that_never_finishes_hits_its_timeout(zap_url: str, script: zap_standin.Script) -> None:
    script.spider_polls = 10**9
    started = time.monotonic()
    result = zap.scan(settings(zap_url, spider_timeout_s=1.0), TARGET, None, threading.Event(), lambda _: None)
    assert result.timed_out == ["spider"]
    assert time.monotonic() - started < 5


def test_unreachable_zap_is_a_clear_error_within_seconds() -> None:
    started = time.monotonic()
    with pytest.raises(HarnessError) as raised:
        zap.check_reachable(settings(f"http://127.0.0.1:{free_port()}"))
    assert time.monotonic() - started < 5
    assert raised.value.kind is ErrorKind.TARGET_UNREACHABLE
    assert "ZAP is not reachable at http://127.0.0.1:" in raised.value.message
    assert "zap_fallback" in (raised.value.tip or "")


def test_wrong_api_key_is_a_config_error_that_hides_the_key(zap_url: str) -> None:
    with pytest.raises(HarnessError) as raised:
        zap.check_reachable(settings(zap_url, key="wrong-secret"))
    assert raised.value.kind is ErrorKind.CONFIG
    assert "wrong-secret" not in raised.value.render()


@pytest.mark.slow
def test_stage_in_zap_mode_honours_rules_file(
    bundled_target: AppProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: zap_standin.Script
) -> None:
    script.alerts = [{**a, "url": a["url"].replace(TARGET, bundled_target.url)} for a in script.alerts]
    rules = tmp_path / "rules.tsv"
    rules.write_text("10021\tIGNORE\t(X-Content-Type-Options Header Missing)\n10038\tFAIL\t(CSP)\n", encoding="utf-8")
    monkeypatch.setenv(zap.API_KEY_ENV, "test-key")
    for url in zap_standin.serve(script):
        ctx = security_context(
            bundled_target.url, tmp_path / "run", zap_url=url, rules_file=str(rules), zap_poll_s=0.05
        )
        result = stage.run(ctx)
    assert result.details["mode"] == "zap" and result.tool_versions["zap"] == zap_standin.VERSION
    by_rule = {f.rule: f for f in result.findings}
    assert set(by_rule) == {"40012", "10038", "10015"}
    assert by_rule["40012"].severity is Severity.HIGH and by_rule["40012"].location == "GET /search"
    assert by_rule["10038"].extra["policy"] == "FAIL"
    assert result.details["ignored_by_rules_file"] == {"10021": 1}
    assert result.metrics["security.findings.high"] == 1 and result.metrics["security.findings.low"] == 0
    assert "test-key" not in (tmp_path / "run" / "security" / "zap-alerts.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_stage_falls_back_to_the_baseline_only_when_allowed(bundled_target: AppProcess, tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(HarnessError, match="ZAP is not reachable"):
        stage.run(security_context(bundled_target.url, tmp_path / "strict", zap_url=down))
    assert time.monotonic() - started < 5, "the stage must stop before fetching anything"
    lenient = security_context(bundled_target.url, tmp_path / "lenient", zap_url=down, zap_fallback=True)
    result = stage.run(lenient)
    assert result.details["mode"] == "baseline" and "ZAP unreachable" in result.details["zap_fallback"]
    assert any(v.name == "zap_fallback" for v in result.validity)
