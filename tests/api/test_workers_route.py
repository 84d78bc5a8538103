"""GET /api/v1/workers in process: the executor is local and there are no Ray workers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container


def test_the_workers_route_says_the_executor_is_local_by_default(settings: Settings) -> None:
    container = build_container(settings, start=False)
    app = FastAPI()
    app.state.container = container
    install(app)
    try:
        assert TestClient(app).get("/api/v1/workers").json() == {"executor": "local", "workers": [], "max_job_gpus": 1}
    finally:
        container.close()
