from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from studio.config import Settings
from studio.engine.guide import GuideRenderer
from studio.media.fitting import fit_image
from studio.types import GenerationRequest, Mode


def test_fit_image_covers_and_crops_with_notes() -> None:
    image = np.zeros((100, 300, 3), np.uint8)
    fitted, notes = fit_image(image, 160, 96)
    assert fitted.shape == (96, 160, 3) and "300x100 scaled to 288x96" in notes[0] and "centre-cropped to 160x96" in notes[1]
    same, none = fit_image(np.zeros((96, 160, 3), np.uint8), 160, 96)
    assert none == [] and same.shape == (96, 160, 3)


def test_guide_of_a_still_camera_is_the_image_and_a_pan_moves_it(settings: Settings, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    source = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
    path = tmp_path / "src.png"
    Image.fromarray(source).save(path)
    renderer = GuideRenderer(settings)
    still = renderer(GenerationRequest(mode=Mode.I2V, prompt="x", image=str(path), width=64, height=48, num_frames=5))
    assert still.frames.shape == (5, 48, 64, 3) and all(np.array_equal(f, source) for f in still.frames)
    assert still.maps.shape == (5, 48, 64, 2)
    pan = renderer(GenerationRequest(mode=Mode.I2V, prompt="x", image=str(path), width=64, height=48, num_frames=5,
                                     motion={"camera": {"presets": ["pan_right"]}}), with_maps=False)  # fmt: skip
    assert np.array_equal(pan.frames[0], source) and not np.array_equal(pan.frames[-1], source)
    assert pan.maps.size == 0


def test_a_depth_map_makes_near_content_move_more_under_translation(settings: Settings, tmp_path: Path) -> None:
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(tmp_path / "src.png")
    ramp = np.tile(np.linspace(0, 255, 64), (48, 1)).astype(np.uint8)  # brighter (right) = nearer
    Image.fromarray(ramp).save(tmp_path / "depth.png")
    request = GenerationRequest(mode=Mode.I2V, prompt="x", image=str(tmp_path / "src.png"), depth_map=str(tmp_path / "depth.png"),
                                width=64, height=48, num_frames=5, motion={"camera": {"presets": ["truck_left"]}})  # fmt: skip
    guide = GuideRenderer(settings)(request)
    ys, xs = np.mgrid[0:48, 0:64]
    shift = np.abs(guide.maps[-1, ..., 0] - xs)
    assert shift[:, 48:].mean() > 1.5 * shift[:, :16].mean()  # near (right) moves more than far (left)
    assert "depth map used for camera translations" in guide.notes
    flat = GuideRenderer(settings)(request.model_copy(update={"depth_map": None}))
    flat_shift = np.abs(flat.maps[-1, ..., 0] - xs)
    assert abs(flat_shift[:, 48:].mean() - flat_shift[:, :16].mean()) < 0.1 * flat_shift.mean()  # one plane: uniform
