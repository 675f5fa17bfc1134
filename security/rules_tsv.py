"""Read a findings policy in ZAP baseline ``rules.tsv`` format: ``id<TAB>IGNORE|WARN|FAIL<TAB>name``.

Pure and tiny on purpose: the gate's findings policy (perf_budgets/) loads the same file.
Blank lines and ``#`` comments are skipped; the third column (the rule's name) is for humans;
rules not listed get the caller's default. Ids are strings (``10038``, ``40040``, ``harness-tls-protocol``).
"""

from __future__ import annotations

import enum
from pathlib import Path

from vocabulary.errors import ErrorKind, HarnessError


class Action(enum.StrEnum):
    """What the policy does with a rule's findings."""

    IGNORE = "IGNORE"
    WARN = "WARN"
    FAIL = "FAIL"


def parse(text: str, source: str = "rules.tsv") -> dict[str, Action]:
    """Rule id → action; a malformed line raises a config error naming file and line."""
    policy: dict[str, Action] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        columns = [c.strip() for c in line.split("\t")] if "\t" in line else stripped.split(None, 2)
        if len(columns) < 2 or columns[1].upper() not in Action.__members__:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"{source}:{number}: expected 'id<TAB>IGNORE|WARN|FAIL<TAB>name', got {stripped!r}",
                tip="ZAP's baseline rules file format: one rule per line, tab separated",
            )
        policy[columns[0]] = Action(columns[1].upper())
    return policy


def load(path: Path) -> dict[str, Action]:
    """Read and parse a rules file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(ErrorKind.CONFIG, f"cannot read rules file {path}: {exc.strerror or exc}") from exc
    return parse(text, str(path))
