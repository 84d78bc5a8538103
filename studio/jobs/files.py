"""Uploads: files a client sent, kept under ``<data_dir>/uploads`` and named to it by an opaque handle.

A client never names a server path: it uploads a file, gets a handle owned
by it, and puts the handle in a job request. The type is read from the
content (an image must decode), never from the file name.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import time

from PIL import Image
from pydantic import BaseModel

from studio.config import Settings
from studio.errors import FileNotFoundInStudioError, FileTooLargeError, InvalidMediaError
from studio.jobs.owners import Viewer
from studio.jobs.store import JobStore
from studio.media.images import ALLOWED_FORMATS, load_image

HANDLE_PATTERN = re.compile(r"^file_[0-9a-f]{32}$")
_EXTENSIONS = {"JPEG": ".jpg", "TIFF": ".tif"}


class StoredFile(BaseModel):
    """What a client learns about its upload (never the server path)."""

    handle: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    created_at: float


class FileStore:
    """Accepts uploads (images) and turns a caller's handle back into the stored file."""

    def __init__(self, settings: Settings, store: JobStore) -> None:
        self._folder = settings.data_dir / "uploads"
        self._max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        self._store = store

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def save(self, content: bytes, filename: str, owner: str) -> StoredFile:
        """Check ``content`` is a whole image of an allowed format, keep it, return its new handle.

        Raises:
            FileTooLargeError: over the operator's limit.
            InvalidMediaError: empty, not an image (whatever its name says), truncated, or too large in pixels.
        """
        if len(content) > self._max_bytes:
            raise FileTooLargeError(f"{filename!r} is {len(content)} bytes; the limit is {self._max_bytes} bytes")
        if not content:
            raise InvalidMediaError(f"{filename!r} is empty")
        label = f"upload {filename!r}"
        pixels, _notes = load_image(content, max_side_px=None, name=label)  # refuses non-images, truncation, bombs
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            content_type = Image.MIME.get(kind, "application/octet-stream")
        if kind not in ALLOWED_FORMATS:
            raise InvalidMediaError(f"{label} is {kind or 'an unknown format'}; allowed: {', '.join(ALLOWED_FORMATS)}")
        digest = hashlib.sha256(content).hexdigest()[:20]
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{digest}{_EXTENSIONS.get(kind, '.' + kind.lower())}"
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.write_bytes(content)
            partial.replace(path)
        stored = StoredFile(handle=f"file_{secrets.token_hex(16)}", content_type=content_type, size_bytes=len(content),
                            width=pixels.shape[1], height=pixels.shape[0], created_at=time.time())  # fmt: skip
        self._store.execute(
            "INSERT INTO files (handle, owner, path, content_type, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.handle, owner, str(path), content_type, len(content), stored.created_at),
        )
        return stored

    def path_of(self, handle: str, viewer: Viewer, field: str = "file") -> str:
        """The stored path behind ``handle``, if ``viewer`` may use it.

        Raises:
            FileNotFoundInStudioError: no such handle for this caller (the same whether it exists for another).
        """
        rows = self._store.query("SELECT owner, path FROM files WHERE handle = ?", (handle,)) if HANDLE_PATTERN.match(handle) else []
        if not rows or not viewer.can_see(rows[0]["owner"]):
            raise FileNotFoundInStudioError(f"{field}: no uploaded file with handle {handle!r}; upload it with POST /api/v1/files")
        return str(rows[0]["path"])
