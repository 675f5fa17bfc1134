"""IP literals are resolved in place, names by gevent's thread resolver: the same answers either way."""

from __future__ import annotations

import socket

import gevent
import pytest

from scenarios import resolver


@pytest.mark.parametrize("host", ["127.0.0.1", b"127.0.0.1", "::1", "fe80::1%lo"])
def test_literals_are_recognised(host: str | bytes) -> None:
    assert resolver.is_literal(host)


@pytest.mark.parametrize("host", ["localhost", "shop.invalid", None, "127.0.0.1.nip.invalid"])
def test_names_are_not_literals(host: str | None) -> None:
    assert not resolver.is_literal(host)


def test_answers_equal_the_thread_resolvers() -> None:
    hub = gevent.get_hub()
    before = hub.resolver
    try:
        resolver.install()
        resolver.install()
        assert isinstance(hub.resolver, resolver.LiteralInPlace)
        for host in ("127.0.0.1", "localhost"):
            ours = hub.resolver.getaddrinfo(host, 8080, 0, socket.SOCK_STREAM, socket.SOL_TCP)
            assert ours == socket.getaddrinfo(host, 8080, 0, socket.SOCK_STREAM, socket.SOL_TCP)
    finally:
        hub.resolver = before
