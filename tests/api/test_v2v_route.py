"""REST video to video: upload a clip, run a v2v job with its handle; owners and paths as for images."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from studio.media.export import probe_video
from tests.api.conftest import ALICE, BOB
from tests.v2v.clips import clip_frames, write_clip


def _upload(client: TestClient, headers: dict, content: bytes, name: str):
    return client.post("/api/v1/files", files={"file": (name, content, "application/octet-stream")}, headers=headers)


def _v2v(handle: str, **extra) -> dict:
    return {"mode": "v2v", "prompt": "a fox", "model": "wan-demo", "video": handle, "width": 64, "height": 48,
            "num_frames": 9, "fps": 8, "steps": 2, **extra}  # fmt: skip


def test_upload_a_clip_and_re_render_it(hosted: TestClient, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "walk.mp4", clip_frames(9)).read_bytes()
    uploaded = _upload(hosted, ALICE, clip, "walk.mp4")
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert (body["kind"], body["content_type"], body["num_frames"], body["width"]) == ("video", "video/mp4", 9, 64)
    created = hosted.post("/api/v1/jobs", json=_v2v(body["handle"]), headers=ALICE)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["request"]["guide_strength"] == 0.6 and "/" not in job["request"]["video"]  # the default, no server path
    done = hosted.app.state.container.jobs.wait(job["id"], timeout_s=120)  # type: ignore[attr-defined]
    assert done.status.value == "succeeded", done.error
    video = hosted.get(f"/api/v1/jobs/{job['id']}/video", headers=ALICE)
    assert video.status_code == 200
    (tmp_path / "out.mp4").write_bytes(video.content)
    assert probe_video(tmp_path / "out.mp4") == (9, 64, 48)
    metadata = hosted.get(f"/api/v1/jobs/{job['id']}/metadata", headers=ALICE).json()
    assert metadata["provenance"]["inputs"][0]["sha256"] == hashlib.sha256(clip).hexdigest()  # the clip it started from


def test_clips_obey_owners_handles_and_content(hosted: TestClient, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "walk.mp4", clip_frames(9)).read_bytes()
    handle = _upload(hosted, ALICE, clip, "walk.mp4").json()["handle"]
    other = hosted.post("/api/v1/jobs", json=_v2v(handle), headers=BOB)  # Alice's clip, Bob's job
    assert other.status_code == 422 and f"video: no uploaded file with handle {handle!r}" in other.json()["detail"]
    path = hosted.post("/api/v1/jobs", json=_v2v("/etc/hostname"), headers=ALICE)
    assert path.status_code == 422 and "video must be a file handle from POST /api/v1/files" in path.json()["detail"]
    text = _upload(hosted, ALICE, b"definitely not a clip\n" * 20, "clip.mp4")
    assert text.status_code == 422 and "'clip.mp4' is neither an image nor a video clip" in text.json()["detail"]
    cut = _upload(hosted, ALICE, clip[: len(clip) // 2], "cut.mp4")
    assert cut.status_code == 422 and "does not decode as a video" in cut.json()["detail"]
    image = _upload(hosted, ALICE, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "x.png")  # a broken image stays an image error
    assert image.status_code == 422 and "x.png" in image.json()["detail"]
    t2v = hosted.post("/api/v1/jobs", json=_v2v(handle, mode="t2v"), headers=ALICE)
    assert t2v.status_code == 422 and "a source video is used by video to video only" in t2v.json()["detail"]
