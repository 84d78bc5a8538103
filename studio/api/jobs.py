"""REST routes for jobs: create, list, read, cancel, download outputs, webhook log."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel

from studio.api.auth import ViewerDep
from studio.api.deps import ContainerDep
from studio.api.views import FILE_FIELDS, JobView, decode_cursor, encode_cursor, job_view
from studio.errors import InvalidRequestError, JobNotFoundError, NotReadyError
from studio.jobs.defaults import request_with_defaults
from studio.jobs.deliveries import Delivery
from studio.jobs.files import HANDLE_PATTERN
from studio.jobs.owners import Viewer
from studio.jobs.quality_stage import read_job_report
from studio.quality.report import QualityReport
from studio.types import JobStatus

router = APIRouter(prefix="/api/v1", tags=["jobs"])
_PREVIEW_NAME = re.compile(r"^step\d{4}_k\d+_f\d{4}\.png$")
_SEGMENT_NAME = re.compile(r"^segment\d{2,}\.mp4$")


class JobPage(BaseModel):
    jobs: list[JobView]
    #: pass as ``cursor`` for the next (older) page; None on the last page.
    next_cursor: str | None = None


def _with_uploads(values: dict[str, Any], c: Any, viewer: Viewer) -> dict[str, Any]:
    """File fields hold upload handles; a path (or anything else) is refused before the file system is touched."""
    given = {field: values[field] for field in FILE_FIELDS if values.get(field) is not None}
    for field, value in given.items():
        if not isinstance(value, str) or not HANDLE_PATTERN.match(value):
            raise InvalidRequestError(
                f"{field} must be a file handle from POST /api/v1/files (the API never reads server paths), got {value!r}"
            )
    return {**values, **{field: c.files.path_of(value, viewer, field) for field, value in given.items()}}


# The body is validated by ``request_with_defaults`` (absent values take the model's defaults, which a
# pydantic body would fill with fixed ones); the docs show it as a GenerationRequest (in the schemas via JobView).
_REQUEST_SCHEMA = {"$ref": "#/components/schemas/GenerationRequest"}


@router.post("/jobs", status_code=status.HTTP_202_ACCEPTED,
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _REQUEST_SCHEMA}}}})  # fmt: skip
def create_job(c: ContainerDep, viewer: ViewerDep, body: Annotated[dict[str, Any], Body()]) -> JobView:
    """Queue a job. Missing values take the model's defaults (the model: ``STUDIO_DEFAULT_MODEL``);
    ``image``, ``depth_map``, ``end_image`` and ``video`` (the source clip of mode ``v2v``) are handles from
    ``POST /api/v1/files``."""
    request = request_with_defaults(_with_uploads(body, c, viewer), c.settings, c.registry)
    return job_view(c.jobs.submit(request, owner=viewer.owner))


@router.get("/jobs")
def list_jobs(c: ContainerDep, viewer: ViewerDep, status_: Annotated[list[str] | None, Query(alias="status")] = None,
              limit: int = 50, cursor: str | None = None) -> JobPage:  # fmt: skip
    """Newest first; ``status`` may repeat; ``cursor`` from the previous page's ``next_cursor``."""
    try:
        statuses = tuple(JobStatus(s) for s in status_ or ())
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise InvalidRequestError(f"status must be one of {known}, got {status_!r}") from None
    if not 1 <= limit <= 500:
        raise InvalidRequestError(f"limit must be between 1 and 500, got {limit}")
    jobs = c.jobs.recent(limit=limit + 1, viewer=viewer, statuses=statuses, before=decode_cursor(cursor) if cursor else None)
    page, more = jobs[:limit], len(jobs) > limit
    return JobPage(jobs=[job_view(j) for j in page], next_cursor=encode_cursor(page[-1]) if more else None)


@router.get("/jobs/{job_id}")
def get_job(job_id: str, c: ContainerDep, viewer: ViewerDep) -> JobView:
    # a plain def runs in the thread pool: the SQLite read may wait for the store's lock while the
    # worker writes, and that wait must hold up this poll only, never the event loop serving the rest
    return job_view(c.jobs.get(job_id, viewer))


@router.delete("/jobs/{job_id}")
def cancel_job(job_id: str, c: ContainerDep, viewer: ViewerDep) -> JobView:
    """Cancel; 409 when the job already ended (the message says how)."""
    return job_view(c.jobs.cancel(job_id, viewer))


