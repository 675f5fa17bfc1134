"""Load and scans go to loopback unless explicitly allowed; the refusal never resolves the name."""

from __future__ import annotations

import socket

import pytest

from stagekit.netguard import check_target_url, is_loopback_host
from vocabulary.errors import ErrorKind, HarnessError


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "app.localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.invalid", "10.0.0.1", "192.168.1.2", "0.0.0.0", "localhost.invalid"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


def test_remote_refused_without_any_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise AssertionError("the guard must not resolve names")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(HarnessError) as info:
        check_target_url("https://shop.example.invalid/api", allow_remote=False)
    assert info.value.kind is ErrorKind.REMOTE_REFUSED
    assert info.value.exit_code == 4
    assert "shop.example.invalid" in info.value.message
    assert "--allow-remote" in (info.value.tip or "")


def test_remote_allowed_when_asked() -> None:
    assert check_target_url("https://shop.example.invalid/", allow_remote=True) == "https://shop.example.invalid"


def test_not_a_url() -> None:
    with pytest.raises(HarnessError) as info:
        check_target_url("127.0.0.1:8000", allow_remote=False)
    assert info.value.kind is ErrorKind.USAGE
