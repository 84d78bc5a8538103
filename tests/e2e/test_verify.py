"""The running studio: verify through the Gradio API, the audit trail over REST."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


def test_a_generated_video_verifies_and_shows_in_the_audit_trail(studio_server, client: Client) -> None:
    status, _bar, job_id, _gallery, video, _seed, *_quality = client.predict(prompt="fog over hills", width=64, height=48, num_frames=5,
                                                                 steps=2, seed=3, api_name="/text_to_video")  # fmt: skip
    assert status.startswith("**succeeded**")
    summary, report = client.predict(handle_file(video), api_name="/verify_file")
    assert "content credentials: Valid (signer not on a trust list)" in summary
    assert report["manifest"]["generation"]["job_id"] == job_id and report["file"] == "video.mp4"  # the name alone: no server path
    page = httpx.get(studio_server.url + "/api/v1/audit", timeout=30).json()
    assert job_id in [r["job_id"] for r in page["records"]]


def test_a_file_that_is_not_media_gets_a_clear_error(client: Client, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(AppError, match="notes.txt is not a media file"):
        client.predict(handle_file(str(notes)), api_name="/verify_file")
    assert client.predict(api_name="/list_jobs") is not None  # still serving
