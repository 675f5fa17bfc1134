"""Deterministic seed data, bulk-inserted once per data folder (guarded by a file lock)."""

from __future__ import annotations

import fcntl
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from target_app import DEMO_PASSWORD, DEMO_USERNAME
from target_app.domain import CategorySlug, FileFormat, License, category_name
from target_app.passwords import hash_password
from target_app.sample_files import sample_file
from target_app.tables import (
    Base,
    BetaSignup,
    Category,
    Comment,
    Feedback,
    Meta,
    Model3D,
    Rating,
    User,
    WikiPage,
    WikiRevision,
)

SEED_VERSION = "1"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
N_USERS, N_MODELS, N_WIKI = 400, 5000, 60
ADJECTIVES = (
    "Low-poly",
    "Detailed",
    "Articulated",
    "Modular",
    "Printable",
    "Rigged",
    "Stylised",
    "Tiny",
    "Parametric",
    "Sculpted",
    "Vintage",
    "Futuristic",
    "Hollow",
    "Textured",
    "Foldable",
)
NOUNS = {
    "characters": ("Knight", "Robot", "Wizard", "Dragon", "Astronaut"),
    "vehicles": ("Rover", "Sports Car", "Biplane", "Tugboat", "Tram"),
    "architecture": ("Lighthouse", "Pagoda", "Cottage", "Bridge", "Castle"),
    "furniture": ("Chair", "Bookshelf", "Lamp", "Desk", "Stool"),
    "nature": ("Oak Tree", "Fern", "Rock Set", "Mushroom", "Coral"),
    "electronics": ("Raspberry Pi Case", "Headphone Stand", "Cable Clip", "Enclosure", "Knob"),
    "jewelry": ("Ring", "Pendant", "Earring", "Bangle", "Brooch"),
    "tools": ("Wrench", "Clamp", "Caliper Holder", "Drill Guide", "Hook"),
    "toys": ("Fidget Spinner", "Puzzle Cube", "Yo-yo", "Marble Run", "Spinning Top"),
    "art": ("Vase", "Bust", "Relief", "Mask", "Sculpture"),
    "miniatures": ("Goblin", "Ruined Tower", "Barrel Set", "Treasure Chest", "Archer"),
    "mechanical": ("Gearbox", "Bearing", "Planetary Gear", "Hinge", "Pulley"),
}
PHRASES = (
    "Prints without supports.",
    "Tested at 0.2 mm layer height.",
    "Game-ready topology.",
    "Includes a UV-unwrapped texture.",
    "Scaled in millimetres.",
    "Great first print.",
    "Needs a brim on glass beds.",
    "Looks best in silk filament.",
    "Watertight mesh.",
)
COMMENTS = (
    "Printed beautifully, thanks!",
    "Which slicer settings did you use?",
    "Great detail.",
    "Had to scale it to 120% but it works.",
    "Love this one.",
    "Supports were tricky.",
    "Using it in my game jam project.",
    "The topology is very clean.",
)


@contextmanager
def _seed_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_seeded(engine: Engine, data_dir: Path) -> bool:
    """Create tables and seed them unless already done; True when this call seeded."""
    with _seed_lock(data_dir):
        if inspect(engine).has_table("meta"):
            with Session(engine) as session:
                if session.get(Meta, "seed_version") is not None:
                    return False
        Base.metadata.create_all(engine)
        with Session(engine) as session, session.begin():
            _seed(session, random.Random(20240101))
            session.add(Meta(key="seed_version", value=SEED_VERSION))
            if engine.dialect.name == "postgresql":
                _advance_sequences(session)
        return True


def _advance_sequences(session: Session) -> None:
    """Rows seeded with explicit ids leave PostgreSQL's sequences behind; catch them up."""
    for table in ("models", "wiki_pages"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))


