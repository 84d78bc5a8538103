"""Submit-time checks of a video-to-video request (mode "v2v"): its source clip and the inputs it cannot take."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path

from studio.config import Settings
from studio.errors import FileTooLargeError, InvalidMediaError, InvalidRequestError
from studio.media.clips import CLIP_FORMATS, clip_limits, looks_like, probe_clip, sniff_clip
from studio.types import GenerationRequest

#: inputs of image to video that a source clip replaces, and why.
_NOT_FOR_V2V = {
    "image": "the clip's own frames are the source",
    "motion": "the clip brings its own motion (camera paths and arrows steer image to video)",
    "depth_map": "it moves the camera of a still image",
    "end_image": "the clip's own frames are the source",
}


def check_source_video(request: GenerationRequest, settings: Settings) -> str:
    """Check a video-to-video request's inputs and keep its clip under ``<data_dir>/uploads``.

    Returns:
        the stored clip's path (named by content hash, so re-runs share it).
    Raises:
        InvalidRequestError: no video, no such file, an image-to-video input given, or a strength of 0.
        InvalidMediaError: the file is not a clip, does not decode whole, or is over the operator's clip limits.
        FileTooLargeError: the file is larger than the operator's clip size limit.
    """
    formats = ", ".join(CLIP_FORMATS)
    if not request.video:
        raise InvalidRequestError(f"video to video (mode 'v2v') needs a source video: upload a clip ({formats})")
    given = [name for name in _NOT_FOR_V2V if getattr(request, name)]
    if given:
        reasons = "; ".join(f"{name}: {_NOT_FOR_V2V[name]}" for name in given)
        raise InvalidRequestError(f"video to video takes no {', '.join(given)} ({reasons})")
    if request.guide_strength == 0:
        raise InvalidRequestError("guide_strength 0 ignores the source video: give how much of the denoising the "
                                  "clip replaces, above 0 (e.g. 0.6; 1 keeps the clip nearly as is)")  # fmt: skip
    source = Path(request.video)
    if not source.is_file():
        raise InvalidRequestError(f"source video file not found: {request.video}")
    uploads = settings.data_dir / "uploads"
    if source.parent.resolve() == uploads.resolve():  # an upload: decoded whole when it came in
        with source.open("rb") as handle:
            head = handle.read(256)
        if sniff_clip(head) is None:
            raise InvalidMediaError(f"video: the uploaded file is not a video clip ({formats}): it looks like {looks_like(head)}")
        return str(source)
    limit_bytes = int(settings.max_video_upload_mb * 1024 * 1024)
    if source.stat().st_size > limit_bytes:
        raise FileTooLargeError(f"source video '{source.name}' is {source.stat().st_size} bytes, larger than the "
                                f"limit of {limit_bytes} bytes")  # fmt: skip
    info = probe_clip(source, clip_limits(settings), label=f"source video '{source.name}'")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:20]
    uploads.mkdir(parents=True, exist_ok=True)
    stored = uploads / f"{digest}.{info.container}"
    if not stored.exists():
        partial = uploads / f"{digest}.{secrets.token_hex(4)}.partial"
        shutil.copyfile(source, partial)
        partial.replace(stored)
    return str(stored)
