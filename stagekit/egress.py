"""The egress guard: inside a harness process, a connection to a host the run may not reach fails
before any DNS query, and every such attempt is counted for the stage's result.

`install` patches name resolution and ``connect`` of the standard socket module (and gevent's, which
Locust's FastHttpUser resolves through): requests/urllib3, httpx/anyio, geventhttpclient, Schemathesis
and a user's own client all pass through them. A host outside the allowed set (`stagekit.netguard`)
raises `Blocked` (a `PermissionError`, so every client reports it as a failed connection);
``localhost``, ``*.localhost`` and loopback literals resolve to 127.0.0.1/::1 here, never through DNS.

Attempts are kept per process (`recorder`) and written to ``$HARNESS_EGRESS_DIR/egress-<pid>.json``;
the harness merges the folder into the stage's findings (`findings`). The stage hands the policy to
its subprocesses in ``$HARNESS_ALLOWED_HOSTS``; they call `install_from_env`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import errno
import hashlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stagekit.netguard import host_allowed, host_text, is_ip_literal, is_local_name
from vocabulary import atomic
from vocabulary.records import Finding, Severity, StageResult

ALLOWED_ENV = "HARNESS_ALLOWED_HOSTS"
"""Comma-separated hosts a run may reach besides loopback (the target's own and ``--allow-remote`` ones)."""
REPORT_ENV = "HARNESS_EGRESS_DIR"
"""The folder where each process of a stage writes the attempts it blocked."""
RULE = "off-host-request"
DESCRIPTION = "A request to a host outside the target, loopback and the allowed hosts"
"""What the rule checks (``extra["description"]``, the rule's description in code scanning)."""
BACKGROUND = "the browser's own background service"
"""``asked_by`` of what Chromium requests for itself: counted in ``details``, not a finding of the target."""
FOLDER = "egress"
"""The stage artifacts' subfolder holding each process's blocked attempts."""
_FLUSH_EVERY_S = 1.0
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex")


class Blocked(PermissionError):
    """A connection to a host the run may not reach, refused before any name lookup."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__(
            errno.EACCES,
            f"harness: connection to {attempt.where} blocked (not the target, not loopback, not --allow-remote)",
        )
        self.attempt = attempt


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One kind of blocked request: where it went, the URL when known, and who asked for it."""

    host: str
    port: int | None = None
    url: str = ""
    asked_by: str = ""
    """The request (``GET /api/x``), page (its Referer) or tool that caused it, when known."""

    @property
    def where(self) -> str:
        """``host:port`` (or the host alone)."""
        return self.host if self.port is None else f"{self.host}:{self.port}"


class Recorder:
    """This process's blocked attempts, counted and written to its file in the stage's egress folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.counts: dict[Attempt, int] = {}
        self._lock = threading.Lock()
        self._written_at = 0.0

    def add(self, attempt: Attempt) -> Attempt:
        """Count one blocked attempt; returns it (a `Blocked` error carries it)."""
        with self._lock:
            new = attempt not in self.counts
            self.counts[attempt] = self.counts.get(attempt, 0) + 1
        self._flush(force=new)
        return attempt

    def attribute(self, attempt: Attempt, asked_by: str, url: str = "") -> Attempt:
        """Move one counted attempt to the request that caused it (known only once the client failed);
        ``url`` is the failed request's URL, kept when it is the blocked one (the redirect's target)."""
        off_host = url if urlsplit(url).hostname == attempt.host else ""
        named = dataclasses.replace(attempt, asked_by=attempt.asked_by or asked_by, url=attempt.url or off_host)
        with self._lock:
            if self.counts.get(attempt, 0) > 0 and named != attempt:
                self.counts[attempt] -= 1
                if not self.counts[attempt]:
                    del self.counts[attempt]
                self.counts[named] = self.counts.get(named, 0) + 1
        self._flush(force=True)
        return named

    def _flush(self, *, force: bool) -> None:
        if self.folder is None or (not force and time.monotonic() - self._written_at < _FLUSH_EVERY_S):
            return
        self._written_at = time.monotonic()
        with self._lock:
            rows = [{**dataclasses.asdict(a), "count": n} for a, n in self.counts.items()]
        if not rows:
            return
        with contextlib.suppress(OSError):  # a report must never break the request path
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic.write_json(self.folder / f"egress-{os.getpid()}.json", rows)

    def close(self) -> None:
        """Write the final counts."""
        self._flush(force=True)


_recorder: Recorder | None = None
_stage = threading.local()
"""The recorder of the stage this thread runs (`guarded`): stages may run at once, each on its own thread."""


def recorder() -> Recorder:
    """The recorder of this thread's stage, else this process's (writing to ``$HARNESS_EGRESS_DIR`` when set)."""
    global _recorder
    stage: Recorder | None = getattr(_stage, "recorder", None)
    if stage is not None:
        return stage
    if _recorder is None:
        folder = os.environ.get(REPORT_ENV)
        _recorder = Recorder(Path(folder) if folder else None)
        atexit.register(_recorder.close)  # counts since the last write
    return _recorder


def attribute(exc: BaseException | None, asked_by: str, url: str = "") -> None:
    """Name the request behind a `Blocked` error anywhere in ``exc``'s chain (clients wrap it)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, Blocked):
            exc.attempt = recorder().attribute(exc.attempt, asked_by, url)
            return
        exc = exc.__cause__ or exc.__context__ or _wrapped(exc)


