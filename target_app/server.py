"""Serving: ``serve()`` runs uvicorn (one or more workers) with the given faults and data dir."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from target_app.faults import parse_faults

APP_FACTORY = "target_app.app:create_app"


def configure_environment(faults: Iterable[str] | str | None, data_dir: str | Path | None, workers: int) -> None:
    """Pass settings to the app (and its worker processes) through ``TARGET_*`` variables."""
    if faults is not None:
        os.environ["TARGET_FAULTS"] = ",".join(sorted(parse_faults(faults)))
    if data_dir is not None:
        os.environ["TARGET_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Must be set before any worker imports prometheus_client.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="target-app-metrics-")


def seed_once() -> None:
    """Seed before workers start, so they never race to seed."""
    from target_app.config import Settings
    from target_app.db import make_engine
    from target_app.seed import ensure_seeded

    settings = Settings.from_env()
    engine = make_engine(settings.database_url, instrument=False)
    try:
        ensure_seeded(engine, settings.data_dir)
    finally:
        engine.dispose()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    faults: Iterable[str] | str | None = None,
    data_dir: str | Path | None = None,
    log_level: str = "info",
    access_log: bool = False,
) -> None:
    """Run the app until interrupted (blocking)."""
    import uvicorn

    metrics_dir_before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    configure_environment(faults, data_dir, workers)
    seed_once()
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            server_header=False,
            proxy_headers=False,
            log_level=log_level,
            access_log=access_log,
            timeout_graceful_shutdown=5,
        )
    finally:
        metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if metrics_dir and metrics_dir != metrics_dir_before:
            shutil.rmtree(metrics_dir, ignore_errors=True)
