"""Finished sections of a long video over REST: SSE ``segment`` events name an mp4 the client can fetch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ALICE, BOB, png_bytes
from tests.api.test_rest_flows import _sse, _upload


def test_sse_segment_events_link_to_their_mp4(hosted: TestClient) -> None:
    handle = _upload(hosted, ALICE, png_bytes()).json()["handle"]
    # two sections: the first is streamed, the last comes as the whole clip
    body = {"mode": "i2v", "prompt": "a fox", "model": "framepack-demo", "image": handle, "width": 64, "height": 48,
            "num_frames": 41, "steps": 1}  # fmt: skip
    job = hosted.post("/api/v1/jobs", json=body, headers=ALICE).json()
    events = _sse(hosted, job["id"], ALICE)
    assert events[-1]["data"]["status"] == "succeeded", events[-1]
    segments = [e["data"]["segment"] for e in events if e["event"] == "segment"]
    assert [(s["index"], s["total"]) for s in segments] == [(0, 2)]
    clip = hosted.get(segments[0]["url"], headers=ALICE)
    assert clip.status_code == 200 and clip.headers["content-type"] == "video/mp4" and clip.content[4:8] == b"ftyp"
    assert hosted.get(segments[0]["url"], headers=BOB).status_code == 404  # another owner's job
    base = f"/api/v1/jobs/{job['id']}/segments"
    assert hosted.get(f"{base}/..%2Fvideo.mp4", headers=ALICE).status_code == 404  # only segment files are served
    assert hosted.get(f"{base}/segment07.mp4", headers=ALICE).status_code in (404, 409)  # no such section
