"""Camera presets, strength, easing and schedules compile to the right cameras and warps."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from motion_helpers import crop, locate, texture
from pydantic import ValidationError

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.engine import MotionPlan, render_guide
from studio.motion.geometry import apply_homography
from studio.motion.presets import PRESETS
from studio.motion.specs import CameraSpec, MotionSpec

W, H = 320, 240
CX, CY = (W - 1) / 2, (H - 1) / 2  # the image centre in pixel-index coordinates
F0 = (W / 2) / math.tan(math.radians(30))  # focal length of the default 60-degree field of view


def _camera(frames: int = 9, **spec) -> CameraPath:
    return compile_camera(CameraSpec(**spec), frames, W, H)


def _forward(camera: CameraPath, frame: int, x: float, y: float) -> tuple[float, float]:
    """Where source pixel (x, y) appears in ``frame`` (through the plane homography)."""
    inverse = np.linalg.inv(MotionPlan(camera).homography(frame))
    u, v = apply_homography(inverse, np.array([x]), np.array([y]))
    return float(u[0]), float(v[0])


@pytest.mark.parametrize("theta_deg", [5.0, -10.0, 20.0])
def test_pan_moves_the_centre_by_f_tan_theta(theta_deg: float) -> None:
    camera = _camera(schedules={"pan_deg": f"0:(0), 8:({theta_deg})"})
    u, v = _forward(camera, 8, CX, CY)
    assert u - CX == pytest.approx(-F0 * math.tan(math.radians(theta_deg)), abs=1e-6)
    assert v == pytest.approx(CY, abs=1e-6)


def test_pan_right_moves_rendered_content_left_by_f_tan_theta() -> None:
    image = texture(W, H)
    frames = render_guide(image, _camera(schedules={"pan_deg": "0:(0), 8:(10)"}))
    x, y = locate(crop(image, CX, CY, 12), frames[8])
    expected = F0 * math.tan(math.radians(10))  # 48.9 px
    assert x - CX == pytest.approx(-expected, abs=1.0)
    assert y == pytest.approx(CY, abs=1.0)


def test_tilt_up_moves_content_down() -> None:
    u, v = _forward(_camera(presets=["tilt_up"]), 8, CX, CY)
    assert v - CY == pytest.approx(F0 * math.tan(math.radians(10)), abs=1e-6) and u == pytest.approx(CX)


@pytest.mark.parametrize("scale", [1.5, 0.6])
def test_zoom_scales_distances_from_the_centre(scale: float) -> None:
    camera = _camera(schedules={"zoom": f"0:(1), 8:({scale})"})
    for dx, dy in [(100.0, 0.0), (-40.0, 70.0), (13.0, -9.0)]:
        u, v = _forward(camera, 8, CX + dx, CY + dy)
        assert (u - CX, v - CY) == pytest.approx((scale * dx, scale * dy), abs=1e-6)


def test_rendered_zoom_matches_a_plain_scaling_about_the_centre() -> None:
    image = texture(W, H, blur_px=3.0)
    frame = render_guide(image, _camera(presets=["zoom_in"]))[-1]
    affine = np.array([[1.5, 0.0, CX * (1 - 1.5)], [0.0, 1.5, CY * (1 - 1.5)]])
    expected = cv2.warpAffine(image, affine, (W, H), flags=cv2.INTER_LINEAR)
    assert np.abs(frame.astype(int) - expected.astype(int)).mean() < 1.0


def test_static_camera_reproduces_the_image_exactly() -> None:
    image = texture(W, H)
    for spec in (CameraSpec(), CameraSpec(presets=["static"], strength=3.0)):
        frames = render_guide(image, compile_camera(spec, 6, W, H))
        assert frames.shape == (6, H, W, 3) and frames.dtype == np.uint8
        assert all(np.array_equal(frame, image) for frame in frames)
    assert np.array_equal(render_guide(image, None, num_frames=3)[2], image)


def test_moving_camera_still_starts_on_the_exact_image() -> None:
    image = texture(W, H)
    frames = render_guide(image, _camera(presets=["pan_left", "zoom_in", "dolly_in", "orbit_right"]))
    assert np.array_equal(frames[0], image)
    assert not np.array_equal(frames[-1], image)


def test_motion_scheduled_at_frame_zero_shows_in_frame_zero() -> None:
    camera = _camera(schedules={"pan_deg": "0:(10), 8:(0)"})
    u, _ = _forward(camera, 0, CX, CY)
    assert u - CX == pytest.approx(-F0 * math.tan(math.radians(10)), abs=1e-6)
    assert _forward(camera, 8, CX, CY)[0] == pytest.approx(CX, abs=1e-6)


def test_roll_clockwise_turns_content_counter_clockwise_on_screen() -> None:
    u, v = _forward(_camera(presets=["roll_cw"]), 8, CX + 100, CY)
    angle = math.degrees(math.atan2(v - CY, u - CX))  # y down: negative = above the centre
    assert angle == pytest.approx(-15.0, abs=1e-6)


@pytest.mark.parametrize(
    ("preset", "expected_shift"),
    [
        ("truck_right", (-0.2 * F0, 0.0)),
        ("truck_left", (0.2 * F0, 0.0)),
        ("pedestal_up", (0.0, 0.2 * F0)),
        ("pedestal_down", (0.0, -0.2 * F0)),
    ],
)
def test_translations_move_the_plane_by_f_times_distance_over_depth(preset: str, expected_shift: tuple) -> None:
    for x, y in [(CX, CY), (20.0, 200.0)]:
        u, v = _forward(_camera(presets=[preset]), 8, x, y)
        assert (u - x, v - y) == pytest.approx(expected_shift, abs=1e-6)


def test_dolly_in_magnifies_the_plane_by_depth_ratio() -> None:
    u, v = _forward(_camera(presets=["dolly_in"]), 8, CX + 50, CY - 30)
    magnification = 1.0 / (1.0 - 0.3)
    assert (u - CX, v - CY) == pytest.approx((50 * magnification, -30 * magnification), abs=1e-6)
    u, _ = _forward(_camera(presets=["dolly_out"], plane_depth=2.0), 8, CX + 50, CY)
    assert u - CX == pytest.approx(50 * 2.0 / 2.3, abs=1e-6)


@pytest.mark.parametrize(("preset", "axis", "sign"), [("orbit_right", 0, 1), ("orbit_left", 0, -1),
                                                       ("crane_up", 1, -1), ("crane_down", 1, 1)])
def test_orbit_and_crane_swing_around_the_pivot_keeping_it_centred(preset: str, axis: int, sign: int) -> None:
    camera = _camera(presets=[preset], plane_depth=2.0)
    centre = -camera.R[-1].T @ camera.t[-1]
    assert np.sign(centre[axis]) == sign
    assert np.linalg.norm(centre - [0.0, 0.0, 2.0]) == pytest.approx(2.0)  # on the circle around the pivot
    assert _forward(camera, 8, CX, CY) == pytest.approx((CX, CY), abs=1e-6)
    amount = abs(PRESETS[preset].amount)
    assert math.degrees(math.asin(abs(centre[axis]) / 2.0)) == pytest.approx(amount)


def test_strength_scales_amounts_and_zoom_is_an_exponent() -> None:
    camera = _camera(presets=["pan_right", "zoom_in"], strength=2.0)
    assert camera.K[-1, 0, 0] == pytest.approx(F0 * 1.5**2)
    forward = camera.R[-1].T @ [0.0, 0.0, 1.0]
    assert math.degrees(math.atan2(forward[0], forward[2])) == pytest.approx(30.0)
    assert _camera(presets=["zoom_out"]).K[-1, 0, 0] == pytest.approx(F0 / 1.5)


def test_presets_combine_and_easing_shapes_the_progress() -> None:
    linear = _camera(presets=["pan_left", "zoom_in"])
    eased = _camera(presets=["pan_left", "zoom_in"], easing="ease_in")
    assert linear.K[4, 0, 0] == pytest.approx(F0 * 1.5**0.5)
    assert eased.K[4, 0, 0] == pytest.approx(F0 * 1.5**0.25)
    assert eased.K[-1, 0, 0] == pytest.approx(linear.K[-1, 0, 0])
    u_linear, _ = _forward(linear, 4, CX, CY)
    assert u_linear - CX == pytest.approx(F0 * 1.5**0.5 * math.tan(math.radians(7.5)), abs=1e-6)


def test_schedules_add_to_presets_and_zoom_multiplies() -> None:
    camera = _camera(presets=["zoom_in", "pan_right"], schedules={"zoom": "0:(2)", "pan_deg": "0:(-15)"})
    assert camera.K[-1, 0, 0] == pytest.approx(F0 * 3.0)
    assert _forward(camera, 8, CX, CY)[0] == pytest.approx(CX, abs=1e-6)  # 15 - 15 = no pan


def test_out_of_range_parameters_name_the_frame() -> None:
    with pytest.raises(InvalidRequestError, match=r"'pan_deg' reaches 90 at frame 8; it must stay within \[-85, 85\]"):
        _camera(presets=["pan_right"], schedules={"pan_deg": "0:(0), 8:(75)"})
    with pytest.raises(InvalidRequestError, match=r"schedule 'zoom': value 0 at frame 3 is outside \[0.1, 10\]"):
        _camera(schedules={"zoom": "0:(1), 3:(0)"})
    with pytest.raises(InvalidRequestError, match="key frame 20 is beyond the last frame 8"):
        _camera(schedules={"tz": "0:(0), 20:(0.1)"})


def test_camera_may_not_reach_the_reference_plane() -> None:
    with pytest.raises(InvalidRequestError, match="at frame 7 the camera is -0.05 scene units in front of the reference plane"):
        _camera(presets=["dolly_in"], strength=4.0)
    _camera(presets=["dolly_in"], strength=4.0, plane_depth=2.0)  # fine further away


def test_bad_sizes_and_counts_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="num_frames must be in 1..10000, got 0"):
        compile_camera(CameraSpec(), 0, W, H)
    with pytest.raises(InvalidRequestError, match="width and height must be positive, got 0 and 240"):
        compile_camera(CameraSpec(), 5, 0, H)


def test_specs_are_strict_json_models() -> None:
    spec = MotionSpec.model_validate_json(
        '{"camera": {"presets": ["pan_left", "zoom_in"], "strength": 0.5, "easing": "ease_out",'
        ' "schedules": {"roll_deg": "0:(0), 10:(5)"}},'
        ' "trajectories": [{"points": [[0.2, 0.3], [0.4, 0.3]], "radius": 0.1}]}'
    )
    assert MotionSpec.model_validate_json(spec.model_dump_json()) == spec
    for bad in ({"presets": ["pan_sideways"]}, {"schedules": {"yaw": "0:(1)"}}, {"speed": 2}, {"strength": -1},
                {"easing": "bounce"}):
        with pytest.raises(ValidationError):
            CameraSpec.model_validate(bad)


def test_camera_path_validates_and_resizes() -> None:
    camera = _camera(presets=["zoom_in"])
    half = camera.resized(W // 2, H // 2)
    assert half.K[-1, 0, 0] == pytest.approx(camera.K[-1, 0, 0] / 2) and half.K[0, 0, 2] == pytest.approx(W / 4)
    assert half.source_K[0, 0] == pytest.approx(F0 / 2)
    skewed = camera.R.copy()
    skewed[3, 0, 0] = 2.0
    with pytest.raises(InvalidRequestError, match="R of frame 3 is not a rotation"):
        CameraPath(camera.K, skewed, camera.t, W, H)
    with pytest.raises(InvalidRequestError, match=r"needs K \(F,3,3\)"):
        CameraPath(camera.K[:, :2], camera.R, camera.t, W, H)
    with pytest.raises(InvalidRequestError, match="all of source_K, source_R and source_t"):
        CameraPath(camera.K, camera.R, camera.t, W, H, source_K=camera.K[0])
