"""Measuring the watermark: the transformations it must survive, scenes to try it on, and the rates.

Used by ``tests/provenance/test_watermark.py`` (tiny clips) and
``benchmarks/provenance.py`` (832x480). The scenes are procedural: coloured
1/f noise (the spectrum of natural images) with flat shapes, panned over the
clip so H.264 sees motion; ``flat=True`` blurs it into a low-texture scene,
where a mark is most exposed to the encoder.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from studio.provenance.watermark import detect, embed

Transform = Callable[[np.ndarray], np.ndarray]


def _pink_noise(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    fy, fx = np.fft.fftfreq(height)[:, None], np.fft.rfftfreq(width)[None, :]
    radius = np.hypot(fx, fy)
    radius[0, 0] = 1.0
    spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius
    image = np.fft.irfft2(spectrum, s=(height, width))
    return (image - image.mean()) / image.std()


def scene_clip(height: int, width: int, frames: int, seed: int, flat: bool = False, pan_px: int = 4) -> np.ndarray:
    """A panning procedural scene, uint8 (frames, height, width, 3)."""
    rng = np.random.default_rng(seed)
    big_h, big_w = height + 16, width + 16 + frames * pan_px
    image = np.stack([_pink_noise(big_h, big_w, rng) for _ in range(3)], axis=-1) * 40 + 128
    image += np.linspace(-30, 30, big_h)[:, None, None]
    for _ in range(12):
        colour = tuple(float(c) for c in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, big_w)), int(rng.integers(0, big_h))
        if rng.random() < 0.5:
            cv2.circle(image, (x, y), int(rng.integers(6, max(7, big_h // 4))), colour, -1)
        else:
            cv2.rectangle(image, (x, y), (x + int(rng.integers(10, big_w // 3)), y + int(rng.integers(10, big_h // 3))), colour, -1)
    image = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 6.0 if flat else 0.8)
    image = np.clip(image, 0, 255).astype(np.uint8)
    return np.stack([image[8 : 8 + height, i * pan_px : i * pan_px + width] for i in range(frames)])


def h264(frames: np.ndarray, crf: int = 28, fps: int = 16) -> np.ndarray:
    """Encode with libx264 at ``crf`` (yuv420p, preset medium) and decode again (odd sides lose their last pixel)."""
    import imageio_ffmpeg

    height, width = frames.shape[1] // 2 * 2, frames.shape[2] // 2 * 2
    frames = frames[:, :height, :width]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                   "-r", str(fps), "-i", "-", "-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p", str(path)]  # fmt: skip
        subprocess.run(command, input=np.ascontiguousarray(frames).tobytes(), check=True, capture_output=True, timeout=300)
        decoded = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo",
                                  "-pix_fmt", "rgb24", "-"], check=True, capture_output=True, timeout=300).stdout  # fmt: skip
    return np.frombuffer(decoded, np.uint8).reshape(-1, height, width, 3)


def resize_half(frames: np.ndarray) -> np.ndarray:
    height, width = frames.shape[1:3]
    return np.stack([cv2.resize(f, (width // 2, height // 2), interpolation=cv2.INTER_AREA) for f in frames])


def crop_borders(frames: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """Cut ``fraction`` of the height and width from *each* border (10% -> the middle 80% remains)."""
    height, width = frames.shape[1:3]
    dy, dx = round(height * fraction), round(width * fraction)
    return np.ascontiguousarray(frames[:, dy : height - dy, dx : width - dx])


TRANSFORMS: dict[str, Transform] = {"none": lambda f: f, "h264": h264, "resize": resize_half, "crop": crop_borders}


def psnr_db(reference: np.ndarray, changed: np.ndarray) -> float:
    mse = float(np.mean((reference.astype(np.float64) - changed.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


@dataclass(frozen=True)
class Measurement:
    """Per-frame detection rates (the right id read) per transformation, PSNR, and unmarked frames read as marked."""

    detection: dict[str, float]
    psnr_db: float
    false_positives: int
    frames: int


def measure(clips: list[np.ndarray], payload_id: int, transforms: dict[str, Transform] | None = None) -> Measurement:
    """Mark each clip, apply each transformation, detect frame by frame; also try the unmarked frames."""
    transforms = transforms or TRANSFORMS
    hits = {name: 0 for name in transforms}
    total, false_positives, psnrs = 0, 0, []
    for clip in clips:
        marked = embed(clip, payload_id)
        psnrs.append(psnr_db(clip, marked))
        for name, transform in transforms.items():
            hits[name] += sum(detect(frame).payload_id == payload_id for frame in transform(marked))
        false_positives += sum(detect(frame).found for frame in clip)
        total += len(clip)
    return Measurement({name: hits[name] / total for name in transforms}, float(np.mean(psnrs)), false_positives, total)
