"""The model catalogue: listing with filters, detail, categories, create, delete, download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from target_app.domain import Sort
from target_app.errors import ForbiddenError, NotFoundError
from target_app.schemas import CategoryOut, ModelDetail, ModelPage, ModelSummary
from target_app.tables import Category, Model3D, User


@dataclass(frozen=True)
class CatalogueQuery:
    """Filters, sort and page of a catalogue listing."""

    q: str | None = None
    category: str | None = None
    file_format: str | None = None
    min_rating: float | None = None
    sort: Sort = Sort.newest
    page: int = 1
    per_page: int = 20

    def cache_suffix(self) -> str:
        """A stable cache key part for this query (the dataclass repr names every field)."""
        return repr(self)


@dataclass(frozen=True)
class NewModel:
    """Validated fields of an upload."""

    title: str
    description: str
    category: str
    license: str
    file_format: str
    size_bytes: int


_SUMMARY_COLUMNS = (
    Model3D.id,
    Model3D.title,
    Category.slug.label("category"),
    Model3D.file_format,
    Model3D.rating_avg,
    Model3D.rating_count,
    Model3D.downloads,
    User.username.label("author"),
    Model3D.created_at,
)
_ORDER = {
    Sort.newest: (Model3D.created_at.desc(), Model3D.id.desc()),
    Sort.rating: (Model3D.rating_avg.desc().nulls_last(), Model3D.rating_count.desc(), Model3D.id),
    Sort.downloads: (Model3D.downloads.desc(), Model3D.id),
    Sort.by_title: (Model3D.title, Model3D.id),
}


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def _filtered(stmt: SelectT, query: CatalogueQuery) -> SelectT:
    if query.q:
        stmt = stmt.where(Model3D.title.icontains(query.q, autoescape=True))
    if query.category:
        stmt = stmt.where(Category.slug == query.category)
    if query.file_format:
        stmt = stmt.where(Model3D.file_format == query.file_format)
    if query.min_rating is not None:
        stmt = stmt.where(Model3D.rating_avg >= query.min_rating)
    return stmt


def _summary(row: Any) -> ModelSummary:
    return ModelSummary(**row._mapping, thumbnail_url=f"/thumbnails/{row.id}.svg")


def list_models(session: Session, query: CatalogueQuery) -> ModelPage:
    """One page of models matching ``query`` (two queries: count and page, joined, no N+1)."""
    base = select(*_SUMMARY_COLUMNS).join(Category, Model3D.category_id == Category.id)
    base = base.join(User, Model3D.author_id == User.id)
    count_stmt = select(func.count(Model3D.id)).join(Category, Model3D.category_id == Category.id)
    total = session.scalar(_filtered(count_stmt, query)) or 0
    page_stmt = _filtered(base, query).order_by(*_ORDER[query.sort])
    page_stmt = page_stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)
    items = [_summary(row) for row in session.execute(page_stmt)]
    return ModelPage(items=items, total=total, page=query.page, per_page=query.per_page)


def get_model(session: Session, model_id: int, site_url: str) -> ModelDetail:
    """A model's detail; :class:`NotFoundError` if absent."""
    stmt = (
        select(*_SUMMARY_COLUMNS, Model3D.description, Model3D.license, Model3D.size_bytes, Model3D.comment_count)
        .join(Category, Model3D.category_id == Category.id)
        .join(User, Model3D.author_id == User.id)
        .where(Model3D.id == model_id)
    )
    row = session.execute(stmt).first()
    if row is None:
        raise NotFoundError("Model not found")
    return ModelDetail(**row._mapping, thumbnail_url=f"/thumbnails/{row.id}.svg", share_url=share_url(site_url, row.id))


def share_url(site_url: str, model_id: int) -> str:
    """The public page of a model."""
    return f"{site_url.rstrip('/')}/models/{model_id}"


def require_model(session: Session, model_id: int) -> Model3D:
    """The model row; :class:`NotFoundError` if absent."""
    model = session.get(Model3D, model_id)
    if model is None:
        raise NotFoundError("Model not found")
    return model


def categories(session: Session) -> list[CategoryOut]:
    """Every category with its model count."""
    stmt = (
        select(Category.slug, Category.name, func.count(Model3D.id).label("model_count"))
        .outerjoin(Model3D, Model3D.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.name)
    )
    return [CategoryOut(**row._mapping) for row in session.execute(stmt)]


def create_model(session: Session, author: User, new: NewModel) -> Model3D:
    """Insert a model row (its file is attached by the caller once the id is known)."""
    category_id = session.scalar(select(Category.id).where(Category.slug == new.category))
    if category_id is None:
        raise NotFoundError("Category not found")
    model = Model3D(
        title=new.title,
        description=new.description,
        category_id=category_id,
        author_id=author.id,
        file_format=new.file_format,
        license=new.license,
        size_bytes=new.size_bytes,
    )
    session.add(model)
    session.flush()
    return model


def delete_model(session: Session, model_id: int, user: User) -> str | None:
    """Delete a model its owner asked to delete; returns the file path to remove."""
    model = require_model(session, model_id)
    if model.author_id != user.id:
        raise ForbiddenError("Only the author can delete this model")
    path = model.file_path
    session.delete(model)
    return path


def record_download(session: Session, model_id: int) -> Model3D:
    """Count a download and return the model row."""
    model = require_model(session, model_id)
    session.execute(update(Model3D).where(Model3D.id == model_id).values(downloads=Model3D.downloads + 1))
    return model
