"""Motion arrows: content follows the polyline, the field is smooth, bad arrows are named."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from motion_helpers import crop, locate, texture

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.engine import MotionPlan, forward_flows, render_guide, sampling_maps
from studio.motion.field import influence
from studio.motion.specs import CameraSpec, TrajectorySpec
from studio.motion.vectors import Trajectory, compile_trajectories, trajectories_from_specs

W, H, FRAMES = 256, 192, 13


def _px(x: float, y: float) -> tuple[float, float]:
    """Normalised coordinates -> pixel-index coordinates."""
    return x * W - 0.5, y * H - 0.5


def test_textured_patch_moves_by_the_arrow_length_at_its_tip_frame() -> None:
    image = texture(W, H, seed=1)
    arrow = Trajectory(((0.3, 0.5), (0.6, 0.4)), start_frame=2, end_frame=10, radius=0.25)
    frames = render_guide(image, CameraPath.static(FRAMES, W, H), [arrow])
    tail, tip = _px(0.3, 0.5), _px(0.6, 0.4)
    patch = crop(image, *tail, half=10)
    x, y = locate(patch, frames[10])
    assert (x - tail[0], y - tail[1]) == pytest.approx((tip[0] - tail[0], tip[1] - tail[1]), abs=1.0)
    assert locate(patch, frames[12]) == pytest.approx((x, y), abs=0.1)  # stays at the tip afterwards
    assert np.array_equal(frames[0], image) and np.array_equal(frames[2], image)  # not started yet


def test_content_follows_a_bent_polyline_at_constant_speed() -> None:
    image = texture(W, H, seed=2)
    points = ((0.25, 0.3), (0.55, 0.3), (0.55, 0.7))  # right 76.8 px, then down 76.8 px
    frames = render_guide(image, None, [Trajectory(points, radius=0.3)], num_frames=FRAMES)
    tail = _px(*points[0])
    patch = crop(image, *tail, half=10)
    corner, end = _px(*points[1]), _px(*points[2])
    assert locate(patch, frames[6]) == pytest.approx(corner, abs=1.0)  # half the length: the corner
    assert locate(patch, frames[12]) == pytest.approx(end, abs=1.0)
    x, y = locate(patch, frames[3])
    assert (x, y) == pytest.approx(((tail[0] + corner[0]) / 2, tail[1]), abs=1.0)


def test_arrow_and_camera_combine() -> None:
    image = texture(W, H, seed=3)
    camera = compile_camera(CameraSpec(presets=["truck_right"]), FRAMES, W, H)
    arrow = Trajectory(((0.4, 0.5), (0.6, 0.5)), radius=0.3)
    frames = render_guide(image, camera, [arrow])
    shift_px = 0.2 * (W / 2) / np.tan(np.radians(30))  # truck 0.2 units at depth 1 moves content left by f*0.2
    tail, tip = _px(0.4, 0.5), _px(0.6, 0.5)
    x, y = locate(crop(image, *tail, half=10), frames[-1])
    assert (x, y) == pytest.approx((tip[0] - shift_px, tip[1]), abs=1.0)


def test_long_arrow_moves_content_without_copying_or_folding() -> None:
    image = texture(W, H, seed=7)
    arrow = Trajectory(((0.2, 0.3), (0.5, 0.3)), radius=0.1)  # 77 px long, radius 19 px
    camera = CameraPath.static(FRAMES, W, H)
    maps = sampling_maps(camera, [arrow])[-1]
    grid_x = np.arange(W, dtype=np.float32)[None, :].repeat(H, 0)
    assert (maps[150:, :, 0] == grid_x[150:]).all()  # far away: untouched
    tail, tip = _px(0.2, 0.3), _px(0.5, 0.3)
    at_tip = cv2.remap(maps, np.float32([[tip[0]]]), np.float32([[tip[1]]]), cv2.INTER_LINEAR)[0, 0]
    assert at_tip == pytest.approx(tail, abs=0.05)  # the tip shows exactly the tail's content
    assert np.diff(maps[..., 0], axis=1).min() > -0.1  # the warp never folds (up to interpolation noise)
    last = render_guide(image, camera, [arrow])[-1]
    patch = crop(image, *tail, half=4)
    assert locate(patch, last) == pytest.approx(tip, abs=1.0)
    gray = lambda a: a.astype(np.float32).mean(axis=2)  # noqa: E731
    at_tail = crop(last, *tail, half=4)
    assert np.corrcoef(gray(at_tail).ravel(), gray(patch).ravel())[0, 1] < 0.5  # the tail no longer shows it


def test_influence_is_one_inside_the_core_and_zero_at_the_radius() -> None:
    w = influence(np.array([0.0, 4.9**2, 7.5**2, 10.0**2, 12.0**2], np.float32), 10.0)
    assert w[0] == 1.0 and w[1] == 1.0 and w[2] == pytest.approx(0.5) and w[3] == 0.0 and w[4] == 0.0


def test_mask_limits_what_moves() -> None:
    image = texture(W, H, seed=4)
    mask = np.zeros((H, W), np.float32)
    arrow_masked = Trajectory(((0.5, 0.5), (0.7, 0.5)), radius=0.4, mask=mask)
    assert np.array_equal(render_guide(image, None, [arrow_masked], num_frames=3)[-1], image)
    region = TrajectorySpec(points=[(0.5, 0.5), (0.7, 0.5)], radius=0.4, region=[(0.4, 0.4), (0.6, 0.4), (0.6, 0.6)])
    compiled = compile_trajectories(trajectories_from_specs([region]), 3, W, H)[0]
    assert compiled.mask.shape == (H, W)
    assert compiled.mask[int(0.42 * H), int(0.58 * W)] == 1.0 and compiled.mask[int(0.58 * H), int(0.42 * W)] == 0.0


def test_two_arrows_move_their_own_content() -> None:
    image = texture(W, H, seed=5)
    arrows = [Trajectory(((0.2, 0.3), (0.3, 0.3)), radius=0.15), Trajectory(((0.7, 0.7), (0.7, 0.55)), radius=0.15)]
    last = render_guide(image, None, arrows, num_frames=FRAMES)[-1]
    for arrow in arrows:
        tail, tip = _px(*arrow.points[0]), _px(*arrow.points[1])
        assert locate(crop(image, *tail, half=8), last) == pytest.approx(tip, abs=1.0)


def test_forward_flow_inverts_the_sampling_map() -> None:
    camera = compile_camera(CameraSpec(presets=["zoom_in", "pan_left"]), 5, W, H)
    arrows = [Trajectory(((0.4, 0.5), (0.5, 0.45)), radius=0.3)]
    flow = forward_flows(camera, arrows)[-1]
    maps = sampling_maps(camera, arrows)[-1]
    for x, y in [(int(_px(0.4, 0.5)[0]), int(_px(0.4, 0.5)[1])), (30, 40), (200, 150)]:
        u, v = x + flow[y, x, 0], y + flow[y, x, 1]
        if 1 <= u < W - 2 and 1 <= v < H - 2:
            back = cv2.remap(maps, np.float32([[u]]), np.float32([[v]]), cv2.INTER_LINEAR)[0, 0]
            assert back == pytest.approx((x, y), abs=0.2)


def test_rendered_frames_equal_remapping_with_the_sampling_maps() -> None:
    image = texture(W, H, seed=6)
    camera = compile_camera(CameraSpec(presets=["orbit_left", "zoom_in"]), 5, W, H)
    arrows = [Trajectory(((0.5, 0.5), (0.6, 0.6)), radius=0.2), Trajectory(((0.1, 0.1), (0.15, 0.1)), radius=0.1)]
    plan = MotionPlan(camera, arrows)
    for frame in (1, 4):
        maps = plan.sampling_map(frame)
        expected = cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        diff = np.abs(plan.render_frame(image, frame).astype(int) - expected.astype(int))
        assert diff.max() <= 2 and diff.mean() < 0.1


@pytest.mark.parametrize(
    ("arrow", "message"),
    [
        (Trajectory(((0.5, 0.5), (1.2, 0.5))), r"arrow 1: point 1 \(1.2, 0.5\) is outside the image"),
        (Trajectory(((-0.1, 0.5), (0.2, 0.5))), r"arrow 1: point 0 \(-0.1, 0.5\) is outside"),
        (Trajectory(((0.5, float("nan")), (0.2, 0.5))), r"arrow 1: point 0 \(0.5, nan\)"),
        (Trajectory(((0.4, 0.4), (0.4, 0.4), (0.4, 0.4))), r"arrow 1 has zero length \(all points at \(0.4, 0.4\)\)"),
        (Trajectory(((0.4, 0.4),)), "arrow 1 needs at least 2"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), start_frame=5, end_frame=5), "end_frame 5 must come after start_frame 5"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), end_frame=13), "arrow 1: end_frame 13 is beyond the last frame 12"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), start_frame=20), "start_frame 20 is outside the clip's frames 0..12"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), start_frame=-1), "start_frame -1 is outside"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), radius=0.0), "arrow 1: radius must be positive, got 0.0"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), easing="wobble"), "arrow 1: unknown easing 'wobble'"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), mask=np.full((4, 4), 2.0)), "mask values must be within 0..1"),
        (Trajectory(((0.1, 0.1), (0.2, 0.2)), mask=np.ones(4)), "mask must be a finite 2-D array"),
    ],
)
def test_bad_arrows_name_their_index_and_value(arrow: Trajectory, message: str) -> None:
    good = Trajectory(((0.1, 0.1), (0.2, 0.2)))
    with pytest.raises(InvalidRequestError, match=message):
        compile_trajectories([good, arrow], FRAMES, W, H)
