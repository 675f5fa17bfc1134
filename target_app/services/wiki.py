"""The community wiki: pages with full revision history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from target_app.errors import ConflictError, NotFoundError
from target_app.schemas import WikiPageOut, WikiRevisionOut, WikiSummary
from target_app.tables import User, WikiPage, WikiRevision, utcnow


def index(session: Session) -> list[WikiSummary]:
    """Every page, by title."""
    stmt = select(WikiPage.slug, WikiPage.title, WikiPage.revision, WikiPage.updated_at)
    return [WikiSummary(**row._mapping) for row in session.execute(stmt.order_by(WikiPage.title))]


def _page(session: Session, slug: str) -> WikiPage:
    page = session.scalar(select(WikiPage).where(WikiPage.slug == slug))
    if page is None:
        raise NotFoundError("Wiki page not found")
    return page


def get(session: Session, slug: str) -> WikiPageOut:
    """A page with its current text."""
    page = _page(session, slug)
    author = session.get(User, page.author_id)
    return WikiPageOut(
        slug=page.slug,
        title=page.title,
        revision=page.revision,
        updated_at=page.updated_at,
        body=page.body,
        author=author.username if author else "unknown",
    )


def create(session: Session, user: User, slug: str, title: str, body: str) -> WikiPageOut:
    """A new page (revision 1); :class:`ConflictError` if the slug is taken."""
    if session.scalar(select(WikiPage.id).where(WikiPage.slug == slug)) is not None:
        raise ConflictError("A wiki page with this slug already exists")
    page = WikiPage(slug=slug, title=title, body=body, revision=0, author_id=user.id)
    session.add(page)
    try:
        session.flush()
    except IntegrityError as exc:  # concurrent create of the same slug
        raise ConflictError("A wiki page with this slug already exists") from exc
    return _add_revision(session, page, user, title, body)


def update(session: Session, user: User, slug: str, title: str, body: str) -> WikiPageOut:
    """Save a new revision of an existing page."""
    return _add_revision(session, _page(session, slug), user, title, body)


def _add_revision(session: Session, page: WikiPage, user: User, title: str, body: str) -> WikiPageOut:
    now = utcnow()
    page.revision += 1
    page.title, page.body, page.author_id, page.updated_at = title, body, user.id, now
    session.add(
        WikiRevision(page_id=page.id, revision=page.revision, title=title, body=body, author_id=user.id, created_at=now)
    )
    session.flush()
    return WikiPageOut(
        slug=page.slug, title=title, revision=page.revision, updated_at=now, body=body, author=user.username
    )


def revisions(session: Session, slug: str) -> list[WikiRevisionOut]:
    """Every revision of a page, newest first."""
    page = _page(session, slug)
    stmt = (
        select(
            WikiRevision.revision,
            WikiRevision.title,
            WikiRevision.body,
            User.username.label("author"),
            WikiRevision.created_at,
        )
        .join(User, WikiRevision.author_id == User.id)
        .where(WikiRevision.page_id == page.id)
        .order_by(WikiRevision.revision.desc())
    )
    return [WikiRevisionOut(**row._mapping) for row in session.execute(stmt)]
