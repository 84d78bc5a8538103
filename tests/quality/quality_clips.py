"""Synthetic clips with known truth for the quality report and interpolation tests."""

from __future__ import annotations

import cv2
import numpy as np


def texture(height: int, width: int, seed: int = 0, blur_px: float = 3.0) -> np.ndarray:
    """Blurred colour noise stretched to 0..255: textured enough for optical flow, smooth enough to shift sub-pixel."""
    noise = np.random.default_rng(seed).random((height, width, 3)).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), blur_px)
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    return (noise * 255).round().astype(np.uint8)


def shifted(image: np.ndarray, dx: float, dy: float, height: int, width: int, margin: int = 40) -> np.ndarray:
    """A ``height`` x ``width`` window of ``image`` moved by (dx, dy) pixels (sub-pixel, cubic)."""
    matrix = np.float32([[1, 0, -dx], [0, 1, -dy]])
    moved = cv2.warpAffine(image, matrix, (image.shape[1], image.shape[0]), flags=cv2.INTER_CUBIC)
    return moved[margin : margin + height, margin : margin + width]


def pan(frames: int = 24, step_px: float = 2.0, height: int = 96, width: int = 160, seed: int = 0) -> np.ndarray:
    """A camera panning at constant speed over a textured scene."""
    scene = texture(height + 80, width + 80 + int(step_px * frames), seed=seed, blur_px=4.0)
    return np.stack([shifted(scene, step_px * i, 0.0, height, width) for i in range(frames)])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean()
    return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))
