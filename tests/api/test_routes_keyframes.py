"""REST: keyframe review (accept / regenerate), the quality report with the job, export format per request."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container


@pytest.fixture
def api(settings: Settings):
    container = build_container(settings)
    app = FastAPI()
    app.state.container = container
    install(app)
    yield TestClient(app), container
    container.close()


def test_review_accept_and_report_over_rest(api) -> None:
    client, container = api
    body = {"prompt": "a kite", "width": 64, "height": 48, "num_frames": 9, "steps": 1, "fps": 8,
            "keyframe_factor": 2, "review_keyframes": True, "export": {"format": "gif"}}  # fmt: skip
    job = client.post("/api/v1/jobs", json=body).json()
    assert container.jobs.wait(job["id"], timeout_s=120).status.value == "awaiting_review"
    waiting = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert waiting["status"] == "awaiting_review" and len(waiting["outputs"]["review"]["frames"]) == 5
    missing = client.get(f"/api/v1/jobs/{job['id']}/report")
    assert missing.status_code == 409 and "has no quality report" in missing.json()["detail"]
    regenerated = client.post(f"/api/v1/jobs/{job['id']}/regenerate", json={"seed": 5}).json()
    assert regenerated["status"] == "queued" and regenerated["seed"] == 5
    assert container.jobs.wait(job["id"], timeout_s=120).status.value == "awaiting_review"
    assert client.post(f"/api/v1/jobs/{job['id']}/accept").json()["status"] == "queued"
    assert container.jobs.wait(job["id"], timeout_s=120).status.value == "succeeded"
    done = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["outputs"]["video"] == "video.gif" and done["outputs"]["report"] == "report.json"
    assert done["outputs"]["frame_origins"]["generated"] == [0, 2, 4, 6, 8]
    assert done["outputs"]["quality"]["num_frames"] == 9 and isinstance(done["outputs"]["quality"]["flags"], list)
    report = client.get(f"/api/v1/jobs/{job['id']}/report").json()
    assert report["summary"] == done["outputs"]["quality"] and len(report["series"]["brightness"]) == 9
    again = client.post(f"/api/v1/jobs/{job['id']}/accept")
    assert again.status_code == 409 and "not waiting for keyframe review" in again.json()["detail"]


def test_bad_keyframe_and_export_values_are_422(api) -> None:
    client, _container = api
    base = {"prompt": "x", "width": 64, "height": 48, "num_frames": 9, "steps": 1}
    bad_factor = client.post("/api/v1/jobs", json={**base, "keyframe_factor": 3})
    assert bad_factor.status_code == 422 and "factor 3 does not fit 9 frames" in bad_factor.json()["detail"]
    assert client.post("/api/v1/jobs", json={**base, "export": {"format": "avi"}}).status_code == 422
    assert client.post("/api/v1/jobs/nope/accept").status_code == 404
    assert client.post("/api/v1/jobs/nope/regenerate", json={"seed": -1}).status_code == 404
