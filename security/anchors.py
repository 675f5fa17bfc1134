"""Where a finding lives in source, for SARIF: the page's template (bundled app) or the OpenAPI document.

GitHub code scanning needs every result anchored to a file. Page findings of the bundled app
point at the Jinja2 template that renders the page; API findings point at the operation's line
in the OpenAPI document the stage writes out (``security/openapi.json`` in the run directory).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

BUNDLED_TEMPLATES = "target_app/templates"
PAGE_TEMPLATES: tuple[tuple[str, str], ...] = (
    (r"/", "home.html"),
    (r"/models", "catalogue.html"),
    (r"/models/\{id\}", "model.html"),
    (r"/upload", "upload.html"),
    (r"/login", "login.html"),
    (r"/register", "register.html"),
    (r"/feedback", "feedback.html"),
    (r"/beta", "beta.html"),
    (r"/dashboard", "dashboard.html"),
    (r"/wiki", "wiki_index.html"),
    (r"/wiki/new", "wiki_form.html"),
    (r"/wiki/[^/]+/edit", "wiki_form.html"),
    (r"/wiki/[^/]+/history", "wiki_history.html"),
    (r"/wiki/[^/]+", "wiki_page.html"),
)
"""Bundled app route (normalised, ids folded to {id}) → template; first full match wins."""
ERROR_TEMPLATE = "error.html"


def page_template(location: str, kind: str) -> str | None:
    """The bundled app's template for a page finding at ``location`` (``GET /models/{id}``)."""
    path = location.split(" ", 1)[-1]
    if kind == "error":
        return f"{BUNDLED_TEMPLATES}/{ERROR_TEMPLATE}"
    if kind not in {"page", "probe", "login"}:
        return None
    for pattern, template in PAGE_TEMPLATES:
        if re.fullmatch(pattern, path):
            return f"{BUNDLED_TEMPLATES}/{template}"
    return None


def write_openapi(document: dict[str, Any], path: Path) -> dict[str, int]:
    """Write the document with stable indentation; return each path template's line number."""
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r'^    "(/[^"]*)": \{', line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines
