"""REST routes of the running studio."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_health_models_and_a_job_through_rest(studio_server) -> None:
    api = studio_server.url + "/api/v1"
    assert httpx.get(f"{api}/health").json()["status"] == "ok"
    models = {m["key"]: m for m in httpx.get(f"{api}/models").json()}
    assert models["wan-demo"]["demo"] is True
    created = httpx.post(f"{api}/jobs", json={"prompt": "rest fox", "width": 64, "height": 48, "num_frames": 5, "steps": 2})
    assert created.status_code == 202
    job_id = created.json()["id"]
    for _ in range(600):
        job = httpx.get(f"{api}/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "canceled"):
            break
        time.sleep(0.1)
    assert job["status"] == "succeeded" and job["outputs"]["video"] == "video.mp4"
    assert job_id in [j["id"] for j in httpx.get(f"{api}/jobs").json()["jobs"]]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"prompt": "x", "steps": 0}, 422, "steps"),
        ({"prompt": " "}, 422, "prompt is empty"),
        ({"prompt": "x", "model": "nope"}, 404, "unknown model 'nope'"),
        ({"prompt": "x", "width": 100000}, 422, "width must be at most"),
    ],
)
def test_bad_jobs_get_a_status_and_a_message(studio_server, body: dict, status: int, message: str) -> None:
    response = httpx.post(studio_server.url + "/api/v1/jobs", json=body)
    assert response.status_code == status and message in response.text


def test_unknown_job_is_404(studio_server) -> None:
    assert httpx.get(studio_server.url + "/api/v1/jobs/nope").status_code == 404
    assert httpx.delete(studio_server.url + "/api/v1/jobs/nope").status_code == 404
