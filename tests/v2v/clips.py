"""Tiny source clips made in code (ffmpeg through imageio-ffmpeg): textured frames with a moving square."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image


def clip_frames(count: int = 9, width: int = 64, height: int = 48, seed: int = 0) -> np.ndarray:
    """uint8 (count, height, width, 3): a smooth gradient (seeded colours) with a bright square moving right."""
    rng = np.random.default_rng(seed)
    low, high = rng.integers(0, 120, 3), rng.integers(135, 255, 3)
    y, x = np.mgrid[0:height, 0:width]
    ramp = ((x + y) / (width + height - 2))[..., None]
    base = (low + (high - low) * ramp).astype(np.uint8)
    frames = np.repeat(base[None], count, axis=0)
    side = max(4, height // 4)
    for i in range(count):
        left = (i * 3) % max(1, width - side)
        frames[i, height // 3 : height // 3 + side, left : left + side] = (250, 250, 250)
    return frames


def write_clip(path: Path, frames: np.ndarray, fps: int = 8) -> Path:
    """Write ``frames`` with ffmpeg; the container follows the suffix (.mp4, .webm, .mkv, .mov); .gif via Pillow."""
    if path.suffix == ".gif":
        images = [Image.fromarray(f) for f in frames]
        images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
        return path
    height, width = frames.shape[1:3]
    codec = {".webm": "libvpx-vp9"}.get(path.suffix)
    params = ["-crf", "10"] if codec is None else ["-b:v", "0", "-crf", "10"]
    writer = imageio_ffmpeg.write_frames(str(path), (width, height), fps=fps, macro_block_size=1, codec=codec,
                                         output_params=params)  # fmt: skip
    writer.send(None)
    for frame in frames:
        writer.send(np.ascontiguousarray(frame).tobytes())
    writer.close()
    return path