def _wrapped(exc: BaseException) -> BaseException | None:
    """The error a client keeps in an attribute or argument (urllib3's ``reason``, requests' args)."""
    for candidate in (getattr(exc, "reason", None), *exc.args):
        if isinstance(candidate, BaseException):
            return candidate
    return None


class _Guard:
    """The patches of one `install`: checks each name before the real resolver sees it."""

    def __init__(self, allowed: Collection[str]) -> None:
        self.allowed = frozenset(h.lower() for h in allowed)
        self.addresses: set[str] = set()
        """Addresses the allowed remote names resolved to (a later ``connect`` to them is allowed)."""
        self.undo: list[tuple[Any, str, Any, Any]] = []

    def check(self, host: str, port: object) -> str | None:
        """Raise `Blocked` for a host the run may not reach; a local name returns its loopback literal."""
        name = host.strip("[]").lower()
        if is_local_name(name):
            return name
        if host_allowed(name, self.allowed) or name in self.addresses:
            return None
        attempt = Attempt(name, port if isinstance(port, int) else None)
        raise Blocked(recorder().add(attempt))

    def getaddrinfo(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def getaddrinfo(host: Any, port: Any, family: int = 0, *args: Any, **kwargs: Any) -> Any:
            name = host_text(host)
            if not name:
                return real(host, port, family, *args, **kwargs)
            if self.check(name, port) is not None:
                return _loopback_infos(real, port, kwargs.pop("family", family), *args, **kwargs)
            infos = real(host, port, family, *args, **kwargs)
            if not is_ip_literal(name):
                self.addresses.update(str(info[4][0]) for info in infos)
            return infos

        return getaddrinfo

    def gethostbyname(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def gethostbyname(host: Any, *args: Any) -> Any:
            name = host_text(host)
            local = self.check(name, None) if name else None
            return real("127.0.0.1" if local else host, *args)

        return gethostbyname

    def connect(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def connect(sock: socket.socket, address: Any, *args: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
                local = self.check(host_text(address[0]) or "", address[1])
                if local is not None:
                    loopback = "::1" if sock.family == socket.AF_INET6 else "127.0.0.1"
                    address = (loopback, *address[1:])
            return real(sock, address, *args)

        return connect

    def patch(self, owner: Any, name: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        real = getattr(owner, name)
        if any(entry[0] is owner and entry[1] == name for entry in self.undo):
            return  # one class under two names: after monkey-patching, socket.socket is gevent's
        wrapper = wrap(real)
        setattr(owner, name, wrapper)
        self.undo.append((owner, name, real, wrapper))

    def install(self) -> None:
        for module in _socket_modules():
            for name in _RESOLVERS:
                wrap = self.getaddrinfo if name == "getaddrinfo" else self.gethostbyname
                if hasattr(module, name):
                    self.patch(module, name, wrap)
            if isinstance(getattr(module, "socket", None), type):
                for method in ("connect", "connect_ex"):
                    self.patch(module.socket, method, self.connect)

    def uninstall(self) -> None:
        for owner, name, real, wrapper in reversed(self.undo):
            if getattr(owner, name) is wrapper:  # leave a later patch (a test's monkeypatch) alone
                setattr(owner, name, real)
        self.undo.clear()


def _socket_modules() -> list[Any]:
    """The stdlib socket module and, when loaded, gevent's (Locust's clients call it directly)."""
    return [socket, *(sys.modules[name] for name in ("gevent.socket", "gevent._socketcommon") if name in sys.modules)]


def _loopback_infos(real: Callable[..., Any], port: Any, family: int, *args: Any, **kwargs: Any) -> list[Any]:
    """``localhost`` answered without DNS: 127.0.0.1 first, then ::1 (when asked for and available)."""
    literals: tuple[str, ...] = ("127.0.0.1", "::1")
    if family in (socket.AF_INET, socket.AF_INET6):
        literals = ("127.0.0.1",) if family == socket.AF_INET else ("::1",)
    infos: list[Any] = []
    for literal in literals:
        with contextlib.suppress(socket.gaierror):
            infos += real(literal, port, family, *args, **kwargs)
    if not infos:
        raise socket.gaierror(socket.EAI_NONAME, f"no loopback address for {literals}")
    return infos


_active: _Guard | None = None


def install(allowed: Collection[str]) -> None:
    """Guard this process: only loopback and ``allowed`` hosts are resolved and connected to."""
    global _active
    uninstall()
    _active = _Guard(allowed)
    _active.install()


def uninstall() -> None:
    """Remove the guard (the harness process between stages, tests) and write the final counts."""
    global _active
    if _active is not None:
        _active.uninstall()
        _active = None
    recorder().close()


def install_from_env() -> bool:
    """In a stage's subprocess: install the guard when the harness set ``$HARNESS_ALLOWED_HOSTS``."""
    allowed = os.environ.get(ALLOWED_ENV)
    if allowed is None:
        return False
    install([host for host in allowed.split(",") if host])
    return True


_holders = 0
"""How many stages are inside `guarded` (those running at once share the process's guard)."""
_holders_lock = threading.Lock()


@contextlib.contextmanager
def guarded(allowed: Collection[str], folder: Path) -> Iterator[Path]:
    """For one stage: this process guarded, what the stage's thread blocks reported to ``folder``, and the
    subprocesses it starts told to do the same (`child_environment`).

    Stages that run at once, each on its own thread, share the process's guard (a run allows the same
    hosts in every stage); the first one in also reports what other threads block (a browser proxy).
    """
    global _holders
    with _holders_lock:
        first, _holders = _holders == 0, _holders + 1
    saved = _guard_process(allowed, folder) if first else None
    _stage.recorder = recorder() if first else Recorder(folder)
    try:
        yield folder
    finally:
        _stage.recorder.close()
        _stage.recorder = None
        with _holders_lock:
            _holders -= 1
            last = _holders == 0
        if last:
            _unguard_process(saved or {})


def child_environment() -> dict[str, str]:
    """What a subprocess started on this thread needs to obey the guard and report to this thread's stage
    (empty outside a stage)."""
    stage: Recorder | None = getattr(_stage, "recorder", None)
    if stage is None or stage.folder is None or _active is None:
        return {}
    return {ALLOWED_ENV: ",".join(sorted(_active.allowed)), REPORT_ENV: str(stage.folder)}


def _guard_process(allowed: Collection[str], folder: Path) -> dict[str, str | None]:
    """Install the guard, its recorder and the variables subprocesses inherit; what the variables were."""
    global _recorder
    saved = {name: os.environ.get(name) for name in (ALLOWED_ENV, REPORT_ENV)}
    os.environ[ALLOWED_ENV] = ",".join(sorted(allowed))
    os.environ[REPORT_ENV] = str(folder)
    _recorder = Recorder(folder)
    install(allowed)
    return saved


def _unguard_process(saved: dict[str, str | None]) -> None:
    global _recorder
    uninstall()
    _recorder = None
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def collect(folder: Path) -> dict[Attempt, int]:
    """Every process's blocked attempts in ``folder``, merged."""
    merged: dict[Attempt, int] = {}
    for path in sorted(folder.glob("egress-*.json")):
        with contextlib.suppress(OSError, ValueError, TypeError):
            for row in atomic.read_json(path):
                count = int(row.pop("count"))
                attempt = Attempt(**row)
                merged[attempt] = merged.get(attempt, 0) + count
    return merged


def findings(attempts: dict[Attempt, int]) -> list[Finding]:
    """One finding per blocked destination and asker: a team learns its page pulls a third-party script."""
    found = []
    for attempt, count in sorted(attempts.items(), key=lambda item: (item[0].where, item[0].asked_by)):
        if attempt.asked_by == BACKGROUND:
            continue
        target = attempt.url or attempt.where
        asker = f" asked for by {attempt.asked_by}" if attempt.asked_by else ""
        found.append(
            Finding(
                rule=RULE,
                # Low: warned by default, so a page that loads a CDN font does not fail the gate; a team
                # that forbids third-party requests sets `"off-host-request" = "FAIL"` under [findings.rules].
                severity=Severity.LOW,
                message=f"request to {target}{asker} was blocked {count} time(s): the harness reaches only the "
                "target, loopback and --allow-remote hosts",
                location=attempt.asked_by or attempt.where,
                fingerprint=hashlib.sha256(f"{RULE}:{attempt.where}:{attempt.asked_by}".encode()).hexdigest()[:16],
                evidence=target,
                extra={
                    "host": attempt.host,
                    "port": attempt.port,
                    "url": attempt.url,
                    "count": count,
                    "description": DESCRIPTION,
                },
            )
        )
    return found


def report(result: StageResult, folder: Path) -> None:
    """Add the stage's blocked attempts to its result: findings, and the total in ``details``."""
    attempts = collect(folder)
    if attempts:
        result.findings.extend(findings(attempts))
        result.details["off_host_blocked"] = sum(attempts.values())
        background = sum(n for attempt, n in attempts.items() if attempt.asked_by == BACKGROUND)
        if background:
            result.details["off_host_blocked_browser_background"] = background
