"""REST: the audit trail for the operator (``GET /api/v1/audit``, ``GET /api/v1/audit/export`` as JSON lines)."""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse

from studio.api.auth import ViewerDep
from studio.api.deps import ContainerDep
from studio.errors import InvalidRequestError
from studio.jobs.audit import AuditLog, AuditPage


def check_operator(viewer: ViewerDep) -> None:
    """Only the operator (``STUDIO_API_TOKEN``, or anyone in single-user local mode) reads the trail."""
    if not viewer.operator:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the audit trail is for the operator (the STUDIO_API_TOKEN token)")


router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(check_operator)])


def parse_time(name: str, value: str | None) -> float | None:
    """Epoch seconds or an ISO 8601 date/time (UTC when no zone is given).

    Raises:
        InvalidRequestError: naming the parameter and the value.
    """
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidRequestError(f"{name} must be epoch seconds or an ISO 8601 date/time, got {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


@router.get("")
def list_audit(c: ContainerDep, owner: str | None = None, since: str | None = None, until: str | None = None,
               watermark_id: str | None = None, offset: Annotated[int, Query(ge=0)] = 0,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> AuditPage:  # fmt: skip
    """Audit records, newest first; filter by owner, creation time (``since`` <= t < ``until``) or watermark id."""
    return AuditLog(c.store).page(owner=owner, since=parse_time("since", since), until=parse_time("until", until),
                                  watermark_id=watermark_id.lower() if watermark_id else None, offset=offset, limit=limit)  # fmt: skip


@router.get("/export")
def export_audit(c: ContainerDep, owner: str | None = None, since: str | None = None, until: str | None = None) -> StreamingResponse:
    """Every matching record as JSON lines, oldest first."""
    lines = AuditLog(c.store).export_lines(owner=owner, since=parse_time("since", since), until=parse_time("until", until))
    return StreamingResponse(lines, media_type="application/x-ndjson", headers={"Content-Disposition": "attachment; filename=audit.jsonl"})
