"""The notes site's HTML: one layout with a nav on every page, so a crawl from ``/`` reaches them all.

Everything interpolated is escaped. No inline script or style, so CSP ``default-src 'self'`` holds.
Landmarks, one h1 per page, labelled inputs and autocomplete tokens keep axe quiet on a clean app.
"""

from __future__ import annotations

from html import escape

from tests.foreign_apps.notes_store import Note

STYLESHEET = b"""body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 0 auto; padding: 1rem;
  color: #1b1b1b; background: #ffffff; line-height: 1.5; }
nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
a { color: #0b4f9c; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #0b4f9c; outline-offset: 2px; }
label { display: block; font-weight: 600; }
input { font: inherit; padding: 0.3rem; border: 1px solid #555555; }
button { font: inherit; padding: 0.4rem 1rem; color: #ffffff; background: #0b4f9c; border: 0; }
.error { color: #a4001d; font-weight: 600; }
"""

LOGO_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48">
<rect x="8" y="4" width="32" height="40" rx="3" fill="#fdf3c4" stroke="#1b1b1b" stroke-width="2"/>
<path d="M14 14h20M14 22h20M14 30h12" stroke="#1b1b1b" stroke-width="2"/>
</svg>
"""


def _nav(user: str | None) -> str:
    session_link = '<a href="/logout">Log out</a>' if user else '<a href="/login">Log in</a>'
    links = ('<a href="/">Home</a>', '<a href="/notes">All notes</a>', '<a href="/about">About</a>',
             '<a href="/account">Account</a>', session_link)  # fmt: skip
    items = "".join(f"<li>{link}</li>" for link in links)
    return f'<nav aria-label="Main"><ul>{items}</ul></nav>'


def layout(title: str, main: str, user: str | None) -> bytes:
    """A whole page: head, header with nav, ``main`` (already HTML), footer."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Notes</title>
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/notes.css">
</head>
<body>
<header>
<p>Notes, a small notebook</p>
{_nav(user)}
</header>
<main>
{main}
</main>
<footer><p>Notes is a test site of release-harness.</p></footer>
</body>
</html>
""".encode()


def _note_links(notes: list[Note]) -> str:
    items = "\n".join(f'<li><a href="/notes/{n.id}">{escape(n.title)}</a></li>' for n in notes)
    return f"<ul>\n{items}\n</ul>"


def home(latest: list[Note], user: str | None, *, logo_alt: bool) -> bytes:
    """``/``: the logo (without alt under the ``missing-alt`` fault) and the latest notes."""
    alt = ' alt="Notes logo"' if logo_alt else ""
    main = f"""<img src="/static/logo.svg"{alt} width="48" height="48">
<h1>Welcome to Notes</h1>
<p>Short notes, kept in memory. Read them all or log in to add your own.</p>
<h2>Latest notes</h2>
{_note_links(latest)}"""
    return layout("Home", main, user)


def note_list(notes: list[Note], user: str | None) -> bytes:
    """``/notes``."""
    return layout("All notes", f"<h1>All notes</h1>\n<p>{len(notes)} notes.</p>\n{_note_links(notes)}", user)


def note_detail(note: Note, user: str | None) -> bytes:
    """``/notes/{id}``."""
    main = f"""<article>
<h1>{escape(note.title)}</h1>
<p>{escape(note.body)}</p>
<p>Written by {escape(note.author)}.</p>
</article>
<p><a href="/notes">Back to the list</a></p>"""
    return layout(note.title, main, user)


def about(user: str | None) -> bytes:
    """``/about``."""
    main = """<h1>About Notes</h1>
<p>Notes is a plain ASGI application without an API description. It exists so that a release gate
can be tried on a site it has never seen: pages, a login form, and a small JSON API.</p>"""
    return layout("About", main, user)


def login(user: str | None, *, error: str = "", username: str = "") -> bytes:
    """``/login``: the form, with the error of a failed attempt above it."""
    message = f'<p class="error" role="alert" id="login-error">{escape(error)}</p>\n' if error else ""
    described = ' aria-describedby="login-error"' if error else ""
    main = f"""<h1>Log in</h1>
{message}<form method="post" action="/login">
<p><label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required
 value="{escape(username)}"{described}></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}></p>
<p><button type="submit">Log in</button></p>
</form>"""
    return layout("Log in", main, user)


def account(user: str, note_count: int) -> bytes:
    """``/account``: only for a logged-in user."""
    main = f"""<h1>Your account</h1>
<p>Signed in as <strong>{escape(user)}</strong>.</p>
<p>You have written {note_count} notes.</p>"""
    return layout("Account", main, user)


def not_found(user: str | None) -> bytes:
    """Any unknown page."""
    return layout("Not found", '<h1>Page not found</h1>\n<p><a href="/">Start again from the front page</a></p>', user)
