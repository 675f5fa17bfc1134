"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from target_app.api.deps import Ctx
from target_app.metrics import render_metrics
from target_app.schemas import HealthOut, ReadyOut

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health() -> HealthOut:
    """Liveness: the process answers."""
    return HealthOut()


@router.get("/health/ready", responses={503: {"model": ReadyOut, "description": "Not ready"}})
async def ready(ctx: Ctx, response: Response) -> ReadyOut:
    """Readiness: the database answers."""
    if await run_in_threadpool(ctx.db.ping):
        return ReadyOut(status="ok", database="ok")
    response.status_code = 503
    return ReadyOut(status="unavailable", database="unavailable")


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"description": "Prometheus exposition text", "content": {"text/plain": {"schema": {"type": "string"}}}}
    },
)
async def metrics() -> Response:
    """Prometheus metrics (merged across workers)."""
    body, media_type = await run_in_threadpool(render_metrics)
    return Response(body, media_type=media_type)
