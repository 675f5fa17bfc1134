"""The application factory: ``create_app()`` (uvicorn ``--factory`` friendly)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from target_app import DEMO_PASSWORD, DEMO_USERNAME
from target_app.api import auth, catalogue, community, ops, wiki
from target_app.api.docs import STALE_REF_OPERATIONS, errors, stale_request_refs
from target_app.cache import make_cache
from target_app.config import Settings
from target_app.context import AppContext
from target_app.db import Database, make_engine
from target_app.handlers import ErrorBoundaryMiddleware, install_handlers
from target_app.lifecycle import lifespan
from target_app.metrics import RequestMetricsMiddleware
from target_app.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from target_app.notifications import Hub, serve_client
from target_app.seed import ensure_seeded
from target_app.web import account_pages, catalogue_pages, community_pages, wiki_pages

STATIC_DIR = Path(__file__).resolve().parent / "static"
DESCRIPTION = f"""A 3D-model marketplace: the harness's bundled target.

Log in with `POST /api/auth/login` (seeded account `{DEMO_USERNAME}` / `{DEMO_PASSWORD}`) and
send the token as `Authorization: Bearer <token>`. Errors are `{{"detail": "..."}}`;
validation errors (422) use FastAPI's `HTTPValidationError` shape."""


def operation_id(route: APIRoute) -> str:
    """Operation ids are the endpoint function names (stable, used by OpenAPI links)."""
    return route.name


def build_context(settings: Settings) -> AppContext:
    """Seed the database if needed and wire the app's collaborators."""
    seed_engine = make_engine(settings.database_url, instrument=False)
    try:
        ensure_seeded(seed_engine, settings.data_dir)
    finally:
        seed_engine.dispose()
    engine = make_engine(settings.database_url, slow_queries=settings.has("slow-queries"))
    cache = make_cache(settings.redis_url, settings.cache_ttl_s, disabled=settings.has("cache-disabled"))
    return AppContext(settings=settings, db=Database(engine), cache=cache, hub=Hub())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app from ``settings`` (default: the ``TARGET_*`` environment)."""
    ctx = build_context(settings or Settings.from_env())
    app = FastAPI(
        title="Meshmarket API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # the bundled UIs load scripts from a CDN
        generate_unique_id_function=operation_id,
        responses=errors(500),
    )
    app.state.ctx = ctx
    # Routers are matched in order: the hottest paths (health, catalogue) come first.
    for router in (
        ops.router,
        catalogue.router,
        community.router,
        auth.router,
        wiki.router,
        catalogue_pages.router,
        account_pages.router,
        community_pages.router,
        wiki_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.websocket("/ws/notifications")
    async def notifications(websocket: WebSocket) -> None:
        await serve_client(websocket, ctx.hub, slow=ctx.has("slow-websocket"))

    if ctx.has("stale-schema-ref"):
        stale_request_refs(app, STALE_REF_OPERATIONS)
    install_handlers(app)
    # Outermost last: metrics see every response, headers reach error pages too.
    app.add_middleware(ErrorBoundaryMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware,
        drop_guarded=ctx.has("missing-security-headers"),
        banner=ctx.has("server-banner"),
    )
    # Level 5, not Starlette's 9: under peak load level 9 cost ~5 % of the server's CPU for a few
    # per cent smaller JSON.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(RequestMetricsMiddleware)
    return app
