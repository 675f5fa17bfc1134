"""Find same-origin links, assets and forms in an HTML page (stdlib parser, no browser)."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit


@dataclasses.dataclass
class Form:
    """A form's action, method and its inputs' names → default values, plus their types."""

    action: str
    method: str
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    types: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PageLinks:
    """What a page points at."""

    links: list[str] = dataclasses.field(default_factory=list)
    assets: list[str] = dataclasses.field(default_factory=list)
    scripts: list[dict[str, str]] = dataclasses.field(default_factory=list)
    """Every ``<script src>`` with its attributes (for the SRI test of the grade)."""
    forms: list[Form] = dataclasses.field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageLinks()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "a" and values.get("href"):
            self.found.links.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.found.scripts.append(values)
            self.found.assets.append(values["src"])
        elif tag == "link" and values.get("rel", "").lower() == "stylesheet" and values.get("href"):
            self.found.assets.append(values["href"])
        elif tag == "form":
            self.found.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif tag in {"input", "textarea", "select"} and self.found.forms and values.get("name"):
            form = self.found.forms[-1]
            form.fields[values["name"]] = values.get("value", "")
            form.types[values["name"]] = values.get("type", tag).lower()


def parse(html: str) -> PageLinks:
    """Links, assets, scripts and forms of one HTML document."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.found


def same_origin(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` without fragment, or None when it leaves the origin."""
    absolute = urljoin(base, href)
    parts, origin = urlsplit(absolute), urlsplit(base)
    if parts.scheme not in {"http", "https"} or parts.netloc != origin.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
