from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.media.export import export_video, probe_video, read_embedded_metadata, write_metadata


def _frames(count=9, height=48, width=64) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (count, height, width, 3), dtype=np.uint8)


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_video_has_the_frames_size_and_embedded_settings(tmp_path: Path, fmt: str) -> None:
    metadata = {"prompt": 'a "quoted" = prompt; with #signs', "seed": 5}
    path = export_video(_frames(), tmp_path / f"clip.{fmt}", 8, metadata, fmt)  # type: ignore[arg-type]
    assert probe_video(path) == (9, 64, 48)
    assert read_embedded_metadata(path) == metadata
    assert not list(tmp_path.glob("*.partial*"))


def test_gif_and_odd_sizes(tmp_path: Path) -> None:
    assert export_video(_frames(3), tmp_path / "a.gif", 8, {}, "gif").stat().st_size > 0
    odd = export_video(_frames(5, 47, 63), tmp_path / "odd.mp4", 8, {})
    assert probe_video(odd) == (5, 64, 48)


@pytest.mark.parametrize(
    ("frames", "fps", "fmt", "message"),
    [
        (np.zeros((0, 8, 8, 3), np.uint8), 8, "mp4", "frames must be uint8"),
        (np.zeros((2, 8, 8), np.uint8), 8, "mp4", "frames must be uint8"),
        (np.zeros((2, 8, 8, 3), np.float32), 8, "mp4", "frames must be uint8"),
        (np.zeros((2, 8, 8, 3), np.uint8), 0, "mp4", "fps must be positive, got 0"),
        (np.zeros((2, 8, 8, 3), np.uint8), 8, "avi", "unknown video format 'avi'"),
    ],
)
def test_bad_frames_and_settings_are_refused(tmp_path: Path, frames, fps, fmt, message) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        export_video(frames, tmp_path / "x.mp4", fps, {}, fmt)


def test_metadata_sidecar(tmp_path: Path) -> None:
    path = write_metadata(tmp_path / "m" / "metadata.json", {"a": 1})
    assert path.read_text().strip().startswith("{") and '"a": 1' in path.read_text()
