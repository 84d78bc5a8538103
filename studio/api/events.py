"""``GET /api/v1/jobs/{id}/events``: the job's events as server-sent events, resumable.

Each event's id is ``<boot>:<seq>`` (the bus's numbering for this process).
A client reconnecting with ``Last-Event-ID`` of this process gets only what
came after; with an id from an earlier process (or none) it gets the job's
whole kept history. The stream ends after the final status event, whose data
carries the job (with links to its outputs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from studio.api.auth import ViewerDep
from studio.api.deps import ContainerDep
from studio.api.views import job_view
from studio.container import Container
from studio.jobs.events import AsyncSubscription
from studio.types import Job, JobEvent

router = APIRouter(prefix="/api/v1", tags=["jobs"])
_KEEPALIVE_S = 10.0


def _after_seq(last_event_id: str | None, boot: str) -> int:
    """The sequence number to resume after (0 = from the start)."""
    if not last_event_id:
        return 0
    event_boot, _, seq = last_event_id.partition(":")
    return int(seq) if event_boot == boot and seq.isdigit() else 0


def _message(event: JobEvent, boot: str, job: Job | None = None) -> str:
    """One SSE message; a final status event carries ``job`` (read by the caller, off the event loop)."""
    base = f"/api/v1/jobs/{event.job_id}"
    data: dict = {
        "kind": event.kind, "status": event.status.value, "phase": event.phase.value, "step": event.step,
        "total_steps": event.total_steps, "progress": event.progress, "message": event.message,
        "timestamp": event.timestamp, "seq": event.seq,
    }  # fmt: skip
    if event.kind == "preview":
        data["previews"] = [{"url": f"{base}/previews/{Path(p).name}", "frame": f}
                            for p, f in zip(event.preview_paths, event.preview_frames, strict=True)]  # fmt: skip
    if job is not None:
        data["job"] = job_view(job).model_dump(mode="json")
    return f"id: {boot}:{event.seq}\nevent: {event.kind}\ndata: {json.dumps(data)}\n\n"


async def _stream(c: Container, job_id: str, subscription: AsyncSubscription, after: int, request: Request) -> AsyncIterator[str]:
    # Store reads go to the thread pool: a read waiting for the store's lock holds up this stream only.
    boot = c.jobs.event_boot
    ended = (await run_in_threadpool(c.jobs.get, job_id)).status.is_terminal
    try:
        while True:
            event = await subscription.next(0.05 if ended else _KEEPALIVE_S)
            if event is None:
                job = await run_in_threadpool(c.jobs.get, job_id)
                if job.status.is_terminal and not ended:
                    ended = True  # deliver what is already queued first
                    continue
                if job.status.is_terminal:  # its history is gone (an earlier process ran it): say how it ended
                    yield _message(JobEvent(job_id=job_id, kind="status", status=job.status, phase=job.phase,
                                            step=job.step, total_steps=job.total_steps, progress=job.progress,
                                            message=job.error or job.message), boot, job)  # fmt: skip
                    return
                if await request.is_disconnected():
                    return
                yield ": keep-alive\n\n"
                continue
            if event.seq <= after:
                continue
            final = event.kind == "status" and event.status.is_terminal
            yield _message(event, boot, await run_in_threadpool(c.jobs.get, job_id) if final else None)
            if final:
                return
    finally:
        subscription.close()


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
async def job_events(job_id: str, request: Request, c: ContainerDep, viewer: ViewerDep,
                     last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:  # fmt: skip
    """Server-sent events: ``status``, ``phase``, ``progress``, ``preview`` (image URLs); resumable with ``Last-Event-ID``."""
    subscription = await run_in_threadpool(c.jobs.subscribe_async, job_id, viewer, asyncio.get_running_loop())
    after = _after_seq(last_event_id, c.jobs.event_boot)
    return StreamingResponse(_stream(c, job_id, subscription, after, request), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip
