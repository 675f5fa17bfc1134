"""Where a finding lives, for SARIF: an API finding at its operation's line in the OpenAPI document.

GitHub code scanning needs every result anchored to a file. The harness knows no source file of a
page (which template renders it is the app's business), so page findings point at the run's record
of every URL it checked; API findings point at the operation in the OpenAPI document the stage
writes out (``security/openapi.json`` in the run directory).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def write_openapi(document: dict[str, Any], path: Path) -> dict[str, int]:
    """Write the document with stable indentation; return each path template's line number."""
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r'^    "(/[^"]*)": \{', line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines
