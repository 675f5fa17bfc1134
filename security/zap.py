"""Drive a running ZAP daemon through the official client (``zapv2``) and read its alerts.

Flow (the same as ZAP's packaged baseline/full scans): a context scoped to the target, import of
the OpenAPI document, the spider, a wait until the passive-scan queue is empty, an optional
active scan (``active_scan = true``), then every alert. Every wait has a
deadline and honours cancellation. The API key comes from ``HARNESS_ZAP_API_KEY`` only and is
never logged or written. Note that zapv2 talks to ZAP as an HTTP proxy (``http://zap/JSON/...``
sent through ``--zap-url``), and its requests have no timeout of their own, so reachability is
checked first with a short direct request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from zapv2 import ZAPv2

from security.rules import Alert, Confidence, Risk
from vocabulary.errors import ErrorKind, HarnessError

API_KEY_ENV = "HARNESS_ZAP_API_KEY"
_PAGE = 500


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where ZAP is and how long each phase may take."""

    url: str
    api_key: str | None
    active: bool = False
    connect_timeout_s: float = 5.0
    spider_timeout_s: float = 120.0
    passive_timeout_s: float = 120.0
    active_timeout_s: float = 600.0
    poll_s: float = 1.0


@dataclasses.dataclass
class Scan:
    """What a ZAP session produced: its version, the alerts, and which waits ran out of time."""

    version: str
    alerts: list[Alert] = dataclasses.field(default_factory=list)
    timed_out: list[str] = dataclasses.field(default_factory=list)
    raw: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def check_reachable(settings: Settings) -> str:
    """ZAP's version, or a clear error within ``connect_timeout_s`` when it is down or refuses the key."""
    headers = {"X-ZAP-API-Key": settings.api_key} if settings.api_key else {}
    try:
        response = httpx.get(
            f"{settings.url.rstrip('/')}/JSON/core/view/version/", headers=headers, timeout=settings.connect_timeout_s
        )
    except httpx.HTTPError as exc:
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"ZAP is not reachable at {settings.url}: {type(exc).__name__}: {exc}",
            tip="start it (docker run -p 8090:8090 zaproxy/zap-stable zap.sh -daemon -port 8090 ...), "
            "fix --zap-url, or allow the built-in baseline with zap_fallback = true",
        ) from exc
    if response.status_code in {401, 403} or "bad_api_key" in response.text:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"ZAP at {settings.url} refused the API key (HTTP {response.status_code})",
            tip=f"set {API_KEY_ENV} to the key ZAP was started with (-config api.key=...)",
        )
    if response.status_code != 200:
        raise HarnessError(ErrorKind.TARGET_UNREACHABLE, f"ZAP at {settings.url} answered HTTP {response.status_code}")
    return str(response.json().get("version", "unknown"))


def scan(
    settings: Settings, target: str, openapi_url: str | None, cancel: threading.Event, log: Callable[[str], None]
) -> Scan:
    """Run the whole ZAP flow against ``target`` and return its alerts."""
    result = Scan(version=check_reachable(settings))
    zap = ZAPv2(
        apikey=settings.api_key, proxies={"http": settings.url, "https": settings.url}, validate_status_code=True
    )
    context = f"harness-{int(time.time())}"
    try:
        context_id = zap.context.new_context(context)
        zap.context.include_in_context(context, re.escape(target.rstrip("/")) + ".*")
        if openapi_url and openapi_url.startswith(("http://", "https://")):
            log(f"ZAP: importing {openapi_url}")
            zap.openapi.import_url(openapi_url, contextid=context_id)
        log("ZAP: spidering")
        spider_id = zap.spider.scan(url=target, contextname=context)
        spider_done = lambda: int(zap.spider.status(spider_id)) >= 100  # noqa: E731 - a poll predicate
        _wait(result, "spider", spider_done, settings.spider_timeout_s, cancel, settings.poll_s)
        log("ZAP: waiting for the passive scan queue")
        queue_empty = lambda: int(zap.pscan.records_to_scan) == 0  # noqa: E731 - a poll predicate
        _wait(result, "passive", queue_empty, settings.passive_timeout_s, cancel, settings.poll_s)
        if settings.active:
            log("ZAP: active scan")
            scan_id = zap.ascan.scan(url=target, recurse=True, contextid=context_id)
            active_done = lambda: int(zap.ascan.status(scan_id)) >= 100  # noqa: E731 - a poll predicate
            if not _wait(result, "active", active_done, settings.active_timeout_s, cancel, settings.poll_s):
                zap.ascan.stop(scan_id)
        result.raw = _alerts(zap, target)
        result.alerts = [a for a in map(to_alert, result.raw) if a is not None]
    except HarnessError:
        raise
    except Exception as exc:  # zapv2 raises bare Exception for API errors; re-raised as a typed stage error
        raise HarnessError(ErrorKind.STAGE, f"ZAP API call failed: {exc}") from exc
    finally:
        _remove_context(zap, context)
    return result


def _wait(
    result: Scan, phase: str, done: Callable[[], bool], timeout_s: float, cancel: threading.Event, poll_s: float
) -> bool:
    """Poll ``done`` until true; False (and recorded) when the deadline passes first."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if cancel.is_set():
            raise KeyboardInterrupt
        if time.monotonic() >= deadline:
            result.timed_out.append(phase)
            return False
        time.sleep(poll_s)
    return True


def _alerts(zap: ZAPv2, target: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = zap.alert.alerts(baseurl=target, start=len(found), count=_PAGE)
        found.extend(page)
        if len(page) < _PAGE:
            return found


def _remove_context(zap: ZAPv2, context: str) -> None:
    # Best-effort cleanup: the scan's own outcome is already decided and must not be masked.
    with contextlib.suppress(Exception):
        zap.context.remove_context(context)


def to_alert(raw: dict[str, Any]) -> Alert | None:
    """A ZAP alert (JSON API shape) as an `Alert`; None for alerts marked False Positive."""
    confidence = str(raw.get("confidence", "Medium"))
    if confidence == "False Positive":
        return None
    cwe = str(raw.get("cweid", "0"))
    return Alert(
        plugin_id=str(raw.get("pluginId", raw.get("alertRef", ""))),
        name=str(raw.get("alert") or raw.get("name", "")),
        risk=Risk(str(raw.get("risk", "Informational"))),
        confidence=Confidence(confidence),
        cwe=int(cwe) if cwe.lstrip("-").isdigit() else 0,
        method=str(raw.get("method", "GET")),
        url=str(raw.get("url", "")),
        evidence=str(raw.get("evidence", "")),
        param=str(raw.get("param", "")),
        other=str(raw.get("other", ""))[:500],
    )
