"""Closed vocabularies shared by the database seed, the API schema and the pages."""

from __future__ import annotations

from enum import StrEnum


class CategorySlug(StrEnum):
    """Catalogue categories (fixed; seeded with display names)."""

    characters = "characters"
    vehicles = "vehicles"
    architecture = "architecture"
    furniture = "furniture"
    nature = "nature"
    electronics = "electronics"
    jewelry = "jewelry"
    tools = "tools"
    toys = "toys"
    art = "art"
    miniatures = "miniatures"
    mechanical = "mechanical"


class FileFormat(StrEnum):
    """Accepted 3D file formats (the upload's extension without the dot)."""

    stl = "stl"
    obj = "obj"
    glb = "glb"
    gltf = "gltf"
    fbx = "fbx"
    threemf = "3mf"
    ply = "ply"


class License(StrEnum):
    """Licences a model can be published under."""

    cc_by = "CC-BY-4.0"
    cc_by_sa = "CC-BY-SA-4.0"
    cc_by_nc = "CC-BY-NC-4.0"
    cc0 = "CC0-1.0"
    standard = "standard"


class Sort(StrEnum):
    """Catalogue sort orders."""

    newest = "newest"
    rating = "rating"
    downloads = "downloads"
    by_title = "title"  # not ``title``: that would shadow ``str.title``


class Platform(StrEnum):
    """Platforms of the beta-tester programme."""

    windows = "windows"
    macos = "macos"
    linux = "linux"
    ios = "ios"
    android = "android"
    web = "web"


class FeedbackCategory(StrEnum):
    """What a piece of feedback is about."""

    general = "general"
    bug = "bug"
    feature = "feature"
    content = "content"


# Media types a browser or client may send for each format (besides the file extension).
MEDIA_TYPES: dict[str, FileFormat] = {
    "model/stl": FileFormat.stl,
    "model/obj": FileFormat.obj,
    "model/gltf-binary": FileFormat.glb,
    "model/gltf+json": FileFormat.gltf,
    "application/vnd.autodesk.fbx": FileFormat.fbx,
    "model/3mf": FileFormat.threemf,
    "application/x-ply": FileFormat.ply,
}


def category_name(slug: str) -> str:
    """Display name of a category slug."""
    return slug.replace("-", " ").title()


def format_from_upload(filename: str, content_type: str | None) -> FileFormat | None:
    """The file format from the extension, else from the part's media type; None if not allowed."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for fmt in FileFormat:
        if suffix == fmt.value:
            return fmt
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return MEDIA_TYPES.get(media)
