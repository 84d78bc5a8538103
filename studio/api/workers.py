"""``GET /api/v1/workers``: the executor and, on Ray, every worker with its state and model cache.

Mounted by ``routes.install`` under the same prefix and bearer token as the other routes.
Which job a worker runs is shown to the operator only (a client never sees another owner's job).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from studio.api.auth import ViewerDep
from studio.container import Container
from studio.scale.state import WorkerState

router = APIRouter()


class WorkersAnswer(BaseModel):
    executor: Literal["local", "ray"]
    #: the Ray workers; empty in process (its one cache is the Models tab's).
    workers: list[WorkerState]
    # -- one video across several GPUs --
    #: the most GPUs one job may ask for (``gpus``): one node's, less what the workers hold; 1 in process.
    max_job_gpus: int = 1


@router.get("/workers")
def list_workers(request: Request, viewer: ViewerDep) -> WorkersAnswer:
    container: Container = request.app.state.container
    workers = container.ray.workers() if container.ray is not None else []
    if not viewer.operator:
        workers = [w.model_copy(update={"job_id": None}) for w in workers]
    gpus = container.ray.max_job_gpus() if container.ray is not None else 1
    return WorkersAnswer(executor=container.settings.executor, workers=workers, max_job_gpus=gpus)
