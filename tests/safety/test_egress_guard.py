"""The egress guard (`stagekit.egress`): off-host connections fail before any name lookup, are counted
and named; local names never reach the resolver; `--allow-remote HOST...` grows the allowed set."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from harness.config import load_settings
from stagekit import egress
from tests.fixtures.servers import serve
from tests.safety.hostile import REDIRECT_HOST, Redirecting

Lookups = list[str]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Lookups:
    """Names that reached the real resolver (it stands behind the guard, so the guard sees them first)."""
    seen: Lookups = []
    real = socket.getaddrinfo

    def tripwire(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", tripwire)
    return seen


@pytest.fixture
def guarded(tmp_path: Path, lookups: Lookups) -> Iterator[Path]:
    with egress.guarded({"127.0.0.1"}, tmp_path / "egress") as folder:
        yield folder


@pytest.fixture(scope="module")
def redirecting() -> Iterator[str]:
    with serve(Redirecting) as url:
        yield url


def test_a_followed_redirect_is_blocked_before_dns_and_named(guarded: Path, lookups: Lookups, redirecting: str) -> None:
    with pytest.raises(requests.ConnectionError) as info:
        requests.get(f"{redirecting}/cart", timeout=5)
    egress.attribute(info.value, "GET /cart", f"http://{REDIRECT_HOST}/cart")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{redirecting}/api", follow_redirects=True, timeout=5)
    egress.recorder().close()

    assert not [name for name in lookups if name.endswith(".invalid")]
    attempts = egress.collect(guarded)
    assert sum(attempts.values()) == 2
    named = egress.Attempt(REDIRECT_HOST, 80, f"http://{REDIRECT_HOST}/cart", "GET /cart")
    assert attempts[named] == 1
    finding = next(f for f in egress.findings(attempts) if f.location == "GET /cart")
    assert finding.rule == egress.RULE and REDIRECT_HOST in finding.message


def test_local_names_resolve_without_dns(guarded: Path, lookups: Lookups) -> None:
    infos = socket.getaddrinfo("shop.localhost", 80, socket.AF_INET, socket.SOCK_STREAM)
    assert {info[4][0] for info in infos} == {"127.0.0.1"}
    assert socket.gethostbyname("localhost") == "127.0.0.1"
    assert lookups == ["127.0.0.1"]  # the literal only, which needs no lookup


def test_literal_addresses_off_loopback_are_blocked_at_connect(guarded: Path) -> None:
    with socket.socket() as sock, pytest.raises(egress.Blocked):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
    assert egress.recorder().counts == {egress.Attempt("192.0.2.1", 80): 1}


def test_allowed_remote_hosts_reach_the_resolver(tmp_path: Path, lookups: Lookups) -> None:
    with egress.guarded({"127.0.0.1", "api.example.invalid"}, tmp_path), pytest.raises(socket.gaierror):
        socket.getaddrinfo("api.example.invalid", 443)
    assert lookups == ["api.example.invalid"]


def test_the_guard_is_removed_after_the_stage(tmp_path: Path, lookups: Lookups) -> None:
    with egress.guarded({"127.0.0.1"}, tmp_path), pytest.raises(egress.Blocked):
        socket.getaddrinfo("other.invalid", 80)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("other.invalid", 80)  # the resolver again: no guard outside a stage
    assert lookups == ["other.invalid"]


def test_a_tool_run_under_the_guard_reports_to_the_stage(tmp_path: Path, redirecting: str) -> None:
    """``python -m stagekit.guarded MODULE`` (how the contracts stage runs Schemathesis)."""
    env = {"PATH": "/usr/bin:/bin", egress.ALLOWED_ENV: "127.0.0.1", egress.REPORT_ENV: str(tmp_path)}
    code = f"import urllib.request as u\ntry: u.urlopen('{redirecting}/x', timeout=5)\nexcept OSError: pass\n"
    (tmp_path / "fetch_once.py").write_text(code)
    subprocess.run(
        [sys.executable, "-m", "stagekit.guarded", "fetch_once"],
        cwd=tmp_path, env={**env, "PYTHONPATH": f"{tmp_path}:{Path.cwd()}"}, check=True, timeout=30,
    )  # fmt: skip
    assert egress.collect(tmp_path) == {egress.Attempt(REDIRECT_HOST, 80): 1}


@pytest.mark.parametrize(
    ("given", "meaning"),
    [
        ("1", True),
        ("false", False),
        ("api.example.com, CDN.example.com", ("api.example.com", "cdn.example.com")),
        ([], True),  # the bare flag
    ],
)
def test_allow_remote_takes_hosts(given: object, meaning: object, tmp_path: Path) -> None:
    assert load_settings({"allow_remote": given}, cwd=tmp_path, environ={}).allow_remote == meaning
