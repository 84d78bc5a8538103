from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidMediaError, InvalidRequestError
from studio.jobs.validation import build_request, validate_request


def _validate(settings: Settings, **values):
    request = build_request(**{"mode": "i2v", "prompt": "go", "model": "motion-warp", "width": 64, "height": 48,
                               "num_frames": 9, **values})  # fmt: skip
    return validate_request(request, settings, ModelRegistry(offline=True))


def test_source_image_is_checked_and_kept_under_the_data_dir(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "upload.PNG"
    Image.fromarray(np.full((30, 40, 3), 128, np.uint8)).save(source, format="PNG")
    fixed, _notes = _validate(settings, image=str(source))
    stored = Path(fixed.image)
    assert stored.parent == settings.data_dir / "uploads" and stored.suffix == ".png"
    assert stored.read_bytes() == source.read_bytes()
    source.unlink()  # the temporary upload may vanish; the job keeps its copy
    again, _ = _validate(settings, image=fixed.image)
    assert again.image == fixed.image


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: None, InvalidRequestError, "needs a source image"),
        (lambda p: str(p / "missing.png"), InvalidRequestError, "image file not found"),
        (lambda p: (p / "notes.png").write_text("not an image") and str(p / "notes.png"), InvalidMediaError, "notes.png"),
    ],
)
def test_bad_source_images(settings: Settings, tmp_path: Path, make, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        _validate(settings, image=make(tmp_path))


def test_text_to_video_refuses_image_and_motion(settings: Settings) -> None:
    with pytest.raises(InvalidRequestError, match="image-to-video only"):
        validate_request(build_request(prompt="x", model="wan-demo", image="/tmp/a.png"), settings, ModelRegistry(offline=True))
    with pytest.raises(InvalidRequestError, match="cannot do i2v"):
        _validate(settings, model="wan-demo", image="/tmp/a.png")


def test_motion_warp_accepts_any_frame_count_and_even_sizes(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(source)
    fixed, notes = _validate(settings, image=str(source), num_frames=10, width=63, height=48)
    assert (fixed.num_frames, fixed.width) == (10, 64) and "63x48 to 64x48" in notes[0]


@pytest.mark.parametrize(
    ("motion", "message"),
    [
        ({"camera": {"schedules": {"pan_deg": "0:(0), 24(15)"}}}, "position"),
        ({"camera": {"schedules": {"zoom": "0:(1), 99:(2)"}}}, "99"),
        ({"trajectories": [{"points": [(0.2, 0.5), (1.7, 0.5)]}]}, "arrow 0|arrow 1"),
        ({"trajectories": [{"points": [(0.5, 0.5), (0.5, 0.5)]}]}, "length|zero"),
        ({"trajectories": [{"points": [(0.2, 0.5), (0.4, 0.5)], "start_frame": 7, "end_frame": 3}]}, "frame"),
    ],
)
def test_bad_motion_fails_at_submit(settings: Settings, tmp_path: Path, motion: dict, message: str) -> None:
    source = tmp_path / "a.png"
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(source)
    with pytest.raises(InvalidRequestError, match=message):
        _validate(settings, image=str(source), motion=motion)
