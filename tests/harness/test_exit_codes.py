"""The exit codes are one IntEnum and the README documents exactly them."""

from __future__ import annotations

import re
from pathlib import Path

from vocabulary.exit_codes import ExitCode

README = Path(__file__).resolve().parents[2] / "README.md"


def test_values_match_design() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [
        ("OK", 0),
        ("BREACHED", 1),
        ("INCONCLUSIVE", 2),
        ("HARNESS_ERROR", 3),
        ("USAGE_ERROR", 4),
    ]


def test_readme_table_documents_every_code() -> None:
    section = README.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d) \| (\w+) \|", section, flags=re.MULTILINE)
    assert [(int(code), name) for code, name in rows] == [(int(c), c.name) for c in ExitCode]
