"""How a stage's findings appear in code scanning: declared by the stage in its result, read by the
SARIF report (`reports.sarif`), so the report needs no table of stages and a plugin stage can join it.

A stage whose findings belong in ``security.sarif`` calls ``CodeScanning(...).declare(result)``. What a
rule is, the stage writes on each finding's ``extra``: ``name`` (what the check is called, e.g. ZAP's
alert name) or ``help`` (axe's help text), ``description`` (what the check verifies, when it says more
than the name), ``help_url``, ``cwe`` (a number) and ``wcag`` (success criteria, e.g. ``["1.4.3"]``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from vocabulary.records import StageResult

KEY = "code_scanning"
"""The ``details`` key of a result that holds its declaration."""


@dataclasses.dataclass(frozen=True)
class CodeScanning:
    """A stage's tool in code scanning, the tags of its rules, and whether its results are security alerts."""

    tool: str
    information_uri: str
    tags: tuple[str, ...]
    security: bool = False
    """Security alerts carry a ``security-severity``, which GitHub ranks them by."""
    version_of: str = "release-harness"
    """The ``tool_versions`` entry that is the tool's version (the harness's when the stage has none)."""

    def declare(self, result: StageResult) -> None:
        """Mark ``result``'s findings for code scanning."""
        result.details[KEY] = dataclasses.asdict(self) | {"tags": list(self.tags)}

    @classmethod
    def of(cls, result: StageResult) -> CodeScanning | None:
        """The declaration in ``result``; None when its stage declared none (or a damaged one)."""
        raw: Any = result.details.get(KEY)
        if not isinstance(raw, dict):
            return None
        try:
            return cls(
                tool=str(raw["tool"]),
                information_uri=str(raw["information_uri"]),
                tags=tuple(str(tag) for tag in raw["tags"]),
                security=bool(raw.get("security", False)),
                version_of=str(raw.get("version_of", "release-harness")),
            )
        except (KeyError, TypeError):
            return None
