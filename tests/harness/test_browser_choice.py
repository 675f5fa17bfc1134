"""Which Chromium the browser stages launch (`stagekit.browser.find_browser`), in the documented order."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagekit import browser
from vocabulary.errors import ErrorKind, HarnessError


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Playwright browser, no CHROMIUM_PATH, and Debian's two packages where this test puts them."""
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(browser, "SYSTEM_CHROMIUM", tmp_path / "usr/bin/chromium")
    monkeypatch.setattr(browser, "SYSTEM_HEADLESS_SHELL", tmp_path / "usr/bin/chromium-headless-shell")
    return tmp_path


def test_a_headless_launch_takes_debians_headless_shell_and_lighthouse_the_full_browser(machine: Path) -> None:
    full, shell = _executable(browser.SYSTEM_CHROMIUM), _executable(browser.SYSTEM_HEADLESS_SHELL)
    assert browser.find_browser() == browser.Browser(shell, "system headless shell")
    assert browser.find_browser(headless_shell=False) == browser.Browser(full, "system")


def test_without_the_headless_shell_the_full_browser_runs_headless(machine: Path) -> None:
    full = _executable(browser.SYSTEM_CHROMIUM)
    assert browser.find_browser().executable == full


def test_chromium_path_and_playwrights_own_build_come_first(machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _executable(browser.SYSTEM_HEADLESS_SHELL)
    chosen = _executable(machine / "opt/chrome/chrome")
    monkeypatch.setenv("CHROMIUM_PATH", str(chosen))
    assert browser.find_browser() == browser.Browser(chosen, "CHROMIUM_PATH")
    _executable(machine / "ms-playwright/chromium_headless_shell-1200/chrome-linux/chrome-headless-shell")
    assert browser.find_browser() == browser.Browser(None, "playwright")


def test_no_browser_at_all_names_every_place_looked_and_how_to_install_one(machine: Path) -> None:
    with pytest.raises(HarnessError) as raised:
        browser.find_browser()
    assert raised.value.kind is ErrorKind.BROWSER_MISSING
    assert str(browser.SYSTEM_HEADLESS_SHELL) in raised.value.render()
    assert "apt-get install -y chromium chromium-headless-shell" in raised.value.render()
