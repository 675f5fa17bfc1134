"""The upload form (sign-in required)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .base import BasePage


@dataclasses.dataclass(frozen=True)
class NewModel:
    """What the upload form asks for."""

    title: str
    description: str
    category: str
    license: str
    file: Path


class UploadPage(BasePage):
    """``/upload``."""

    path = "/upload"

    def fill(self, model: NewModel) -> None:
        """Fill every field and choose the file."""
        form = self.main
        form.get_by_label("Title").fill(model.title)
        form.get_by_label("Description").fill(model.description)
        form.get_by_label("Category").select_option(label=model.category)
        form.get_by_label("Licence").select_option(label=model.license)
        form.get_by_label("Model file").set_input_files(model.file)

    def submit(self) -> None:
        """Press the upload button."""
        self.main.get_by_role("button", name="Upload model").click()
