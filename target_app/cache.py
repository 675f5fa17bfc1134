"""Response cache: in-process TTL dict, or Redis when ``TARGET_REDIS_URL`` is set.

Entries are invalidated by *generations*: each key embeds its namespace's generation number,
and a write bumps the number, so stale entries are never read again and simply expire.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from target_app.metrics import CACHE_HITS, CACHE_MISSES


class Backend(Protocol):
    """Where cached bytes live."""

    local: bool

    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl_s: float) -> None: ...
    def incr(self, key: str) -> int: ...
    def read_int(self, key: str) -> int: ...


class MemoryBackend:
    """A thread-safe dict with expiry times (per process)."""

    local = True

    def __init__(self, max_entries: int = 20_000) -> None:
        self._data: dict[str, tuple[float, bytes]] = {}
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        with self._lock:
            if len(self._data) >= self._max:
                self._data.clear()  # crude but bounded; generations make this safe
            self._data[key] = (time.monotonic() + ttl_s, value)

    def incr(self, key: str) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def read_int(self, key: str) -> int:
        return self._counters.get(key, 0)


class RedisBackend:
    """Redis, shared by every worker."""

    local = False

    def __init__(self, url: str) -> None:
        import redis  # imported only when configured

        self._client = redis.Redis.from_url(url, socket_timeout=1.0)

    def get(self, key: str) -> bytes | None:
        value = self._client.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._client.set(key, value, px=int(ttl_s * 1000))

    def incr(self, key: str) -> int:
        return int(self._client.incr(key))

    def read_int(self, key: str) -> int:
        value = self._client.get(key)
        return int(value) if value is not None else 0


class Cache:
    """Namespaced, generation-invalidated cache with hit/miss counters."""

    def __init__(self, backend: Backend, ttl_s: float, *, disabled: bool = False) -> None:
        self.backend = backend
        self.ttl_s = ttl_s
        self.disabled = disabled  # the ``cache-disabled`` fault: every lookup misses

    @property
    def local(self) -> bool:
        """Whether lookups are cheap enough to run on the event loop."""
        return self.backend.local

    def key(self, namespace: str, suffix: str) -> str:
        """The current key for ``suffix`` in ``namespace``."""
        generation = self.backend.read_int(f"gen:{namespace}")
        return f"{namespace}:{generation}:{suffix}"

    def get(self, key: str) -> bytes | None:
        """A cached value, or None (not counted: see :meth:`count`)."""
        return None if self.disabled else self.backend.get(key)

    @staticmethod
    def count(namespace: str, *, hit: bool) -> None:
        """Count one lookup's outcome under ``namespace`` (a request served from the cache or not)."""
        kind = namespace.split(":", 1)[0]  # "model:42" counts as "model": bounded labels
        (CACHE_HITS if hit else CACHE_MISSES).labels(kind).inc()

    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` for the configured TTL."""
        if not self.disabled:
            self.backend.set(key, value, self.ttl_s)

    def invalidate(self, *namespaces: str) -> None:
        """Make every entry in these namespaces unreachable."""
        for namespace in namespaces:
            self.backend.incr(f"gen:{namespace}")


def make_cache(redis_url: str | None, ttl_s: float, *, disabled: bool) -> Cache:
    """Redis when configured, else in-process."""
    backend: Backend = RedisBackend(redis_url) if redis_url else MemoryBackend()
    return Cache(backend, ttl_s, disabled=disabled)
