"""Name resolution for the Locust process: an IP literal is resolved in place, not in a thread.

gevent's default resolver hands every ``getaddrinfo`` to a native thread. Each FastHttpUser opens
its own connections, so a ramp of thousands of users to ``http://127.0.0.1:8000`` pays one thread
round trip per connection for an answer that needs no lookup: on a 2-core machine that hand-off
was the largest single cost of a 5000-user run (~18 % of its profile samples, ramp included). A literal
address goes straight to the C ``getaddrinfo`` (it returns at once, without DNS, so it never
blocks the event loop); a name still goes to gevent's thread resolver, unchanged.
"""

from __future__ import annotations

import _socket
from typing import Any

import gevent
from gevent.resolver.thread import Resolver

from stagekit.netguard import host_text, is_ip_literal


class LiteralInPlace(Resolver):  # type: ignore[misc]
    """gevent's thread resolver, except for IP literals (resolved in place)."""

    def getaddrinfo(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        """The same answer the thread resolver gives; for a literal without a thread hand-off."""
        if is_literal(host):
            return _socket.getaddrinfo(host, *args, **kwargs)
        return super().getaddrinfo(host, *args, **kwargs)


def is_literal(host: Any) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (str or bytes), not a name to look up."""
    # An IPv6 zone ("fe80::1%eth0") is still a literal.
    return is_ip_literal(host_text(host).split("%", 1)[0])


def install() -> None:
    """Use `LiteralInPlace` in this thread's gevent hub (idempotent)."""
    hub = gevent.get_hub()
    if not isinstance(hub.resolver, LiteralInPlace):
        hub.resolver = LiteralInPlace(hub)
