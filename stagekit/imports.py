"""Where the harness's own packages import from, for the subprocesses that run its modules.

In a checkout that is the repository root (``stagekit.imports``); in an installed wheel every package
lives under ``release_harness`` (build_support/namespaced_backend.py), so it is site-packages. Either
way the folder holds no generic top-level name of ours that could shadow a team's own package.
"""

from __future__ import annotations

from pathlib import Path

IMPORT_ROOT = Path(__file__).resolve().parents[len(__name__.split(".")) - 1]
"""The folder to put on a subprocess's PYTHONPATH so that ``python -m <our module>`` imports."""

_PREFIX = __name__.removesuffix("stagekit.imports")


def own_module(name: str) -> str:
    """``name`` (``"target_app"``) as this installation imports it (``release_harness.target_app`` in a wheel)."""
    return _PREFIX + name
