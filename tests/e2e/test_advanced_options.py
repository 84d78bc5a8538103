"""Step cache, LoRA and end image through the running studio's REST API and gradio_client API."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


def test_gradio_client_runs_a_cached_job_and_the_job_records_what_was_skipped(client: Client, studio_server) -> None:
    result = client.predict(prompt="a kite over a beach", model="wan-demo", width=64, height=48, num_frames=5, steps=8,
                            seed=1, step_cache="taylorseer", step_cache_threshold=2, api_name="/text_to_video")  # fmt: skip
    status, _bar, job_id, *_ = result
    assert status.startswith("**succeeded**")
    job = httpx.get(f"{studio_server.url}/api/v1/jobs/{job_id}").json()
    assert job["request"]["step_cache"] == "taylorseer"
    stats = job["outputs"]["step_cache"]
    assert (stats["kind"], stats["passes"], stats["skipped_passes"]) == ("taylorseer", 16, 6)


def test_gradio_client_bad_threshold_names_the_value(client: Client) -> None:
    with pytest.raises(AppError, match=r"step_cache_threshold for mag \(MagCache threshold\) must be in \(0, 1\], got 7"):
        client.predict(prompt="x", width=64, height=48, num_frames=5, steps=2, step_cache="mag", step_cache_threshold=7,
                       api_name="/text_to_video")  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"step_cache": "taylorseer", "step_cache_threshold": 0.5}, "must be a whole number in [2, 20], got 0.5"),
        ({"loras": [{"source": "/etc/passwd"}]}, "paths on the server are not accepted"),
        ({"loras": [{"source": "missing.safetensors"}]}, "LoRA file 'missing.safetensors' not found"),
        ({"loras": [{"source": "org/lora", "weight": 10}]}, "less than or equal to 4"),
        ({"end_image": "/etc/hostname"}, "end_image must be a file handle"),
    ],
)
def test_rest_refuses_bad_options_with_the_value_named(studio_server, extra: dict, message: str) -> None:
    body = {"prompt": "x", "width": 64, "height": 48, "num_frames": 5, "steps": 2, **extra}
    response = httpx.post(studio_server.url + "/api/v1/jobs", json=body)
    assert response.status_code == 422 and message in str(response.json()["detail"])
