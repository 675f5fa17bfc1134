"""The redaction registry learns URL userinfo, and the last pass over a run folder removes every known
secret from text, binary and zip files alike (the whole-run proof is test_secrets_in_artifacts.py)."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest

from harness import scrub
from harness.config import load_settings
from vocabulary import secrets

PASSWORD = "p@ss w0rd-h6"
QUOTED = "p%40ss%20w0rd-h6"


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no known secret (the registry is process-wide)."""
    monkeypatch.setattr(secrets, "_known", set())


def test_userinfo_of_every_url_given_is_a_secret(tmp_path: Path) -> None:
    (tmp_path / "harness.toml").write_text(
        '[security]\nzap_url = "http://zap:zap-pw-h6@127.0.0.1:9"\n', encoding="utf-8"
    )
    load_settings(
        {"target_url": f"http://tester:{QUOTED}@127.0.0.1:8000", "openapi": "http://token-only-h6@127.0.0.1:9/o.json"},
        cwd=tmp_path,
        environ={},
    )
    basic = base64.b64encode(f"tester:{PASSWORD}".encode()).decode()
    text = f"{QUOTED} {PASSWORD} Basic {basic} zap-pw-h6 token-only-h6 tester"
    mask = secrets.MASK
    assert secrets.redact(text) == f"{mask} {mask} Basic {mask} {mask} {mask} tester", "a user name stays readable"


def test_the_last_pass_masks_text_binary_and_zip_members_and_leaves_clean_files_alone(tmp_path: Path) -> None:
    secrets.register(PASSWORD)
    raw = PASSWORD.encode()
    text = tmp_path / "stage" / "report.html"
    text.parent.mkdir()
    text.write_text(f'<a href="http://u:{QUOTED}@h/">{PASSWORD}</a> {{"p": "{PASSWORD}"}}', encoding="utf-8")
    text.chmod(0o640)
    binary = tmp_path / "shot.bin"
    binary.write_bytes(b"\x89\xff\x00" + raw + b"\x00\xfe")
    trace = tmp_path / "trace.zip"
    with zipfile.ZipFile(trace, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trace.network", b'{"url": "http://u:' + raw + b'@h/"}' * 50)
        archive.writestr("resources/clean.txt", b"nothing to hide")
    clean = tmp_path / "clean.json"
    clean.write_text('{"ok": true}', encoding="utf-8")
    untouched = clean.stat()

    changed = scrub.redact_tree(tmp_path)

    assert sorted(changed) == sorted([text, binary, trace])
    assert PASSWORD not in text.read_text(encoding="utf-8") and QUOTED not in text.read_text(encoding="utf-8")
    assert text.stat().st_mode & 0o777 == 0o640, "the file keeps its mode"
    assert binary.read_bytes() == b"\x89\xff\x00" + b"*" * len(raw) + b"\x00\xfe", "same length: layout kept"
    with zipfile.ZipFile(io.BytesIO(trace.read_bytes())) as archive:
        assert archive.read("resources/clean.txt") == b"nothing to hide"
        assert raw not in archive.read("trace.network") and secrets.MASK.encode() in archive.read("trace.network")
    assert clean.stat().st_mtime_ns == untouched.st_mtime_ns and clean.stat().st_ino == untouched.st_ino
    assert scrub.redact_tree(tmp_path) == [], "nothing left to do"


def test_a_file_gone_during_the_pass_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer beside the pass (another stage's egress report) renames its temporary file away between
    the folder's listing and the file's turn: the pass goes on with the others."""
    secrets.register(PASSWORD)
    leaky = tmp_path / "a-log.txt"
    leaky.write_text(PASSWORD, encoding="utf-8")
    moving = tmp_path / "b-.egress-1.json.tmp"
    moving.write_text("[]", encoding="utf-8")
    is_zipfile = zipfile.is_zipfile

    def renamed_meanwhile(path: Path) -> bool:
        if path == moving:
            moving.rename(tmp_path / "egress-1.json")
        return is_zipfile(path)

    monkeypatch.setattr(scrub.zipfile, "is_zipfile", renamed_meanwhile)
    assert scrub.redact_tree(tmp_path) == [leaky]
    assert PASSWORD not in leaky.read_text(encoding="utf-8")
