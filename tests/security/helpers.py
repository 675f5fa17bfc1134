"""Build a real `StageContext` for the security stage against a running target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.stages import StageContext, TargetInfo


def security_context(
    url: str, run_dir: Path, *, bundled: bool = True, profile: str = "smoke", **options: Any
) -> StageContext:
    """A context whose artifacts folder exists, like `harness run` makes it."""
    artifacts = run_dir / "security"
    artifacts.mkdir(parents=True, exist_ok=True)
    return StageContext(
        stage="security",
        profile=profile,
        target=TargetInfo(url=url, bundled=bundled),
        openapi=f"{url}/openapi.json",
        run_dir=run_dir,
        artifacts=artifacts,
        options=options,
    )
