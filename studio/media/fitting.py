"""Fitting images and depth maps to a clip's size (numpy / OpenCV / PIL)."""

from __future__ import annotations

import cv2
import numpy as np

from studio.errors import InvalidRequestError
from studio.media.images import load_image


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


def load_depth(path: str, width: int, height: int, plane_depth: float, *, is_distance: bool = False) -> np.ndarray:
    """A depth-map image as z-depth (H, W) float32 in scene units, median at ``plane_depth``.

    Most monocular estimators write *disparity* (brighter = nearer): depth is its
    inverse. With ``is_distance`` the grey values are distances already. The map
    is fitted to the clip like the image (cover + centre crop).

    Raises:
        InvalidMediaError: not an image (bombs refused as for source images).
        InvalidRequestError: a flat map (no depth information).
    """
    from PIL import Image

    load_image(path, max_side_px=None)  # refuses bombs and non-images before decoding as float
    with Image.open(path) as opened:
        values = np.asarray(opened.convert("F"), dtype=np.float32)
    low, high = float(values.min()), float(values.max())
    # checked before resizing: interpolation leaves float noise on a flat map
    if high - low <= 1e-3 * max(1.0, abs(high)):
        raise InvalidRequestError(f"depth map {path} is flat (every pixel {low:g}): it holds no depth")
    values, _ = fit_image(values, width, height)
    low, high = float(values.min()), float(values.max())
    normalised = (values - low) / (high - low)
    depth = 0.2 + normalised if is_distance else 1.0 / (0.2 + normalised)
    return (depth * plane_depth / float(np.median(depth))).astype(np.float32)
