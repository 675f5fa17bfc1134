"""What the simulated users know about the marketplace: search terms, categories, seen model ids."""

from __future__ import annotations

import random
from typing import Any

CATEGORIES = (
    "characters", "vehicles", "architecture", "furniture", "nature", "electronics",
    "jewelry", "tools", "toys", "art", "miniatures", "mechanical",
)
SORTS = ("newest", "rating", "downloads", "title")
SEARCH_TERMS = ("robot", "dragon", "lamp", "gear", "castle", "vase", "low-poly", "tiny", "hinge")
MAX_IDS = 500


class ModelIds:
    """Model ids seen in catalogue listings (bounded), shared by the users of one process."""

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._seen: set[int] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def add_page(self, page: Any) -> None:
        """Remember the ids of one ``GET /api/models`` page (ignores anything else)."""
        items = page.get("items") if isinstance(page, dict) else None
        for item in items or []:
            model_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(model_id, int) and model_id not in self._seen and len(self._ids) < MAX_IDS:
                self._ids.append(model_id)
                self._seen.add(model_id)

    def pick(self) -> int:
        """A random known id (1 if the catalogue listed nothing: the request will then say so)."""
        return random.choice(self._ids) if self._ids else 1
