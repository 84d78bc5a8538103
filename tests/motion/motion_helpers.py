"""Shared helpers for the motion tests: textures and sub-pixel patch location."""

from __future__ import annotations

import cv2
import numpy as np


def texture(width: int, height: int, seed: int = 0, blur_px: float = 1.5) -> np.ndarray:
    """A smooth random RGB texture (uint8 H x W x 3): every patch is distinctive."""
    noise = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    smooth = cv2.GaussianBlur(noise.astype(np.float32), (0, 0), blur_px)
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min()) * 255.0
    return smooth.astype(np.uint8)


def locate(patch: np.ndarray, frame: np.ndarray) -> tuple[float, float]:
    """Sub-pixel (x, y) of the centre of ``patch``'s best match in ``frame`` (normalised cross-correlation)."""
    gray_patch = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gray_frame = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    score = cv2.matchTemplate(gray_frame, gray_patch, cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(score)
    assert best > 0.8, f"patch not found (best correlation {best:.2f})"

    def refine(values: np.ndarray, i: int) -> float:
        if 0 < i < len(values) - 1:
            left, mid, right = values[i - 1], values[i], values[i + 1]
            denominator = left - 2 * mid + right
            if denominator < 0:
                return i + 0.5 * (left - right) / denominator
        return float(i)

    x = refine(score[by, :], bx)
    y = refine(score[:, bx], by)
    return x + (patch.shape[1] - 1) / 2, y + (patch.shape[0] - 1) / 2


def crop(image: np.ndarray, cx: float, cy: float, half: int) -> np.ndarray:
    """The (2*half+1)-square patch of ``image`` centred on integer pixel (cx, cy)."""
    x, y = int(round(cx)), int(round(cy))
    return image[y - half : y + half + 1, x - half : x + half + 1]
