"""Target knowledge lives in the target description: no stage, gate or report module imports the bundled app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERIC = ("scenarios", "e2e", "contracts", "security", "accessibility", "perf_budgets", "reports")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", GENERIC)
def test_no_generic_module_imports_the_bundled_app(package: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(name == "target_app" or name.startswith("target_app.") for name in imported_modules(path))
    ]
    assert offenders == []
