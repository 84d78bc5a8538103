"""POST /api/v1/estimate: the estimate of a job request, and clear errors for bad ones."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container

_AUTH = {"Authorization": "Bearer s3cret"}


@pytest.fixture
def api(settings: Settings):
    container = build_container(settings.model_copy(update={"api_token": "s3cret", "ram_budget_gb": 16.0}), start=False)
    app = FastAPI()
    app.state.container = container
    install(app)
    yield TestClient(app)
    container.close()


def test_an_estimate_answers_with_memory_plan_and_time(api: TestClient) -> None:
    body = {"prompt": "x", "model": "wan-demo", "width": 160, "height": 96, "num_frames": 17, "steps": 4}
    assert api.post("/api/v1/estimate", json=body).status_code == 401
    response = api.post("/api/v1/estimate", json=body, headers=_AUTH)
    assert response.status_code == 200
    estimate = response.json()
    assert estimate["model"] == "wan-demo" and estimate["fits"] is True and estimate["budget_kind"] == "ram"
    assert estimate["policy"] == "none" and estimate["time_note"] == "no measurement yet"
    assert estimate["peak_gb"] >= estimate["weights_gb"] >= 0


def test_sizes_are_rounded_like_a_job_and_a_model_too_big_is_explained(api: TestClient) -> None:
    rounded = api.post("/api/v1/estimate", json={"prompt": "x", "model": "wan-demo", "width": 170, "height": 90,
                                                  "num_frames": 18}, headers=_AUTH).json()  # fmt: skip
    assert (rounded["width"], rounded["height"], rounded["num_frames"]) == (176, 96, 17)
    big = api.post("/api/v1/estimate", json={"prompt": "x", "model": "wan2.1-t2v-1.3b"}, headers=_AUTH).json()
    assert big["fits"] is False and "STUDIO_RAM_BUDGET_GB" in big["reason"] and big["suggestion"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"prompt": "x", "model": "no-such-model"}, 404, "unknown model 'no-such-model'"),
        ({"prompt": "x", "model": "wan-demo", "width": 5000}, 422, "width must be at most 1280 px, got 5000"),
        ({"prompt": "x", "model": "wan-demo", "num_frames": 999}, 422, "frames must be at most 161, got 999"),
        ({"prompt": "x", "model": "wan-demo", "mode": "i2v"}, 422, "model 'wan-demo' cannot do i2v"),
        ({"prompt": "x", "model": "wan-demo", "width": 0}, 422, "greater than or equal to 1"),
    ],
)
def test_bad_requests_get_errors_naming_the_value(api: TestClient, body, status, message) -> None:
    response = api.post("/api/v1/estimate", json=body, headers=_AUTH)
    assert response.status_code == status and message in str(response.json()["detail"])
