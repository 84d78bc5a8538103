"""Regenerates the example assets (all made by this project in code; CC0).

    python assets/make_assets.py

Pictures are painted procedurally with numpy (no photographs, no third-party
art), so they carry no licence beyond the project's own dedication to CC0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
W, H = 832, 480


def _ridge(rng: np.random.Generator, base: float, rough: float) -> np.ndarray:
    x = np.linspace(0, 1, W)
    y = np.full(W, base)
    for octave in range(1, 6):
        phase = rng.uniform(0, 2 * np.pi)
        y += rough / octave * np.sin(2 * np.pi * octave * (x * rng.uniform(0.8, 1.6)) + phase)
    return (y * H).astype(int)


def mountain_lake() -> tuple[np.ndarray, np.ndarray]:
    """A lake below layered mountains at sunset, and its depth map (brighter = nearer)."""
    rng = np.random.default_rng(7)
    yy = np.linspace(0, 1, H)[:, None]
    image = np.zeros((H, W, 3), np.float32)
    image[:] = (1 - yy)[..., None] * np.array([70, 110, 190]) + yy[..., None] * np.array([250, 170, 120])
    depth = np.full((H, W), 10.0, np.float32)  # sky: far
    xx, ys = np.meshgrid(np.arange(W), np.arange(H))
    sun = (xx - 560) ** 2 + (ys - 190) ** 2 < 38**2
    image[sun] = (255, 230, 170)
    horizon = int(0.62 * H)
    for layer, (colour, dist) in enumerate((((110, 100, 150), 200.0), ((80, 80, 120), 120.0), ((50, 60, 80), 60.0))):
        top = _ridge(rng, 0.30 + 0.08 * layer, 0.06)
        mask = (ys >= top[None, :]) & (ys < horizon)
        image[mask] = colour
        depth[mask] = dist
    lake = ys >= horizon
    mirror = np.clip(2 * horizon - ys, 0, H - 1)
    image[lake] = image[mirror[lake], xx[lake]] * 0.75 + np.array([20, 40, 60]) * 0.25
    depth[lake] = 60.0 / (1 + 6 * (ys[lake] - horizon) / (H - horizon))
    ripples = lake & (np.sin(ys * 1.3 + np.sin(xx * 0.05) * 2) > 0.92)
    image[ripples] += 25
    disparity = 1.0 / depth
    disparity = (disparity - disparity.min()) / (disparity.max() - disparity.min())
    return np.clip(image, 0, 255).astype(np.uint8), (disparity * 65535).astype(np.uint16)


def city_night() -> np.ndarray:
    """Skyscrapers with lit windows under a night sky."""
    rng = np.random.default_rng(3)
    yy = np.linspace(0, 1, H)[:, None, None]
    image = (1 - yy) * np.array([10, 12, 35]) + yy * np.array([45, 30, 70]) + np.zeros((H, W, 3))
    stars = rng.random((H, W)) > 0.9985
    image[stars] = 230
    x = 0
    while x < W:
        width = int(rng.integers(50, 110))
        top = int(rng.integers(90, 300))
        tone = rng.integers(20, 45)
        image[top:, x : x + width] = (tone, tone, tone + 12)
        for wy in range(top + 12, H - 10, 18):
            for wx in range(x + 8, x + width - 10, 14):
                if rng.random() < 0.55:
                    image[wy : wy + 9, wx : wx + 7] = (255, 214, 120) if rng.random() < 0.8 else (150, 200, 255)
        x += width + int(rng.integers(2, 10))
    return np.clip(image, 0, 255).astype(np.uint8)


def flower_field() -> np.ndarray:
    """A meadow of flowers under a bright sky, with a single tree: texture for motion arrows."""
    rng = np.random.default_rng(11)
    yy = np.linspace(0, 1, H)[:, None, None]
    image = (1 - yy) * np.array([120, 180, 240]) + yy * np.array([200, 225, 250]) + np.zeros((H, W, 3))
    horizon = int(0.45 * H)
    ground = np.linspace(0, 1, H - horizon)[:, None, None]
    image[horizon:] = (1 - ground) * np.array([110, 160, 70]) + ground * np.array([60, 120, 40])
    for _ in range(2600):
        y = int(horizon + (H - horizon) * rng.random() ** 0.7)
        x = int(rng.integers(0, W))
        size = 1 + int(6 * (y - horizon) / (H - horizon))
        colour = rng.choice([(240, 80, 90), (250, 220, 70), (245, 245, 245), (170, 100, 220)])
        image[max(0, y - size) : y + size, max(0, x - size) : x + size] = colour
    image[horizon - 120 : horizon + 20, 195:215] = (90, 60, 40)
    yy2, xx2 = np.mgrid[0:H, 0:W]
    crown = ((xx2 - 205) / 90.0) ** 2 + ((yy2 - (horizon - 140)) / 70.0) ** 2 < 1
    image[crown] = (50, 110, 50)
    return np.clip(image, 0, 255).astype(np.uint8)


def main() -> None:
    lake, depth = mountain_lake()
    soften = ImageFilter.GaussianBlur(0.6)
    Image.fromarray(lake).filter(soften).save(HERE / "mountain-lake.png", optimize=True)
    Image.fromarray(depth).save(HERE / "mountain-lake-depth.png", optimize=True)
    Image.fromarray(city_night()).save(HERE / "city-night.png", optimize=True)
    Image.fromarray(flower_field()).filter(soften).save(HERE / "flower-field.png", optimize=True)

    from studio.motion.camera_io import camera_for, camera_to_json, camera_to_re10k
    from studio.motion.specs import CameraSpec, MotionSpec

    spec = MotionSpec(camera=CameraSpec(presets=["orbit_right", "dolly_in"], strength=0.6, easing="ease_in_out"))
    camera = camera_for(spec, 49, W, H)
    (HERE / "orbit-push-camera.json").write_text(camera_to_json(camera))
    (HERE / "orbit-push-camera-re10k.txt").write_text(camera_to_re10k(camera, name="studio example", fps=16.0))


if __name__ == "__main__":
    main()
