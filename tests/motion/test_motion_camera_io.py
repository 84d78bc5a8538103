"""Camera paths round-trip through JSON and the RealEstate10K / CameraCtrl text layout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.camera_io import camera_from_json, camera_from_re10k, camera_to_json, camera_to_re10k
from studio.motion.engine import sampling_maps
from studio.motion.specs import CameraSpec

W, H = 64, 48


def _path() -> CameraPath:
    spec = CameraSpec(presets=["pan_left", "zoom_in", "dolly_in", "crane_up"], easing="ease_in_out", plane_depth=1.5)
    return compile_camera(spec, 7, W, H)


def test_json_round_trip_is_exact() -> None:
    path = _path()
    text = camera_to_json(path)
    back = camera_from_json(text)
    for name in ("K", "R", "t", "source_K", "source_R", "source_t"):
        np.testing.assert_array_equal(getattr(back, name), getattr(path, name))
    assert (back.width, back.height, back.plane_depth) == (W, H, 1.5)
    assert json.loads(text)["version"] == 1


def test_re10k_layout_has_a_name_line_and_19_numbers_per_frame() -> None:
    text = camera_to_re10k(_path(), name="https://example.com/clip", fps=10)
    lines = text.splitlines()
    assert lines[0] == "https://example.com/clip" and len(lines) == 8
    first, third = (np.array(line.split(), dtype=float) for line in (lines[1], lines[3]))
    assert first.shape == (19,) and first[0] == 0 and third[0] == 200_000  # microseconds at 10 fps
    assert first[3] == pytest.approx(0.5) and first[4] == pytest.approx(0.5)  # centred principal point
    assert first[5] == 0 and first[6] == 0
    np.testing.assert_allclose(first[7:].reshape(3, 4), np.hstack([np.eye(3), np.zeros((3, 1))]), atol=1e-12)


def test_re10k_round_trip_keeps_cameras_and_warps() -> None:
    path = _path()
    back = camera_from_re10k(camera_to_re10k(path), W, H, plane_depth=1.5)
    np.testing.assert_allclose(back.K, path.K, atol=1e-9)
    np.testing.assert_allclose(back.R, path.R, atol=1e-12)
    np.testing.assert_allclose(back.t, path.t, atol=1e-12)
    # The file has no source camera, so frame 0 becomes the source: the same camera here (presets start at rest).
    np.testing.assert_allclose(sampling_maps(back), sampling_maps(path), atol=1e-3)


def test_re10k_reader_accepts_any_world_frame() -> None:
    path = _path()
    # Move the whole rig: world-to-camera poses change, relative motion does not.
    rotation = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    offset = np.array([3.0, -2.0, 5.0])
    moved_R = path.R @ rotation.T
    moved_t = path.t - np.einsum("fij,j->fi", moved_R, offset)
    moved = CameraPath(path.K, moved_R, moved_t, W, H, 1.5)
    reread = camera_from_re10k(camera_to_re10k(moved), W, H, plane_depth=1.5)
    np.testing.assert_allclose(sampling_maps(reread), sampling_maps(path), atol=1e-3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("url only\n", "no frame lines"),
        ("url\n0 0.5 0.5 0.5 0.5 0 0 1 0 0\n", "line 2: expected 19 numbers, got 10"),
        ("url\n\n" + "0 " * 18 + "x\n", "line 3: not a number"),
        ("url\n0 0.9 1.2 0.5 0.5 0 0 2 0 0 0 0 1 0 0 0 0 1 0\n", "R of frame 0 is not a rotation"),
    ],
)
def test_re10k_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        camera_from_re10k(text, W, H)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "camera path JSON: Invalid JSON"),
        ('{"width": 4, "height": 4, "frames": []}', "at frames"),
        ('{"version": 2, "width": 4, "height": 4, "frames": [{"K": [[1,0,0],[0,1,0],[0,0,1]],'
         ' "R": [[1,0,0],[0,1,0],[0,0,1]], "t": [0,0,0]}]}', "version 2 is not supported"),
        ('{"width": 4, "height": 4, "frames": [{"K": [[1,0],[0,1]], "R": [[1,0,0],[0,1,0],[0,0,1]], "t": [0,0,0]}]}',
         r"needs K \(F,3,3\)"),
        ('{"width": 4, "height": 4, "extra": 1, "frames": []}', "camera path JSON"),
    ],
)
def test_json_errors_are_clear(text: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        camera_from_json(text)


def test_re10k_writer_checks_its_arguments() -> None:
    with pytest.raises(InvalidRequestError, match="fps must be positive, got 0"):
        camera_to_re10k(_path(), fps=0)
    with pytest.raises(InvalidRequestError, match="one line"):
        camera_to_re10k(_path(), name="a\nb")
