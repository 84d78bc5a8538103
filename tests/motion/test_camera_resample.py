"""Camera files resampled by time: slerp rotations, straight camera centres, the file's timestamps honoured."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.camera_io import camera_for, camera_to_re10k
from studio.motion.geometry import rotation_y
from studio.motion.resample import quaternion_to_rotation, resample_path, rotation_to_quaternion
from studio.motion.specs import CameraSpec, MotionSpec


def _yaw_deg(R: np.ndarray) -> np.ndarray:
    """Pan angle of each world-to-camera rotation about the vertical axis."""
    return np.degrees(np.arctan2(R[:, 0, 2], R[:, 0, 0]))


def _pan_file(angles_deg: list[float], times_us: list[int] | None = None) -> str:
    count = len(angles_deg)
    path = CameraPath(np.tile(np.array([[100.0, 0, 32], [0, 100.0, 24], [0, 0, 1]]), (count, 1, 1)),
                      rotation_y(np.array(angles_deg)), np.zeros((count, 3)), 64, 48)  # fmt: skip
    text = camera_to_re10k(path, fps=1.0)
    if times_us is None:
        return text
    lines = text.splitlines()
    return "\n".join([lines[0], *(f"{t} {line.split(' ', 1)[1]}" for t, line in zip(times_us, lines[1:], strict=True))])


def test_a_few_poses_of_a_constant_pan_give_evenly_increasing_angles() -> None:
    camera = camera_for(MotionSpec(camera_file=_pan_file([0.0, 10.0, 20.0, 30.0])), 31, 64, 48)
    steps = np.diff(_yaw_deg(camera.R))
    assert np.allclose(steps, steps[0], atol=1e-6) and abs(steps[0]) == pytest.approx(1.0, abs=1e-6)
    # the old nearest-pose resampling held each pose for several frames: stair steps, no longer
    assert (np.abs(steps) > 0.5).all()


def test_the_files_own_timestamps_are_honoured() -> None:
    # poses at 0, 10, 20 degrees, but the second one comes late (at 3 s of 4): the pan is slower first, then faster
    text = _pan_file([0.0, 10.0, 20.0], [0, 3_000_000, 4_000_000])
    angles = np.abs(_yaw_deg(camera_for(MotionSpec(camera_file=text), 9, 64, 48).R))
    assert angles[6] == pytest.approx(10.0, abs=1e-6)  # 3 s of 4 s = output frame 6 of 8
    assert np.diff(angles)[:6] == pytest.approx(np.full(6, 10 / 6), abs=1e-6)
    assert np.diff(angles)[6:] == pytest.approx(np.full(2, 5.0), abs=1e-6)


def test_translations_and_intrinsics_are_linear() -> None:
    original = compile_camera(CameraSpec(presets=["truck_right", "zoom_in"], easing="linear"), 5, 64, 48)
    dense = resample_path(original, 9)
    np.testing.assert_allclose(dense.t[::2], original.t, atol=1e-9)
    np.testing.assert_allclose(dense.t[1], (original.t[0] + original.t[1]) / 2, atol=1e-9)
    np.testing.assert_allclose(dense.K[3], (original.K[1] + original.K[2]) / 2, atol=1e-9)


def test_quaternion_round_trip_and_large_rotations() -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(20, 4))
    R = quaternion_to_rotation(q)
    np.testing.assert_allclose(quaternion_to_rotation(rotation_to_quaternion(R)), R, atol=1e-9)
    half = resample_path(CameraPath(np.tile(np.eye(3) * [[50], [50], [1]], (2, 1, 1)), rotation_y(np.array([0.0, 170.0])),
                                    np.zeros((2, 3)), 64, 48), 3)  # fmt: skip
    assert abs(_yaw_deg(half.R)[1]) == pytest.approx(85.0, abs=1e-6)


@pytest.mark.parametrize(("times", "message"), [([0, 5, 5], "pose 3 has 5 after 5"), ([0, 1], "2 timestamps for 3 poses")])
def test_bad_timestamps_are_refused(times: list[int], message: str) -> None:
    path = compile_camera(CameraSpec(presets=["pan_left"]), 3, 64, 48)
    with pytest.raises(InvalidRequestError, match=message):
        resample_path(path, 9, np.array(times))


def test_decreasing_timestamps_in_a_file_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="timestamps must increase"):
        camera_for(MotionSpec(camera_file=_pan_file([0.0, 10.0, 20.0], [0, 2_000_000, 1_000_000])), 9, 64, 48)
