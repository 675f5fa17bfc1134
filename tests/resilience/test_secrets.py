"""Secrets stay secret: a run with planted secrets leaves none of them in any file or output."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from stagekit.target import AppProcess
from tests.fixtures.runs import REPO

USERNAME = f"leaktest{secrets.token_hex(3)}"
PASSWORD = f"pw-{secrets.token_hex(8)}"
"""A fresh account's password: the bundled description's auth recipe logs every stage in with it."""
ZAP_KEY = "zap-key-7f3a9c1e5b"
URL_PASSWORD = "url-pw-4d8e2b6a0c"
PYPROJECT = f"""
[tool.harness]
stages = ["security", "contracts", "load"]

[tool.harness.security]
zap_url = "http://zapuser:{URL_PASSWORD}@127.0.0.1:9"
zap_fallback = true

[tool.harness.contracts]
include = ["^GET /api/me$", "^GET /api/products$"]
max_examples = 3

[tool.harness.load]
users = 4
duration_s = 12
"""
UNMASKED_BEARER = re.compile(r"(?i)bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{12,}")


@pytest.mark.slow
def test_no_planted_secret_reaches_the_run_directory_or_the_output(
    tmp_path: Path, target_data_dir: Path, bundled_target: AppProcess
) -> None:
    # The account lives in the shared data folder, which the run's own bundled target opens too.
    account = {"username": USERNAME, "email": f"{USERNAME}@example.com", "password": PASSWORD}
    assert httpx.post(f"{bundled_target.url}/api/auth/register", json=account, timeout=10).status_code == 201
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        # The bundled description's auth recipe, and its Locust file's signed-in users, use this account.
        "MESHMARKET_USERNAME": USERNAME,
        "MESHMARKET_PASSWORD": PASSWORD,
        "HARNESS_ZAP_API_KEY": ZAP_KEY,
        "HARNESS_TARGET_DATA_DIR": str(target_data_dir),
    }
    out = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "harness", "run", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    run = (out / "latest").resolve()
    files = [p for p in run.rglob("*") if p.is_file()]
    assert len(files) > 10, done.stderr
    assert {"security.json", "contracts.json", "load.json", "verdict.json"} <= {p.name for p in files}
    statuses = {name: json.loads((run / f"{name}.json").read_text())["status"] for name in ("security", "contracts")}
    assert statuses == {"security": "passed", "contracts": "passed"}, "contracts passes only if the login worked"
    load = json.loads((run / "load.json").read_text())
    assert {c["name"]: c["ok"] for c in load["validity"]}["authenticated"], "the load users logged in as the account"
    texts = {str(p.relative_to(run)): p.read_bytes().decode("utf-8", "replace") for p in files}
    texts |= {"<stdout>": done.stdout, "<stderr>": done.stderr}
    for secret in (PASSWORD, ZAP_KEY, URL_PASSWORD):
        leaks = [name for name, text in texts.items() if secret in text]
        assert not leaks, f"{secret!r} leaked into {leaks}"
    bearers = {name: UNMASKED_BEARER.findall(text)[:2] for name, text in texts.items() if UNMASKED_BEARER.search(text)}
    assert not bearers, f"bearer tokens in {bearers}"
