"""Reading clips back: any video file ffmpeg decodes, or a studio zip of PNG frames."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from studio.errors import InvalidMediaError

MAX_READ_FRAMES = 5000


@dataclass
class DecodedVideo:
    frames: np.ndarray  # uint8 (frames, height, width, 3)
    fps: float


def read_video(path: Path | str, max_frames: int = MAX_READ_FRAMES) -> DecodedVideo:
    """Decode every frame of ``path`` (a video file, or a ``.zip`` of PNG frames with ``metadata.json``).

    Raises:
        InvalidMediaError: no such file, not a video, no frames, or more than ``max_frames``.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidMediaError(f"no such file: {path}")
    if zipfile.is_zipfile(path):
        return _read_png_zip(path, max_frames)
    import imageio_ffmpeg

    try:
        reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
        meta = reader.__next__()
        width, height = meta["size"]
        frames: list[np.ndarray] = []
        for raw in reader:
            if len(frames) >= max_frames:
                reader.close()
                raise InvalidMediaError(f"{path.name} has more than {max_frames} frames")
            frames.append(np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3))
    except (OSError, RuntimeError, StopIteration, KeyError, ValueError) as exc:
        raise InvalidMediaError(f"{path.name} is not a video ffmpeg can decode ({type(exc).__name__})") from None
    if not frames or width <= 0 or height <= 0:
        raise InvalidMediaError(f"{path.name} has no video frames")
    fps = float(meta.get("fps") or 0.0)
    return DecodedVideo(np.stack(frames), fps if fps > 0 else 1.0)


def _read_png_zip(path: Path, max_frames: int) -> DecodedVideo:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.lower().endswith(".png"))
        if not names:
            raise InvalidMediaError(f"{path.name} holds no PNG frames")
        if len(names) > max_frames:
            raise InvalidMediaError(f"{path.name} has more than {max_frames} frames")
        try:
            frames = [np.asarray(Image.open(archive.open(n)).convert("RGB")) for n in names]
            fps = float(json.loads(archive.read("metadata.json")).get("fps", 1.0)) if "metadata.json" in archive.namelist() else 1.0
        except (OSError, ValueError) as exc:
            raise InvalidMediaError(f"{path.name}: a frame or its metadata does not decode ({exc})") from None
    if len({f.shape for f in frames}) != 1:
        raise InvalidMediaError(f"{path.name}: frames differ in size")
    return DecodedVideo(np.stack(frames), fps)
