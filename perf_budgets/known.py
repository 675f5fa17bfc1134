"""The shared known-failures file: findings the team has accepted for now, each with an expiry.

Format (TOML), one ``[[known]]`` table per accepted finding::

    [[known]]
    stage = "security"                 # a stage name (checked against the stage registry by the front door)
    rule = "10038"                     # the finding's rule id
    location = "/search"               # or: fingerprint = "..." (both may be given: both must match)
    reason = "CSP rollout, ticket WEB-12"
    expires = 2025-12-31               # a TOML date; after it the finding blocks again

URL locations are compared by path and query only, because a started target gets a fresh port
every run; ``*`` in a location matches any run of characters.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vocabulary.records import Finding
from vocabulary.source import KeyPath, Source

_ENTRY_KEYS = ("stage", "rule", "location", "fingerprint", "reason", "expires")
_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)


def _without_origin(location: str) -> str:
    """``http://127.0.0.1:8123/search?q=1`` -> ``/search?q=1``; other locations unchanged."""
    return _ORIGIN.sub("", location) or "/"


@dataclasses.dataclass(frozen=True)
class KnownEntry:
    """One accepted finding."""

    stage: str
    rule: str
    reason: str
    expires: datetime.date
    location: str | None = None
    fingerprint: str | None = None

    def matches(self, stage: str, finding: Finding) -> bool:
        """Is ``finding`` (from ``stage``) the one this entry accepts?"""
        if stage != self.stage or finding.rule != self.rule:
            return False
        if self.fingerprint is not None and finding.fingerprint != self.fingerprint:
            return False
        if self.location is None:
            return True
        pattern = re.escape(_without_origin(self.location)).replace(r"\*", ".*")
        return re.fullmatch(pattern, _without_origin(finding.location)) is not None

    def expired(self, today: datetime.date) -> bool:
        """Has the acceptance run out (the expiry day itself still counts)?"""
        return today > self.expires

    def describe(self) -> str:
        """``10038 at /search`` for messages."""
        where = self.location or f"fingerprint {self.fingerprint}"
        return f"{self.rule} at {where}"


@dataclasses.dataclass(frozen=True)
class Triage:
    """A stage's findings sorted against the known-failures file."""

    accepted: list[tuple[Finding, KnownEntry]]
    expired: list[tuple[Finding, KnownEntry]]
    new: list[Finding]
    fixed: list[KnownEntry]


@dataclasses.dataclass(frozen=True)
class KnownFailures:
    """Every accepted finding, from one file."""

    path: Path
    entries: tuple[KnownEntry, ...] = ()

    def triage(self, stage: str, findings: Sequence[Finding], today: datetime.date) -> Triage:
        """Split ``findings`` into accepted, expired and new; list entries no finding matched."""
        triage = Triage([], [], [], [])
        seen: set[KnownEntry] = set()
        for finding in findings:
            entry = next((e for e in self.entries if e.matches(stage, finding)), None)
            if entry is None:
                triage.new.append(finding)
                continue
            seen.add(entry)
            bucket = triage.expired if entry.expired(today) else triage.accepted
            bucket.append((finding, entry))
        triage.fixed.extend(e for e in self.entries if e.stage == stage and e not in seen)
        return triage


def load_known(path: Path) -> KnownFailures:
    """Read and validate a known-failures file; mistakes raise a precise `HarnessError`."""
    source = Source.read(path)
    for key in source.data:
        if key not in ("known", "schema_version"):
            raise source.unknown((key,), key, ("known", "schema_version"), "key")
    tables = source.data.get("known", [])
    if not isinstance(tables, list):
        raise source.error(("known",), "expected an array of tables written as [[known]]")
    return KnownFailures(path, tuple(_entry(source, ("known", i), t) for i, t in enumerate(tables)))


def _entry(source: Source, path: KeyPath, table: Any) -> KnownEntry:
    """Validate one ``[[known]]`` table."""
    if not isinstance(table, dict):
        raise source.error(path, "expected a table")
    for key in table:
        if key not in _ENTRY_KEYS:
            raise source.unknown((*path, key), key, _ENTRY_KEYS, "key")
    if "location" not in table and "fingerprint" not in table:
        raise source.error(path, "needs 'location' or 'fingerprint' to say which finding it accepts")
    expires = table.get("expires")
    if not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime):
        raise source.error(
            (*path, "expires"),
            f"expected a TOML date like 2025-12-31, got {expires!r}",
            tip="every accepted failure expires, so it is looked at again",
        )
    return KnownEntry(
        stage=_text(source, path, table, "stage"),
        rule=_text(source, path, table, "rule"),
        reason=_text(source, path, table, "reason"),
        expires=expires,
        location=_optional_text(source, path, table, "location"),
        fingerprint=_optional_text(source, path, table, "fingerprint"),
    )


def _text(source: Source, path: KeyPath, table: dict[str, Any], key: str) -> str:
    """A required, non-empty string."""
    value = _optional_text(source, path, table, key)
    if not value:
        raise source.error((*path, key), f"missing or empty {key!r}: expected a non-empty string")
    return value


def _optional_text(source: Source, path: KeyPath, table: dict[str, Any], key: str) -> str | None:
    """A string if given."""
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise source.error((*path, key), f"expected a string, got {type(value).__name__} {value!r}")
    return value


def describe_entries(entries: Iterable[KnownEntry]) -> str:
    """``10038 at /search, 10021 at /`` for messages."""
    return ", ".join(e.describe() for e in entries)
