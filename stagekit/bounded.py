"""Size limits on what the harness reads: the files a user names and the response bodies it parses.

A file or body is read chunk by chunk and abandoned one byte past its limit, so an endless stream
(``--openapi /dev/zero``, an app that never stops answering) costs at most the limit in memory.
A user's file over its limit is a usage error (exit 4); a response over its limit is `BodyTooLarge`,
which its caller turns into a finding or a stage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from vocabulary.errors import ErrorKind, HarnessError

_MIB = 1024 * 1024
OPENAPI_MAX_BYTES = 32 * _MIB
"""An OpenAPI document (file or URL); the largest public ones are around 10 MB."""
PAGE_MAX_BYTES = 5 * _MIB
"""An HTML page whose links a crawl follows."""
METRICS_MAX_BYTES = 16 * _MIB
"""A Prometheus text scrape."""
LOGIN_MAX_BYTES = 1 * _MIB
"""The answer of the auth recipe's login request."""


class BodyTooLarge(httpx.HTTPError):
    """A response body went past its limit (read no further); an `httpx.HTTPError`, like any failed read."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"the answer of {url} is larger than {describe(limit)} (the harness reads no more)")


def describe(limit: int) -> str:
    """``32 MiB`` (or bytes for small limits)."""
    return f"{limit // _MIB} MiB" if limit >= _MIB and limit % _MIB == 0 else f"{limit} bytes"


def read_file(path: Path, limit: int, what: str, tip: str) -> str:
    """The UTF-8 text of a file the user named; a usage error when it is unreadable or over ``limit``."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise HarnessError(
                ErrorKind.USAGE, f"the {what} {path} is larger than {describe(limit)}, the limit", tip=tip
            )
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(ErrorKind.USAGE, f"cannot read the {what} {path}: {exc}", tip=tip) from exc


def request(client: httpx.Client, method: str, url: str, limit: int, **kwargs: Any) -> httpx.Response:
    """Send one request and read at most ``limit`` bytes of its body; `BodyTooLarge` beyond."""
    sent = client.build_request(method, url, **kwargs)
    response = client.send(sent, stream=True)
    try:
        body, complete = read_capped(response, limit)
    finally:
        response.close()
    if not complete:
        raise BodyTooLarge(str(sent.url), limit)
    return settled(response, body)


def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a streamed body (decoded), and whether that was all of it."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            del body[limit:]
            return bytes(body), False
    return bytes(body), True


def settled(response: httpx.Response, body: bytes) -> httpx.Response:
    """A read response: ``response``'s status and headers with ``body`` (``.text``/``.json()`` work)."""
    # The body is already decoded, so the copy must not claim a content-encoding.
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)
