"""Instant previews of a camera move: a few small frames, and a GIF of them."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath
from studio.motion.engine import Border, MotionPlan, checked_image
from studio.motion.vectors import Trajectory

MAX_PREVIEW_FRAMES = 48


def preview_camera_path(image: np.ndarray, camera: CameraPath,
                        trajectories: list[Trajectory] | tuple[Trajectory, ...] = (), *, max_side_px: int = 160,
                        num_frames: int = 16, border: Border = "reflect") -> np.ndarray:
    """A low-resolution animation of ``camera`` (and arrows) over ``image``, fast enough to run per click.

    The image is shrunk so its longer side is at most ``max_side_px`` (never
    enlarged) and the camera resized to match; ``num_frames`` frames are taken
    evenly from the path, first and last included (fewer if the path is shorter).
    The camera may be for any size of the same aspect ratio.

    Returns:
        uint8 (n, h, w, 3).

    Raises:
        InvalidRequestError: a bad image, ``max_side_px`` below 8, or
            ``num_frames`` outside 1..48.
    """
    image = checked_image(image)
    if max_side_px < 8:
        raise InvalidRequestError(f"max_side_px must be at least 8, got {max_side_px}")
    if not 1 <= num_frames <= MAX_PREVIEW_FRAMES:
        raise InvalidRequestError(f"preview num_frames must be within 1..{MAX_PREVIEW_FRAMES}, got {num_frames}")
    height, width = image.shape[:2]
    scale = min(1.0, max_side_px / max(height, width))
    small_w, small_h = max(1, round(width * scale)), max(1, round(height * scale))
    small = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA) if scale < 1.0 else image
    plan = MotionPlan(camera.resized(small_w, small_h), trajectories)
    picks = np.unique(np.round(np.linspace(0, camera.num_frames - 1, min(num_frames, camera.num_frames))).astype(int))
    return np.stack([plan.render_frame(small, int(frame), border) for frame in picks])


def frames_to_gif_bytes(frames: np.ndarray, fps: float = 8.0, loop: bool = True) -> bytes:
    """Encode uint8 (F, H, W, 3) frames as an animated GIF (bytes), ``fps`` frames per second.

    Raises:
        InvalidRequestError: empty or malformed frames, or a non-positive fps.
    """
    if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3 \
            or frames.shape[0] == 0:
        shape = getattr(frames, "shape", None)
        raise InvalidRequestError(f"frames must be uint8 (frames, height, width, 3), got {shape}")
    if fps <= 0:
        raise InvalidRequestError(f"fps must be positive, got {fps}")
    images = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    extra = {"loop": 0} if loop else {}
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=max(20, round(1000 / fps)), disposal=2, **extra)
    return buffer.getvalue()