@router.get("/jobs/{job_id}/webhooks")
def job_webhooks(job_id: str, c: ContainerDep, viewer: ViewerDep) -> list[Delivery]:
    """The job's webhook deliveries with every attempt (status code, error) and the next try."""
    c.jobs.get(job_id, viewer)
    return c.webhooks.deliveries.for_job(job_id)


def _output(c: Any, viewer: Viewer, job_id: str, relative: str | None, what: str) -> str:
    job = c.jobs.get(job_id, viewer)
    if relative is None:
        raise NotReadyError(f"job {job_id!r} has no {what} ({job.status.value})")
    path = c.jobs.output_dir(job_id) / relative
    if not path.is_file():
        raise NotReadyError(f"job {job_id!r}: the {what} is gone from the outputs folder")
    return str(path)


@router.get("/jobs/{job_id}/video", response_class=FileResponse)
def job_video(job_id: str, c: ContainerDep, viewer: ViewerDep) -> FileResponse:
    """The mp4 (byte ranges supported)."""
    job = c.jobs.get(job_id, viewer)
    path = _output(c, viewer, job_id, job.outputs.video, "video")
    return FileResponse(path, media_type="video/mp4", filename=f"{job_id}.mp4")


@router.get("/jobs/{job_id}/metadata", response_class=FileResponse)
def job_metadata(job_id: str, c: ContainerDep, viewer: ViewerDep) -> FileResponse:
    job = c.jobs.get(job_id, viewer)
    return FileResponse(_output(c, viewer, job_id, job.outputs.metadata, "metadata"), media_type="application/json")


@router.get("/jobs/{job_id}/keyframes/{index}", response_class=FileResponse)
def job_keyframe(job_id: str, index: int, c: ContainerDep, viewer: ViewerDep) -> FileResponse:
    """Final keyframe ``index`` (PNG); ``job.keyframe_indices[index]`` is its frame number."""
    job = c.jobs.get(job_id, viewer)
    if not 0 <= index < len(job.outputs.keyframes):
        raise JobNotFoundError(f"job {job_id!r} has {len(job.outputs.keyframes)} keyframes, got index {index}")
    return FileResponse(_output(c, viewer, job_id, job.outputs.keyframes[index], "keyframe"), media_type="image/png")


@router.get("/jobs/{job_id}/previews/{name}", response_class=FileResponse)
def job_preview(job_id: str, name: str, c: ContainerDep, viewer: ViewerDep) -> FileResponse:
    """A live preview image named in an SSE ``preview`` event (only the newest set is kept after the job)."""
    if not _PREVIEW_NAME.match(name):
        raise JobNotFoundError(f"no preview named {name!r}")
    return FileResponse(_output(c, viewer, job_id, f"previews/{name}", "preview"), media_type="image/png")


@router.get("/jobs/{job_id}/segments/{name}", response_class=FileResponse)
def job_segment(job_id: str, name: str, c: ContainerDep, viewer: ViewerDep) -> FileResponse:
    """A finished section of a long video named in an SSE ``segment`` event (mp4)."""
    if not _SEGMENT_NAME.match(name):
        raise JobNotFoundError(f"no segment named {name!r}")
    return FileResponse(_output(c, viewer, job_id, f"segments/{name}", "segment"), media_type="video/mp4")


# -- keyframe review and the quality report ------------------------------------------


class RegenerateBody(BaseModel):
    #: None = a new random seed.
    seed: int | None = None


@router.post("/jobs/{job_id}/accept")
def accept_keyframes(job_id: str, c: ContainerDep, viewer: ViewerDep) -> JobView:
    """Accept a waiting job's keyframes: the in-betweens are filled and the video made."""
    return job_view(c.jobs.accept_keyframes(job_id, viewer))


@router.post("/jobs/{job_id}/regenerate")
def regenerate_keyframes(job_id: str, body: RegenerateBody, c: ContainerDep, viewer: ViewerDep) -> JobView:
    """Generate a waiting job's keyframes again with another seed."""
    return job_view(c.jobs.regenerate_keyframes(job_id, body.seed, viewer))


@router.get("/jobs/{job_id}/report")
def job_report(job_id: str, c: ContainerDep, viewer: ViewerDep) -> QualityReport:
    """The job's full quality report (per-frame series, summary, flags, thresholds)."""
    c.jobs.get(job_id, viewer)  # another owner's job is not found
    return read_job_report(c.jobs, job_id)
