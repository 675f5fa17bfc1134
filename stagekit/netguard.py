"""Safety: load and scans go to loopback unless the user explicitly allows a remote host.

The check looks at the URL's host name only and never resolves it, so a refusal sends no
traffic at all (not even a DNS query). `allowed_hosts` is the one policy of a run: loopback, the
target's host and exactly the ``--allow-remote`` hosts; `stagekit.egress` enforces it in every
process of a stage, `stagekit.browser.confined_to` in the browser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from vocabulary.errors import ErrorKind, HarnessError


def host_text(host: Any) -> str:
    """A host as a socket call receives it (str or bytes) as text; anything else (None) is ""."""
    if isinstance(host, bytes):
        return host.decode("ascii", "replace")
    return host if isinstance(host, str) else ""


def is_ip_literal(name: str) -> bool:
    """True for an IPv4 or IPv6 address written out (no name to look up)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_local_name(host: str) -> bool:
    """True for ``localhost`` and ``*.localhost``: names answered with loopback, never looked up."""
    name = host.strip("[]").lower()
    return name == "localhost" or name.endswith(".localhost")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``*.localhost``, 127.0.0.0/8 and ::1."""
    if is_local_name(host):
        return True
    host = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


RemoteHosts = bool | tuple[str, ...]
"""``--allow-remote``: False (loopback only), True (the target's own host, whatever it is) or the
hosts allowed besides loopback (the target's host must be one of them)."""


def allowed_hosts(target_url: str, allow_remote: RemoteHosts) -> frozenset[str]:
    """The hosts a run may reach besides loopback: the target's own and the ``--allow-remote`` ones."""
    hosts = {urlsplit(target_url).hostname or "", *(allow_remote if isinstance(allow_remote, tuple) else ())}
    return frozenset(host.strip("[]").lower() for host in hosts if host)


def host_allowed(host: str, allowed: Collection[str]) -> bool:
    """True for loopback and for a host in ``allowed`` (names compared case-insensitively, never resolved)."""
    return is_loopback_host(host) or host.strip("[]").lower() in allowed


def check_target_url(url: str, *, allow_remote: RemoteHosts) -> str:
    """Validate ``url`` and refuse non-loopback hosts without ``--allow-remote``; returns it normalised."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HarnessError(
            ErrorKind.USAGE,
            f"target URL {url!r} is not an http(s) URL with a host",
            tip="e.g. --target-url http://127.0.0.1:8000",
        )
    listed = allow_remote if isinstance(allow_remote, tuple) else ()
    if allow_remote is not True and not host_allowed(parts.hostname, {h.lower() for h in listed}):
        raise HarnessError(
            ErrorKind.REMOTE_REFUSED,
            f"refusing to send load or scans to non-loopback host {parts.hostname!r} ({url})",
            tip="a load tester is a denial-of-service tool in the wrong hands: pass --allow-remote "
            f"{parts.hostname} (or HARNESS_ALLOW_REMOTE={parts.hostname}) only for a host you own and are allowed "
            "to test",
        )
    return url.rstrip("/")


def check_allowed_url(url: str, allowed: Collection[str], what: str) -> str:
    """Refuse ``url`` (e.g. the OpenAPI document) unless its host is loopback or in ``allowed``."""
    host = urlsplit(url).hostname or ""
    if not host_allowed(host, allowed):
        raise HarnessError(
            ErrorKind.REMOTE_REFUSED,
            f"refusing to fetch {what} from {host!r} ({url}): not the target, not loopback",
            tip=f"serve it from the target, pass a file, or add --allow-remote {host} if you own that host",
        )
    return url
