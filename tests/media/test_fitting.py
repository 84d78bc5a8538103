from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.errors import InvalidMediaError, InvalidRequestError
from studio.media.fitting import load_depth


def _save(path: Path, values: np.ndarray, mode: str = "L") -> str:
    Image.fromarray(values.astype(np.uint8 if mode == "L" else np.uint16)).save(path)
    return str(path)


def test_disparity_map_becomes_depth_with_median_at_the_plane(tmp_path: Path) -> None:
    ramp = np.tile(np.linspace(0, 255, 64), (48, 1))  # right side brighter = nearer
    depth = load_depth(_save(tmp_path / "d.png", ramp), 64, 48, plane_depth=2.0)
    assert depth.shape == (48, 64) and depth.dtype == np.float32
    assert depth[:, 0].mean() > depth[:, -1].mean()  # left (dark) is farther
    assert np.median(depth) == pytest.approx(2.0, rel=1e-3)
    distance = load_depth(str(tmp_path / "d.png"), 64, 48, plane_depth=2.0, is_distance=True)
    assert distance[:, 0].mean() < distance[:, -1].mean()


def test_sixteen_bit_maps_keep_their_precision(tmp_path: Path) -> None:
    ramp = np.tile(np.linspace(1000, 1050, 32), (16, 1))
    depth = load_depth(_save(tmp_path / "d16.png", ramp, "I;16"), 32, 16, plane_depth=1.0)
    assert len(np.unique(np.round(depth, 4))) > 20  # 8-bit would have collapsed 50 levels to a few


def test_flat_and_non_image_depth_maps_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="is flat"):
        load_depth(_save(tmp_path / "flat.png", np.full((16, 16), 7)), 16, 16, 1.0)
    (tmp_path / "x.png").write_text("nope")
    with pytest.raises(InvalidMediaError):
        load_depth(str(tmp_path / "x.png"), 16, 16, 1.0)
