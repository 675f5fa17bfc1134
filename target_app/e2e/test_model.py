"""Model workflows: rate, comment, share, download."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from .data import unique
from .pages.model import ModelPage
from .workflows import StepFn

MODEL_EXTENSIONS = (".stl", ".obj", ".glb", ".gltf", ".fbx", ".3mf", ".ply")


def test_rate(page: Page, step: StepFn, login: Callable[[], None], model_id: int) -> None:
    """Rate a model."""
    model = ModelPage(page, model_id)
    with step("log in"):
        login()
    with step("open model"):
        model.open()
    with step("rate"):
        model.rate(4)
    with step("see rating saved"):
        model.expect_notice("your rating was saved")
        expect(page.get_by_role("definition").filter(has_text=re.compile(r"of 5 from \d+ ratings"))).to_be_visible()


def test_comment(page: Page, step: StepFn, login: Callable[[], None], model_id: int) -> None:
    """Comment on a model."""
    model = ModelPage(page, model_id)
    text = f"Printed fine at 0.2 mm ({unique('e2e')})"
    with step("log in"):
        login()
    with step("open model"):
        model.open()
    with step("write comment"):
        model.comment(text)
    with step("see comment"):
        model.expect_comment(text)


def test_share(page: Page, context: BrowserContext, step: StepFn, model_id: int, base_url: str) -> None:
    """Share a model."""
    model = ModelPage(page, model_id)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    with step("open model"):
        model.open()
    with step("share"):
        expect(model.share_link).to_have_value(re.compile(rf"/models/{model_id}$"))
        model.copy_share_link()
    with step("see share link"):
        expect(model.main.get_by_role("button", name="Copied")).to_be_visible()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == model.share_link.input_value()


def test_download(page: Page, step: StepFn, model_id: int, tmp_path: Path) -> None:
    """Download a model file."""
    model = ModelPage(page, model_id)
    with step("open model"):
        model.open()
    with step("download"):
        download = model.download()
    with step("check file"):
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert download.failure() is None
        assert saved.suffix in MODEL_EXTENSIONS, saved.name
        assert saved.stat().st_size > 0
