"""``POST /api/v1/estimate``: the preflight estimate of a job request (memory, offload plan, time).

Mounted by ``routes.install`` under the same prefix and bearer token as the other routes; errors
(``UnknownModelError`` -> 404, ``InvalidRequestError`` -> 422) go through its one handler.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from studio.container import Container
from studio.engine.memory import RunEstimate
from studio.types import GenerationRequest

router = APIRouter()


@router.post("/estimate")
def estimate(body: GenerationRequest, request: Request) -> RunEstimate:
    """Estimate ``body`` (the same fields as ``POST /jobs``) without queuing it: peak memory per part,
    the offload policy and VAE tiling it would run with, seconds when measured, and whether it fits."""
    container: Container = request.app.state.container
    return container.jobs.estimate(body)
