"""REST upload: ``POST /api/v1/files`` (multipart) returns a handle for job requests."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from studio.api.auth import ViewerDep
from studio.api.deps import ContainerDep
from studio.errors import FileTooLargeError, InvalidRequestError
from studio.jobs.files import StoredFile

router = APIRouter(prefix="/api/v1", tags=["files"])
_CHUNK_BYTES = 1 << 20


@router.post("/files", status_code=status.HTTP_201_CREATED)
async def upload_file(c: ContainerDep, viewer: ViewerDep, file: UploadFile | None = None) -> StoredFile:
    """Upload an image (source image or depth map) or a source clip for video to video (mp4, mov, webm, mkv,
    animated gif). Its type is read from the content; the handle is yours only."""
    if file is None:
        raise InvalidRequestError("no file in the upload: send a multipart form with a field named 'file' "
                                  "(a body cut short before its closing boundary loses the file too)")  # fmt: skip
    limit = c.files.max_bytes
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(_CHUNK_BYTES):
        if not chunks:  # a clip has its own limit, known from its first bytes
            limit = c.files.max_bytes_for(chunk[:64])
        size += len(chunk)
        if size > limit:
            raise FileTooLargeError(f"{file.filename!r} is larger than the upload limit of {limit} bytes")
        chunks.append(chunk)
    return await run_in_threadpool(c.files.save, b"".join(chunks), file.filename or "upload", viewer.owner)
