"""Uploads: files a client sent, kept under ``<data_dir>/uploads`` and named to it by an opaque handle.

A client never names a server path: it uploads a file, gets a handle owned
by it, and puts the handle in a job request. The type is read from the
content (an image must decode; a clip, recognised by its first bytes, must
decode whole within the operator's clip limits), never from the file name.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import time
from pathlib import Path

from PIL import Image
from pydantic import BaseModel

from studio.config import Settings
from studio.errors import FileNotFoundInStudioError, FileTooLargeError, InvalidMediaError
from studio.jobs.owners import Viewer
from studio.jobs.store import JobStore
from studio.media.clips import CLIP_FORMATS, clip_limits, looks_like, probe_clip, sniff_clip
from studio.media.images import ALLOWED_FORMATS, load_image

HANDLE_PATTERN = re.compile(r"^file_[0-9a-f]{32}$")
_EXTENSIONS = {"JPEG": ".jpg", "TIFF": ".tif"}
_CLIP_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "mkv": "video/x-matroska",
               "gif": "image/gif"}  # fmt: skip


def _is_clip(content: bytes) -> bool:
    """mp4, mov, webm and mkv are clips; a GIF is one when it has several frames (a still GIF is an image)."""
    container = sniff_clip(content[:64])
    if container != "gif":
        return container is not None
    try:
        with Image.open(io.BytesIO(content)) as image:
            return int(getattr(image, "n_frames", 1)) > 1
    except (OSError, ValueError):
        return False  # the image path reports what is wrong with it


class StoredFile(BaseModel):
    """What a client learns about its upload (never the server path)."""

    handle: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    created_at: float
    # -- video upload (source clips for video to video) --
    #: "image", or "video" for a clip (mp4, mov, webm, mkv, or a GIF of several frames).
    kind: str = "image"
    #: a clip's decoded frames, frame rate and length (None for images).
    num_frames: int | None = None
    fps: float | None = None
    duration_s: float | None = None


class FileStore:
    """Accepts uploads (images, and source clips) and turns a caller's handle back into the stored file."""

    def __init__(self, settings: Settings, store: JobStore) -> None:
        self._folder = settings.data_dir / "uploads"
        self._max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        self._max_clip_bytes = int(settings.max_video_upload_mb * 1024 * 1024)
        self._clip_limits = clip_limits(settings)
        self._store = store

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def max_bytes_for(self, head: bytes) -> int:
        """The size limit of an upload starting with ``head``: the clip limit for a clip, else the image one."""
        return self._max_clip_bytes if sniff_clip(head) else self._max_bytes

    def save(self, content: bytes, filename: str, owner: str) -> StoredFile:
        """Check ``content`` is a whole image of an allowed format or a whole clip, keep it, return its new handle.

        Raises:
            FileTooLargeError: over the operator's limit (the clip limit for a clip).
            InvalidMediaError: empty, neither an image nor a clip (whatever its name says, naming what it looks
                like), truncated, too large in pixels, or a clip over a length limit.
        """
        limit = self.max_bytes_for(content[:64])
        if len(content) > limit:
            raise FileTooLargeError(f"{filename!r} is {len(content)} bytes, larger than the upload limit of {limit} bytes")
        if not content:
            raise InvalidMediaError(f"{filename!r} is empty")
        label = f"upload {filename!r}"
        if _is_clip(content):
            return self._save_clip(content, label, owner)
        try:
            pixels, _notes = load_image(content, max_side_px=None, name=label)  # refuses non-images, truncation, bombs
        except InvalidMediaError:
            seems = looks_like(content[:256])
            if seems.endswith("image"):
                raise  # an image of ours that is damaged: its own message says how
            raise InvalidMediaError(f"{label} is neither an image nor a video clip ({', '.join(CLIP_FORMATS)}): "
                                    f"it looks like {seems}") from None  # fmt: skip
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
        self._record(stored, owner, path)
        return stored

    def _save_clip(self, content: bytes, label: str, owner: str) -> StoredFile:
        """Keep a clip that decodes whole within the limits (checked on the written file: ffmpeg reads files)."""
        container = sniff_clip(content[:64]) or "mp4"
        digest = hashlib.sha256(content).hexdigest()[:20]
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{digest}.{container}"
        partial = self._folder / f"{digest}.{secrets.token_hex(4)}.partial.{container}"
        partial.write_bytes(content)
        try:
            info = probe_clip(partial, self._clip_limits, label)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        stored = StoredFile(handle=f"file_{secrets.token_hex(16)}", content_type=_CLIP_TYPES[container],
                            size_bytes=len(content), width=info.width, height=info.height, created_at=time.time(),
                            kind="video", num_frames=info.num_frames, fps=info.fps, duration_s=round(info.duration_s, 3))  # fmt: skip
        self._record(stored, owner, path)
        return stored

    def _record(self, stored: StoredFile, owner: str, path: Path) -> None:
        self._store.execute(
            "INSERT INTO files (handle, owner, path, content_type, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.handle, owner, str(path), stored.content_type, stored.size_bytes, stored.created_at),
        )

    def path_of(self, handle: str, viewer: Viewer, field: str = "file") -> str:
        """The stored path behind ``handle``, if ``viewer`` may use it.

        Raises:
            FileNotFoundInStudioError: no such handle for this caller (the same whether it exists for another).
        """
        rows = self._store.query("SELECT owner, path FROM files WHERE handle = ?", (handle,)) if HANDLE_PATTERN.match(handle) else []
        if not rows or not viewer.can_see(rows[0]["owner"]):
            raise FileNotFoundInStudioError(f"{field}: no uploaded file with handle {handle!r}; upload it with POST /api/v1/files")
        return str(rows[0]["path"])
