"""The ZAP ``rules.tsv`` reader: the format ZAP's baseline scan writes, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from security import rules_tsv
from security.rules import registered
from security.rules_tsv import Action
from vocabulary.errors import ErrorKind, HarnessError


def test_parses_zap_generated_lines_and_comments() -> None:
    text = "# comment\n\n10038\tFAIL\t(Content Security Policy (CSP) Header Not Set)\n10021\tIGNORE\t(X)\n10020 WARN\n"
    assert rules_tsv.parse(text) == {"10038": Action.FAIL, "10021": Action.IGNORE, "10020": Action.WARN}


def test_bad_action_names_file_and_line() -> None:
    with pytest.raises(HarnessError) as raised:
        rules_tsv.parse("10038\tFAIL\n10021\tBLOCK\tname\n", "my.tsv")
    assert raised.value.kind is ErrorKind.CONFIG
    assert "my.tsv:2" in raised.value.message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="cannot read rules file"):
        rules_tsv.load(tmp_path / "absent.tsv")


def test_shipped_rules_file_covers_every_builtin_rule() -> None:
    shipped = rules_tsv.load(Path("security/rules.tsv"))
    assert {r.plugin_id for r in registered()} <= set(shipped)
    assert shipped["10038"] is Action.FAIL and shipped["10021"] is Action.FAIL
