"""Build a real `StageContext` for the security stage against a running target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stagekit.description import TargetDescription
from stagekit.stages import StageContext, TargetInfo
from tests.fixtures.target import bundled_info


def security_context(
    url: str,
    run_dir: Path,
    *,
    description: TargetDescription | None = None,
    openapi: str | None = "/openapi.json",
    profile: str = "smoke",
    **options: Any,
) -> StageContext:
    """A context whose artifacts folder exists, like `harness run` makes it.

    The target is the bundled app unless a ``description`` is given; ``openapi`` is a path on the
    target, or None for a target without a document.
    """
    artifacts = run_dir / "security"
    artifacts.mkdir(parents=True, exist_ok=True)
    target = bundled_info(url) if description is None else TargetInfo(url=url, description=description)
    return StageContext(
        stage="security",
        profile=profile,
        target=target,
        openapi=url + openapi if openapi is not None else None,
        run_dir=run_dir,
        artifacts=artifacts,
        options=options,
    )
