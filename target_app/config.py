"""Settings read from the environment when the app is built (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from target_app.faults import parse_faults

DEFAULT_CRASH_AFTER_S = 10.0
DEFAULT_RESTART_DELAY_S = 30.0


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """The user's cache folder (XDG), so no personal path is ever baked in."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "harness-target-app"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    faults: frozenset[str]
    crash_after_s: float = DEFAULT_CRASH_AFTER_S
    restart_delay_s: float = DEFAULT_RESTART_DELAY_S
    cache_ttl_s: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``TARGET_*`` variables."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("TARGET_DATA_DIR") or default_data_dir(env)).expanduser()
        database_url = env.get("TARGET_DATABASE_URL") or f"sqlite:///{data_dir / 'target.db'}"
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=env.get("TARGET_REDIS_URL") or None,
            faults=parse_faults(env.get("TARGET_FAULTS", "")),
            crash_after_s=float(env.get("TARGET_CRASH_AFTER_S") or DEFAULT_CRASH_AFTER_S),
            restart_delay_s=float(env.get("TARGET_RESTART_DELAY_S") or DEFAULT_RESTART_DELAY_S),
        )

    @property
    def upload_dir(self) -> Path:
        """Where uploaded model files live."""
        return self.data_dir / "uploads"

    def has(self, fault: str) -> bool:
        """Whether a fault switch is on."""
        return fault in self.faults
