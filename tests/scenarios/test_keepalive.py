"""Pooled connections stay alive past 1024 open descriptors, and dead ones are still replaced."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
from collections.abc import Iterator

import pytest
from geventhttpclient.client import HTTPClient
from geventhttpclient.connectionpool import ConnectionPool

from scenarios import keepalive
from tests.fixtures.servers import Ok, serve

HIGH_FD = 1100
"""Above ``select``'s FD_SETSIZE (1024): where geventhttpclient's own check broke."""


class KeepAliveOk(Ok):
    """`Ok` over HTTP/1.1: the connection stays open for the next request."""

    protocol_version = "HTTP/1.1"


@pytest.fixture
def high_fds() -> Iterator[None]:
    """Descriptors below `HIGH_FD` taken, so the sockets a test opens next land above it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < HIGH_FD + 100:
        if hard != resource.RLIM_INFINITY and hard < HIGH_FD + 100:
            pytest.skip(f"the open-file limit ({hard}) is below {HIGH_FD + 100}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (HIGH_FD + 100, hard))
    taken = []
    try:
        while (fd := os.open(os.devnull, os.O_RDONLY)) < HIGH_FD:
            taken.append(fd)
        taken.append(fd)
        yield
    finally:
        for fd in taken:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextlib.contextmanager
def connected() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected loopback pair: (ours, the peer's)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        ours = socket.create_connection(listener.getsockname())
        peer, _ = listener.accept()
        with ours, peer:
            yield ours, peer


def test_an_idle_connection_above_1024_is_alive(high_fds: None) -> None:
    with connected() as (ours, _):
        assert ours.fileno() > 1024
        assert keepalive.alive(None, ours)  # type: ignore[arg-type]
        # geventhttpclient's own check calls it dead there (select's ValueError), so every request
        # of a process with a thousand users opened a new connection.
        assert not ConnectionPool._is_socket_alive(None, ours)  # type: ignore[arg-type]


@pytest.mark.parametrize("peer_does", ["close", "send stray bytes"])
def test_a_connection_the_server_closed_or_dirtied_is_dead(high_fds: None, peer_does: str) -> None:
    with connected() as (ours, peer):
        if peer_does == "close":
            peer.close()
        else:
            peer.sendall(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
        assert not keepalive.alive(None, ours)  # type: ignore[arg-type]


def test_no_socket_or_a_closed_one_is_dead() -> None:
    assert not keepalive.alive(None, None)  # type: ignore[arg-type]
    with connected() as (ours, _):
        ours.close()
        assert not keepalive.alive(None, ours)  # type: ignore[arg-type]


def test_a_pool_above_1024_reuses_its_connection(high_fds: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConnectionPool, "_is_socket_alive", ConnectionPool._is_socket_alive)  # undone after
    keepalive.install()
    keepalive.install()
    opened = []
    create = ConnectionPool._create_socket

    def counted(pool: ConnectionPool) -> object:
        opened.append(pool)
        return create(pool)

    monkeypatch.setattr(ConnectionPool, "_create_socket", counted)
    with serve(KeepAliveOk) as url:
        client = HTTPClient.from_url(url, concurrency=1)
        try:
            for _ in range(5):
                response = client.get("/")
                assert response.status_code == 200
                response.read()
        finally:
            client.close()
    assert len(opened) == 1
