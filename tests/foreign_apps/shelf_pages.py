"""Shelf's two HTML pages: a home page and a human-readable list of the API's operations.

Plain, unstyled HTML (no inline style or script, so CSP ``default-src 'self'`` holds without
exceptions) with landmarks, one h1 and a language, so axe finds nothing on a clean app.
"""

from __future__ import annotations

from html import escape

from tests.foreign_apps.shelf_swagger import swagger_document

# Linked from every page, so browsers do not ask for a /favicon.ico that would 404.
FAVICON_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<rect x="4" y="6" width="6" height="22" fill="#8a3b12"/><rect x="12" y="4" width="6" height="24" fill="#1f5f8b"/>
<rect x="20" y="8" width="6" height="20" fill="#3d7a2a"/>
</svg>
"""

_NAV = """<header>
<p>Shelf</p>
<nav aria-label="Main">
<ul>
<li><a href="/">Home</a></li>
<li><a href="/docs">Docs</a></li>
</ul>
</nav>
</header>"""


def _page(title: str, main: str) -> bytes:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
{_NAV}
<main>
{main}
</main>
<footer><p>Shelf is a test application of release-harness.</p></footer>
</body>
</html>
""".encode()


def home_page() -> bytes:
    """``GET /``."""
    return _page(
        "Shelf: a bookshelf API",
        """<h1>Shelf</h1>
<p>A small bookshelf of twenty books and six authors, served as JSON.</p>
<p><a href="/docs">Read the API documentation</a></p>""",
    )


def docs_page() -> bytes:
    """``GET /docs``: every operation of the Swagger document, and a link to the document itself."""
    items = "\n".join(
        f"<li><code>{method.upper()} {escape(path)}</code>: {escape(operation['summary'])}</li>"
        for path, item in swagger_document()["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    )
    return _page(
        "Shelf API documentation",
        f"""<h1>API documentation</h1>
<p>Every answer is JSON. The machine-readable description is the
<a href="/swagger.json">Swagger 2.0 document</a>.</p>
<h2>Operations</h2>
<ul>
{items}
</ul>
<p><a href="/">Back to the home page</a></p>""",
    )
