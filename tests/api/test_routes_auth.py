from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container
from studio.engine.registry import default_specs


@pytest.fixture
def api(settings: Settings):
    container = build_container(settings.model_copy(update={"api_token": "s3cret"}), start=False)
    app = FastAPI()
    app.state.container = container
    install(app)
    yield TestClient(app)
    container.close()


def test_the_token_is_required_when_set(api: TestClient) -> None:
    assert api.get("/api/v1/health").status_code == 401
    assert api.get("/api/v1/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = api.get("/api/v1/health", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and ok.json()["status"] == "ok"


def test_errors_become_statuses_with_messages(api: TestClient) -> None:
    headers = {"Authorization": "Bearer s3cret"}
    response = api.post("/api/v1/jobs", json={"prompt": "x", "model": "nope"}, headers=headers)
    known = ", ".join(sorted(spec.key for spec in default_specs()))
    assert response.status_code == 404 and response.json() == {
        "detail": f"unknown model 'nope': not a registered model ({known}), folder or hub id", "error": "UnknownModelError"}
    assert api.post("/api/v1/jobs", json={"prompt": "x", "steps": "many"}, headers=headers).status_code == 422
    queued = api.post("/api/v1/jobs", json={"prompt": "x", "width": 64, "height": 48, "num_frames": 5, "steps": 1}, headers=headers)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    assert api.delete(f"/api/v1/jobs/{queued.json()['id']}", headers=headers).json()["status"] == "canceled"


def test_models_list_their_defaults_with_the_card_negative_prompt(api: TestClient) -> None:
    models = {m["key"]: m for m in api.get("/api/v1/models", headers={"Authorization": "Bearer s3cret"}).json()}
    real = models["wan2.1-t2v-1.3b"]["defaults"]
    assert real["steps"] == 50 and real["negative_prompt"].startswith("色调艳丽")
    assert models["wan-demo"]["defaults"]["negative_prompt"] == ""
