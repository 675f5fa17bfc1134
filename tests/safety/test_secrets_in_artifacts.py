"""No secret reaches an artifact: one whole run (all five stages, smoke) given a secret by every route,
then every byte of the output folder searched for each of them (zip members decompressed).

The routes: userinfo in the target URL and in the ``--openapi`` URL (the document's server demands
that Basic credential, so it must still be sent), a ``${VAR}`` in the login recipe of the target
description (the foreign notes app checks it), and the ``HARNESS_*`` secret variables.
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.runs import harness_cli
from tests.fixtures.servers import serve
from tests.foreign_apps.fixtures import start_app
from tests.harness.test_any_app import NOTES_WITH_LOGIN, STAGES

ROOT = Path(__file__).resolve().parents[2]
URL_USER, URL_PASSWORD = "tester", "s3cr3t-XYZ-url"
DOC_USER, DOC_PASSWORD = "docs", "d0c-pw-openapi"
ENVIRONMENT = {
    "NOTES_PASSWORD": "n0tes-pw-from-var",
    "HARNESS_ZAP_API_KEY": "zap-key-h6-planted",
    "HARNESS_PASSWORD": "harness-pw-h6-planted",
}
SECRETS = (
    URL_PASSWORD,
    DOC_PASSWORD,
    *ENVIRONMENT.values(),
    # What a client sends for URL userinfo: the Basic credential.
    base64.b64encode(f"{URL_USER}:{URL_PASSWORD}".encode()).decode(),
    base64.b64encode(f"{DOC_USER}:{DOC_PASSWORD}".encode()).decode(),
)
NOTES_API = {
    "openapi": "3.0.3",
    "info": {"title": "notes", "version": "1"},
    "paths": {
        "/api/notes": {
            "get": {
                "responses": {
                    "200": {
                        "description": "the notes",
                        "content": {"application/json": {"schema": {"type": "object", "required": ["items"]}}},
                    }
                }
            }
        }
    },
}

pytestmark = pytest.mark.slow


class _Document(http.server.BaseHTTPRequestHandler):
    """The notes API's OpenAPI document, behind Basic auth (counts the requests that carried it)."""

    authorised = 0

    def do_GET(self) -> None:
        expected = "Basic " + base64.b64encode(f"{DOC_USER}:{DOC_PASSWORD}".encode()).decode()
        if self.headers.get("authorization") != expected:
            self.send_response(401)
            self.send_header("www-authenticate", 'Basic realm="docs"')
            self.end_headers()
            return
        type(self).authorised += 1
        body = json.dumps(NOTES_API).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def document() -> Iterator[str]:
    with serve(_Document) as url:
        yield url.replace("://", f"://{DOC_USER}:{DOC_PASSWORD}@") + "/openapi.json"


def every_byte(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Each file's bytes, and each zip member's bytes decompressed (Playwright traces are zips)."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield str(path.relative_to(folder)), data
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f"{path.relative_to(folder)}!{member}", archive.read(member)


def test_no_secret_of_any_route_reaches_any_byte_of_the_run(tmp_path: Path, document: str) -> None:
    (tmp_path / "harness.toml").write_text(NOTES_WITH_LOGIN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **ENVIRONMENT}
    out = tmp_path / "runs"
    with start_app("notes", tmp_path, env=ENVIRONMENT) as app:
        target = app.url.replace("://", f"://{URL_USER}:{URL_PASSWORD}@")
        done = harness_cli(
            "run", "--out", str(out), "--target-url", target, "--openapi", document,
            "-o", "load.users=3", "-o", "load.duration_s=10",
            cwd=tmp_path, env=env, timeout=600,
        )  # fmt: skip
    assert (out / "latest").is_dir(), done.stderr
    run = (out / "latest").resolve()
    results = {name: json.loads((run / f"{name}.json").read_text(encoding="utf-8")) for name in STAGES}
    # Every stage ran its tool with the secrets in hand (an early error would prove nothing); the notes
    # API does not conform to the document in every check, so contracts may fail.
    ran = {name: r["status"] in ("passed", "failed") for name, r in results.items()}
    assert ran == dict.fromkeys(STAGES, True), done.stderr
    assert _Document.authorised >= 1, "the --openapi URL's userinfo still authenticates"
    files = list(every_byte(out))
    assert len(files) > 30
    outputs = [*files, ("<stdout>", done.stdout.encode()), ("<stderr>", done.stderr.encode())]
    leaks = {secret: [name for name, data in outputs if secret.encode() in data] for secret in SECRETS}
    assert not any(leaks.values()), {secret: names[:5] for secret, names in leaks.items() if names}
