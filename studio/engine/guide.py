"""Builds the guide video of an image-to-video request with the motion engine."""

from __future__ import annotations

import cv2
import numpy as np

from studio.config import Settings
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError
from studio.media.images import load_image
from studio.motion.camera import compile_camera
from studio.motion.engine import render_guide, sampling_maps
from studio.motion.specs import MotionSpec
from studio.motion.vectors import trajectories_from_specs
from studio.types import GenerationRequest


def fit_image(image: np.ndarray, width: int, height: int) -> tuple[np.ndarray, list[str]]:
    """Scale to cover ``width`` x ``height`` and centre-crop, with a note for what changed."""
    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height):
        return image, []
    scale = max(width / src_w, height / src_h)
    new_w, new_h = max(width, round(src_w * scale)), max(height, round(src_h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    left, top = (new_w - width) // 2, (new_h - height) // 2
    notes = [f"image {src_w}x{src_h} scaled to {new_w}x{new_h}"]
    if (new_w, new_h) != (width, height):
        notes.append(f"and centre-cropped to {width}x{height}")
    return np.ascontiguousarray(resized[top : top + height, left : left + width]), notes


class GuideRenderer:
    """``GuideBuilder`` for the runner: image file + ``MotionSpec`` -> ``GuideVideo``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def __call__(self, request: GenerationRequest, *, with_maps: bool = True) -> GuideVideo:
        """Render the guide.

        Raises:
            InvalidRequestError / InvalidMediaError: no image, an unusable image, bad motion values.
        """
        if not request.image:
            raise InvalidRequestError("image-to-video needs a source image")
        image, notes = load_image(request.image, max_side_px=max(self._settings.max_side_px, 4096))
        image, fit_notes = fit_image(image, request.width, request.height)
        motion = request.motion or MotionSpec()
        camera = compile_camera(motion.camera, request.num_frames, request.width, request.height)
        trajectories = trajectories_from_specs(motion.trajectories)
        frames = render_guide(image, camera, trajectories, request.num_frames)
        maps = sampling_maps(camera, trajectories) if with_maps else np.zeros((0, 0, 0, 2), np.float32)
        return GuideVideo(frames=frames, maps=maps, notes=tuple(notes + fit_notes))
