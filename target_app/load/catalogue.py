"""What the simulated users know about the marketplace: search terms, categories, seen model ids."""

from __future__ import annotations

import random
from typing import Any

CATEGORIES = (
    "characters",
    "vehicles",
    "architecture",
    "furniture",
    "nature",
    "electronics",
    "jewelry",
    "tools",
    "toys",
    "art",
    "miniatures",
    "mechanical",
)
SORTS = ("newest", "rating", "downloads", "title")
SORT_WEIGHTS = (50, 15, 30, 5)
"""Most visitors keep the default order or look at what is popular."""
PAGE_WEIGHTS = (70, 20, 10)
"""Pages 1, 2, 3: few visitors page far."""
POPULARITY_SKEW = 4.0
"""Model popularity is long-tailed: ``index = n * u**skew`` puts most views on a few models."""
SEARCH_TERMS = ("robot", "dragon", "lamp", "gear", "castle", "vase", "low-poly", "tiny", "hinge")
MAX_IDS = 60
"""The models visitors actually open: the first few catalogue pages (popularity is long-tailed)."""


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
        """A known id, popular ones (seen first) far more often (1 if nothing was listed yet)."""
        if not self._ids:
            return 1
        return self._ids[int(len(self._ids) * random.random() ** POPULARITY_SKEW)]


def popular(items: tuple[str, ...]) -> str:
    """One of ``items``, the first ones far more often (long-tailed popularity)."""
    return items[int(len(items) * random.random() ** POPULARITY_SKEW)]


def catalogue_query() -> str:
    """A catalogue listing as visitors request it: mostly page 1, in the default or popular order."""
    sort = random.choices(SORTS, weights=SORT_WEIGHTS)[0]
    page = random.choices((1, 2, 3), weights=PAGE_WEIGHTS)[0]
    return f"sort={sort}&page={page}"
