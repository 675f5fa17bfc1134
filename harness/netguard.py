"""Safety: load and scans go to loopback unless the user explicitly allows a remote host.

The check looks at the URL's host name only and never resolves it, so a refusal sends no
traffic at all (not even a DNS query).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from harness.errors import ErrorKind, HarnessError


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``*.localhost``, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_target_url(url: str, *, allow_remote: bool) -> str:
    """Validate ``url`` and refuse non-loopback hosts without ``--allow-remote``; returns it normalised."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HarnessError(
            ErrorKind.USAGE,
            f"target URL {url!r} is not an http(s) URL with a host",
            tip="e.g. --target-url http://127.0.0.1:8000",
        )
    if not allow_remote and not is_loopback_host(parts.hostname):
        raise HarnessError(
            ErrorKind.REMOTE_REFUSED,
            f"refusing to send load or scans to non-loopback host {parts.hostname!r} ({url})",
            tip="a load tester is a denial-of-service tool in the wrong hands: pass --allow-remote "
            "(or HARNESS_ALLOW_REMOTE=1) only for a host you own and are allowed to test",
        )
    return url.rstrip("/")
