"""What the REST API shows of a job: no server paths, links to its outputs."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from studio.errors import InvalidRequestError
from studio.types import Job

#: request fields that name files: REST clients give upload handles, and see only the file's name back.
FILE_FIELDS = ("image", "depth_map", "end_image", "video")


class JobView(Job):
    """A job as the API returns it: request file fields reduced to the stored file's name, plus links."""

    links: dict[str, str] = {}


def job_view(job: Job) -> JobView:
    base = f"/api/v1/jobs/{job.id}"
    hidden = {f: Path(getattr(job.request, f)).name for f in FILE_FIELDS if getattr(job.request, f, None)}
    request = job.request.model_copy(update=hidden)
    links = {"self": base, "events": f"{base}/events", "webhooks": f"{base}/webhooks"}
    if job.outputs.video:
        links["video"] = f"{base}/video"
    if job.outputs.metadata:
        links["metadata"] = f"{base}/metadata"
    links.update({f"keyframe_{i}": f"{base}/keyframes/{i}" for i in range(len(job.outputs.keyframes))})
    return JobView.model_construct(**{**dict(job), "request": request, "links": links})


def encode_cursor(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at!r}|{job.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[float, str]:
    """Raises InvalidRequestError naming the cursor."""
    try:
        created, _, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return float(created), job_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequestError(f"cursor {cursor[:40]!r} is not one this API returned") from None
