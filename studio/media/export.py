"""Video export: mp4 (H.264), webm (VP9) or gif, with the settings embedded.

The full settings go twice: into the container's metadata (``comment`` tag,
JSON; readable with ``ffprobe`` or any tag reader) and into a
``metadata.json`` sidecar next to the video.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np

from studio.errors import InvalidRequestError

VideoFormat = Literal["mp4", "webm", "gif"]
_CODECS = {"mp4": "libx264", "webm": "libvpx-vp9"}


def export_video(frames: np.ndarray, path: Path, fps: int, metadata: dict, fmt: VideoFormat = "mp4") -> Path:
    """Write ``frames`` (uint8, frames x height x width x 3) to ``path`` and return it.

    Raises:
        InvalidRequestError: empty or malformed frames, a non-positive fps, or an unknown format.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] == 0 or frames.dtype != np.uint8:
        raise InvalidRequestError(f"frames must be uint8 (frames, height, width, 3), got {frames.dtype} {frames.shape}")
    if fps <= 0:
        raise InvalidRequestError(f"fps must be positive, got {fps}")
    if fmt not in ("mp4", "webm", "gif"):
        raise InvalidRequestError(f"unknown video format {fmt!r}; use mp4, webm or gif")
    from moviepy import ImageSequenceClip

    path.parent.mkdir(parents=True, exist_ok=True)
    # Encoders need even sides for 4:2:0 chroma; pad by one edge pixel rather than crop content.
    pad_h, pad_w = frames.shape[1] % 2, frames.shape[2] % 2
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    clip = ImageSequenceClip(list(frames), fps=fps)
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    try:
        if fmt == "gif":
            clip.write_gif(str(tmp), fps=fps, logger=None)
        else:
            comment = json.dumps(metadata, separators=(",", ":"), default=str)
            params = ["-pix_fmt", "yuv420p", "-metadata", f"comment={comment}", "-metadata", "title=studio generation"]
            if fmt == "mp4":
                params += ["-movflags", "+faststart"]
            clip.write_videofile(str(tmp), fps=fps, codec=_CODECS[fmt], audio=False, ffmpeg_params=params, logger=None)
    finally:
        clip.close()
    tmp.replace(path)  # a crash mid-encode never leaves a truncated file under the final name
    return path


def write_metadata(path: Path, metadata: dict) -> Path:
    """Write the JSON sidecar atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(metadata, indent=2, default=str))
    tmp.replace(path)
    return path


def read_embedded_metadata(path: Path) -> dict:
    """Read back the JSON settings embedded in a video's ``comment`` tag ({} when absent)."""
    import subprocess

    import imageio_ffmpeg

    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.lower().startswith("comment="):  # Matroska (webm) writes the tag in capitals
            value = line[len("comment=") :].replace("\\=", "=").replace("\\;", ";").replace("\\#", "#").replace("\\\\", "\\")
            return json.loads(value)
    return {}


def probe_video(path: Path | str) -> tuple[int, int, int]:
    """(frames, width, height) of a video file; frames are counted by decoding every one."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    reader.close()
    width, height = meta["size"]
    frames, _seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return frames, width, height
