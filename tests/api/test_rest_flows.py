"""REST end to end on a started studio: upload, create, SSE, download, cancel, list, owners, bad input."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from studio.types import GenerationRequest, Job, JobStatus, Phase
from tests.api.conftest import ALICE, BOB, OPERATOR, png_bytes

MOTION = {"camera": {"presets": ["zoom_in"]}}


def _upload(client: TestClient, headers: dict, content: bytes, name: str = "source.png"):
    return client.post("/api/v1/files", files={"file": (name, content, "application/octet-stream")}, headers=headers)


def _i2v(handle: str, **extra) -> dict:
    return {"mode": "i2v", "prompt": "zoom", "model": "motion-warp", "image": handle, "motion": MOTION,
            "width": 64, "height": 48, "num_frames": 9, **extra}  # fmt: skip


def _sse(client: TestClient, job_id: str, headers: dict) -> list[dict]:
    events = []
    with client.stream("GET", f"/api/v1/jobs/{job_id}/events", headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        current: dict = {}
        for line in response.iter_lines():
            if line.startswith("id: "):
                current["id"] = line[4:]
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
            elif not line and current:
                events.append(current)
                current = {}
    return events


def test_upload_create_stream_download(hosted: TestClient) -> None:
    uploaded = _upload(hosted, ALICE, png_bytes(), name="photo.jpg")  # the name lies; the content decides
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["content_type"] == "image/png" and body["handle"].startswith("file_") and "path" not in body
    created = hosted.post("/api/v1/jobs", json=_i2v(body["handle"]), headers=ALICE)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["owner"] == "api:alice" and "/" not in job["request"]["image"]  # no server path shown
    events = _sse(hosted, job["id"], ALICE)
    assert events[-1]["event"] == "status" and events[-1]["data"]["status"] == "succeeded"
    seqs = [int(e["id"].split(":")[1]) for e in events]
    assert seqs == sorted(seqs) and seqs[0] == 1
    previews = [p for e in events if e["event"] == "preview" for p in e["data"]["previews"]]
    assert previews and hosted.get(previews[-1]["url"], headers=ALICE).headers["content-type"] == "image/png"
    final = events[-1]["data"]["job"]
    assert final["attempts"] == 1 and final["keyframe_indices"] and final["links"]["video"].endswith("/video")
    video = hosted.get(f"/api/v1/jobs/{job['id']}/video", headers=ALICE)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    part = hosted.get(f"/api/v1/jobs/{job['id']}/video", headers={**ALICE, "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100 and part.headers["content-range"].startswith("bytes 0-99/")
    metadata = hosted.get(f"/api/v1/jobs/{job['id']}/metadata", headers=ALICE)
    assert metadata.headers["content-type"] == "application/json" and metadata.json()["job_id"] == job["id"]
    keyframe = hosted.get(f"/api/v1/jobs/{job['id']}/keyframes/0", headers=ALICE)
    assert keyframe.headers["content-type"] == "image/png" and keyframe.content[:4] == b"\x89PNG"
    assert hosted.get(f"/api/v1/jobs/{job['id']}/keyframes/99", headers=ALICE).status_code == 404


def test_sse_resumes_after_last_event_id(hosted: TestClient) -> None:
    handle = _upload(hosted, ALICE, png_bytes(seed=1)).json()["handle"]
    job = hosted.post("/api/v1/jobs", json=_i2v(handle), headers=ALICE).json()
    everything = _sse(hosted, job["id"], ALICE)
    resumed = _sse(hosted, job["id"], {**ALICE, "Last-Event-ID": everything[2]["id"]})
    assert [e["id"] for e in resumed] == [e["id"] for e in everything[3:]]
    stale = _sse(hosted, job["id"], {**ALICE, "Last-Event-ID": "oldboot:5"})  # from an earlier process: all again
    assert [e["id"] for e in stale] == [e["id"] for e in everything]


def test_owners_see_only_their_jobs_and_files(hosted: TestClient) -> None:
    assert hosted.get("/api/v1/jobs").status_code == 401
    assert hosted.get("/api/v1/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401
    handle = _upload(hosted, BOB, png_bytes(seed=2)).json()["handle"]
    job = hosted.post("/api/v1/jobs", json=_i2v(handle), headers=BOB).json()
    for path in ("", "/video", "/events", "/metadata", "/webhooks"):
        foreign = hosted.get(f"/api/v1/jobs/{job['id']}{path}", headers=ALICE)
        assert foreign.status_code == 404 and foreign.json()["detail"] == f"no job with id {job['id']!r}"
    assert hosted.delete(f"/api/v1/jobs/{job['id']}", headers=ALICE).status_code == 404
    stolen = hosted.post("/api/v1/jobs", json=_i2v(handle), headers=ALICE)
    assert stolen.status_code == 422 and f"no uploaded file with handle {handle!r}" in stolen.json()["detail"]
    assert job["id"] not in [j["id"] for j in hosted.get("/api/v1/jobs", headers=ALICE).json()["jobs"]]
    assert job["id"] in [j["id"] for j in hosted.get("/api/v1/jobs", headers=OPERATOR).json()["jobs"]]
    assert hosted.get(f"/api/v1/jobs/{job['id']}", headers=OPERATOR).status_code == 200


def test_list_filters_by_status_and_pages(hosted: TestClient) -> None:
    ids = [hosted.post("/api/v1/jobs", json={"prompt": f"p{i}", "model": "wan-demo", "width": 32, "height": 32,
                                             "num_frames": 5, "steps": 200}, headers=BOB).json()["id"]
           for i in range(3)]  # fmt: skip
    for job_id in ids:
        hosted.delete(f"/api/v1/jobs/{job_id}", headers=BOB)
    for job_id in ids:  # a job the worker had already taken stops at its next check
        while hosted.get(f"/api/v1/jobs/{job_id}", headers=BOB).json()["status"] != "canceled":
            time.sleep(0.05)
    seen, cursor = [], None
    while True:
        page = hosted.get("/api/v1/jobs", params={"status": "canceled", "limit": 2, **({"cursor": cursor} if cursor else {})},
                          headers=BOB).json()  # fmt: skip
        seen += [j["id"] for j in page["jobs"]]
        assert all(j["status"] == "canceled" for j in page["jobs"]) and len(page["jobs"]) <= 2
        if not (cursor := page["next_cursor"]):
            break
    assert seen[:3] == ids[::-1] and len(seen) == len(set(seen))
    late = hosted.delete(f"/api/v1/jobs/{ids[0]}", headers=BOB)
    assert late.status_code == 409 and "too late to cancel" in late.json()["detail"]
    assert hosted.get("/api/v1/jobs", params={"status": "done"}, headers=BOB).status_code == 422
    assert hosted.get("/api/v1/jobs", params={"cursor": "garbage!"}, headers=BOB).status_code == 422


@pytest.mark.parametrize("body, status, fragment", [
    ({"mode": "i2v", "prompt": "x", "model": "motion-warp", "image": "/etc/hosts"}, 422, "image must be a file handle"),
    ({"mode": "i2v", "prompt": "x", "model": "motion-warp", "image": "file_" + "0" * 32}, 422, "no uploaded file with handle"),
    ({"mode": "i2v", "prompt": "x", "model": "motion-warp", "image": "file_" + "0" * 32,
      "depth_map": "../depth.png"}, 422, "depth_map must be a file handle"),
    ({"prompt": "x", "model": "/etc"}, 404, "unknown model '/etc'"),
    ({"prompt": "x", "webhook_url": "ftp://example.com/h"}, 422, "webhook_url must be an http or https URL"),
    ({"prompt": "x", "webhook_url": "http://10.0.0.8/h"}, 422, "private or loopback"),
    ({"prompt": "x", "colour": "red"}, 422, "colour is not a known setting"),
    ({"prompt": "x", "steps": "many"}, 422, "steps must be a valid integer"),
])  # fmt: skip
def test_bad_job_requests_get_a_4xx_naming_the_problem(hosted: TestClient, body: dict, status: int, fragment: str) -> None:
    response = hosted.post("/api/v1/jobs", json=body, headers=ALICE)
    assert response.status_code == status and fragment in response.json()["detail"], response.text


def test_malformed_json_and_non_objects(hosted: TestClient) -> None:
    broken = hosted.post("/api/v1/jobs", content=b'{"prompt": "x",', headers={**ALICE, "content-type": "application/json"})
    assert broken.status_code == 422 and "not valid JSON" in broken.json()["detail"]
    listed = hosted.post("/api/v1/jobs", json=["prompt"], headers=ALICE)
    assert listed.status_code == 422 and "valid dictionary" in listed.json()["detail"]


def test_bad_uploads(hosted: TestClient) -> None:
    too_big = _upload(hosted, ALICE, b"\x89PNG" + b"0" * 600_000)
    assert too_big.status_code == 413 and "larger than the upload limit" in too_big.json()["detail"]
    truncated = _upload(hosted, ALICE, png_bytes()[:200], name="cut.png")
    assert truncated.status_code == 422 and "cut.png" in truncated.json()["detail"]
    text = _upload(hosted, ALICE, b"hello, I am not an image" * 10, name="fake.png")
    assert text.status_code == 422 and "fake.png" in text.json()["detail"]
    assert _upload(hosted, ALICE, b"", name="empty.png").json()["detail"] == "'empty.png' is empty"
    missing = hosted.post("/api/v1/files", data={"other": "x"}, headers=ALICE)
    assert missing.status_code == 422 and "no file in the upload" in missing.json()["detail"]
    cut = b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n' + png_bytes()[:100]
    cut_short = hosted.post("/api/v1/files", content=cut, headers={**ALICE, "content-type": "multipart/form-data; boundary=XYZ"})
    assert cut_short.status_code == 422 and "cut short" in cut_short.json()["detail"]


def test_sse_of_a_job_finished_by_an_earlier_process_gives_its_end(hosted: TestClient) -> None:
    container = hosted.app.state.container  # type: ignore[attr-defined]
    old = Job(id="0123456789abcdef", request=GenerationRequest(prompt="old"), status=JobStatus.FAILED, phase=Phase.DONE,
              error="interrupted: the studio stopped while this job ran, 2 times", owner="api:alice")  # fmt: skip
    container.store.insert(old)  # in the store, not in this process's event history
    events = _sse(hosted, old.id, ALICE)
    assert len(events) == 1 and events[0]["id"].endswith(":0") and events[0]["data"]["status"] == "failed"
    assert events[0]["data"]["message"] == old.error and events[0]["data"]["job"]["id"] == old.id