def _insert(session: Session, table: type[Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def _seed(session: Session, rng: random.Random) -> None:
    categories = [{"slug": c.value, "name": category_name(c.value)} for c in CategorySlug]
    _insert(session, Category, categories)
    category_ids = dict(session.execute(select(Category.slug, Category.id)).tuples().all())
    shared_hash = hash_password("seeded-user-password")
    users = [
        {
            "username": DEMO_USERNAME,
            "email": "demo@example.com",
            "password_hash": hash_password(DEMO_PASSWORD),
            "created_at": EPOCH,
        }
    ]
    users += [
        {
            "username": f"maker{i:03d}",
            "email": f"maker{i:03d}@example.com",
            "password_hash": shared_hash,
            "created_at": EPOCH + timedelta(hours=i),
        }
        for i in range(1, N_USERS)
    ]
    _insert(session, User, users)
    user_ids = list(session.scalars(select(User.id).order_by(User.id)))
    ratings, comments = _seed_models(session, rng, category_ids, user_ids)
    _insert(session, Rating, ratings)
    _insert(session, Comment, comments)
    _seed_wiki(session, rng, user_ids)
    _insert(
        session,
        Feedback,
        [
            {
                "message": f"Feedback #{i}: {rng.choice(PHRASES)}",
                "email": None,
                "category": rng.choice(("general", "bug", "feature")),
                "created_at": EPOCH + timedelta(days=i),
            }
            for i in range(200)
        ],
    )
    _insert(
        session,
        BetaSignup,
        [
            {
                "email": f"tester{i:03d}@example.com",
                "platform": rng.choice(("windows", "linux", "web")),
                "reason": None,
                "created_at": EPOCH + timedelta(days=i),
            }
            for i in range(100)
        ],
    )


def _seed_models(
    session: Session, rng: random.Random, category_ids: dict[str, int], user_ids: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    models: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    formats, licenses = [f.value for f in FileFormat], [lic.value for lic in License]
    for model_id in range(1, N_MODELS + 1):
        slug = rng.choice(list(NOUNS))
        file_format = rng.choice(formats)
        created = EPOCH + timedelta(minutes=97 * model_id)
        raters = rng.sample(user_ids, rng.randint(0, 8))
        scores = [rng.randint(2, 5) for _ in raters]
        ratings += [
            {"model_id": model_id, "user_id": u, "score": s, "created_at": created}
            for u, s in zip(raters, scores, strict=True)
        ]
        n_comments = rng.randint(0, 4)
        comments += [
            {
                "model_id": model_id,
                "user_id": rng.choice(user_ids),
                "body": rng.choice(COMMENTS),
                "created_at": created + timedelta(hours=j + 1),
            }
            for j in range(n_comments)
        ]
        models.append(
            {
                "id": model_id,
                "title": f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS[slug])} {model_id}",
                "description": " ".join(rng.sample(PHRASES, 3)),
                "category_id": category_ids[slug],
                "author_id": rng.choice(user_ids),
                "file_format": file_format,
                "license": rng.choice(licenses),
                "size_bytes": len(sample_file(model_id, file_format)),
                "file_path": None,
                "downloads": rng.randint(0, 20000),
                "rating_sum": sum(scores),
                "rating_count": len(scores),
                "rating_avg": round(sum(scores) / len(scores), 2) if scores else None,
                "comment_count": n_comments,
                "created_at": created,
            }
        )
    _insert(session, Model3D, models)
    return ratings, comments


def _seed_wiki(session: Session, rng: random.Random, user_ids: list[int]) -> None:
    topics = (
        "Getting Started",
        "Slicer Settings",
        "Supports",
        "File Formats",
        "Licensing",
        "Bed Adhesion",
        "Resin Printing",
        "Texturing",
        "Rigging Basics",
        "Photogrammetry",
    )
    pages, revisions = [], []
    for page_id in range(1, N_WIKI + 1):
        title = f"{topics[page_id % len(topics)]} {page_id}"
        n_revs = rng.randint(1, 3)
        for rev in range(1, n_revs + 1):
            revisions.append(
                {
                    "page_id": page_id,
                    "revision": rev,
                    "title": title,
                    "body": f"{title}, revision {rev}.\n\n" + " ".join(rng.sample(PHRASES, 4)),
                    "author_id": rng.choice(user_ids),
                    "created_at": EPOCH + timedelta(days=page_id, hours=rev),
                }
            )
        last = revisions[-1]
        pages.append(
            {
                "id": page_id,
                "slug": title.lower().replace(" ", "-"),
                "title": title,
                "body": last["body"],
                "revision": n_revs,
                "author_id": last["author_id"],
                "updated_at": last["created_at"],
            }
        )
    _insert(session, WikiPage, pages)
    _insert(session, WikiRevision, revisions)
