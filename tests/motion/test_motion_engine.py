"""The motion engine: borders, depth reprojection, maps and flows, previews, input checks."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import cv2
import numpy as np
import pytest
from motion_helpers import texture
from PIL import Image

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.engine import MotionPlan, forward_flows, render_guide, render_spec, sampling_maps
from studio.motion.preview import frames_to_gif_bytes, preview_camera_path
from studio.motion.specs import CameraSpec, MotionSpec, TrajectorySpec
from studio.motion.vectors import trajectories_from_specs

W, H = 160, 120
F0 = (W / 2) / math.tan(math.radians(30))


def _bright_texture() -> np.ndarray:
    return np.clip(texture(W, H).astype(int) + 30, 0, 255).astype(np.uint8)  # no black pixels of its own


def test_default_border_leaves_no_black_wedges_and_black_is_an_option() -> None:
    image = _bright_texture()
    camera = compile_camera(CameraSpec(presets=["zoom_out", "roll_cw"], strength=2.0), 5, W, H)
    reflected = render_guide(image, camera)[-1]
    black = render_guide(image, camera, border="black")[-1]
    assert not (reflected.sum(axis=2) == 0).any()
    assert (black[0, 0] == 0).all() and (black.sum(axis=2) == 0).mean() > 0.2
    replicated = render_guide(image, camera, border="replicate")[-1]
    assert not (replicated.sum(axis=2) == 0).any()
    with pytest.raises(InvalidRequestError, match="unknown border 'wrap'"):
        render_guide(image, camera, border="wrap")


def test_flat_depth_map_gives_the_plane_warp() -> None:
    camera = compile_camera(CameraSpec(presets=["dolly_in", "truck_left", "pan_right"]), 5, W, H)
    plane = sampling_maps(camera)
    with_depth = sampling_maps(camera, depth=np.ones((H, W), np.float32))
    np.testing.assert_allclose(with_depth, plane, atol=1e-3)


def test_depth_gives_parallax_for_translation_only() -> None:
    depth = np.ones((H, W), np.float32)
    depth[:, : W // 2] = 0.5  # left half twice as near
    truck = compile_camera(CameraSpec(presets=["truck_right"]), 5, W, H)
    flow = forward_flows(truck, depth=depth)[-1]
    assert flow[60, 20, 0] == pytest.approx(-0.2 * F0 / 0.5, abs=1e-3)
    assert flow[60, 140, 0] == pytest.approx(-0.2 * F0 / 1.0, abs=1e-3)
    pan = compile_camera(CameraSpec(presets=["pan_right", "zoom_in"]), 5, W, H)
    np.testing.assert_allclose(forward_flows(pan, depth=depth), forward_flows(pan), atol=1e-3)  # any scene


def test_depth_backward_maps_invert_the_reprojection() -> None:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    depth = 1.0 + 0.6 * xx / W + 0.3 * yy / H  # a slanted surface
    camera = compile_camera(CameraSpec(presets=["dolly_in", "truck_right", "orbit_left"]), 5, W, H)
    maps = sampling_maps(camera, depth=depth)[-1]
    flow = forward_flows(camera, depth=depth)[-1]
    # Following the forward flow from where the map points must land back on the pixel.
    fx = cv2.remap(flow[..., 0], maps[..., 0], maps[..., 1], cv2.INTER_LINEAR)
    fy = cv2.remap(flow[..., 1], maps[..., 0], maps[..., 1], cv2.INTER_LINEAR)
    inside = (maps[..., 0] > 1) & (maps[..., 0] < W - 2) & (maps[..., 1] > 1) & (maps[..., 1] < H - 2)
    error = np.hypot(maps[..., 0] + fx - xx, maps[..., 1] + fy - yy)[inside]
    assert inside.mean() > 0.5 and np.median(error) < 0.05 and np.percentile(error, 99) < 0.5
    rendered = render_guide(texture(W, H), camera, depth=depth)
    assert rendered.shape == (5, H, W, 3)


def test_bad_depth_maps_are_refused() -> None:
    camera = CameraPath.static(3, W, H)
    with pytest.raises(InvalidRequestError, match=r"depth map must be 120x160 \(height x width\) like the image, got \(10, 10\)"):
        MotionPlan(camera, depth=np.ones((10, 10)))
    with pytest.raises(InvalidRequestError, match="depth values must be positive and finite, got minimum 0"):
        MotionPlan(camera, depth=np.zeros((H, W)))


def test_input_checks_name_the_problem() -> None:
    image = texture(W, H)
    camera = CameraPath.static(4, W, H)
    with pytest.raises(InvalidRequestError, match=r"uint8 \(height, width, 3\) RGB array, got float32 \(120, 160, 3\)"):
        render_guide(image.astype(np.float32), camera)
    with pytest.raises(InvalidRequestError, match=r"got uint8 \(120, 160\)"):
        render_guide(image[..., 0], camera)
    with pytest.raises(InvalidRequestError, match=r"camera path is for 160x120 images but the image is 80x60"):
        render_guide(image[:60, :80], camera)
    with pytest.raises(InvalidRequestError, match="num_frames 5 does not match the camera path's 4 frames"):
        render_guide(image, camera, num_frames=5)
    with pytest.raises(InvalidRequestError, match="num_frames must be a positive number when no camera"):
        render_guide(image, None)


def test_render_spec_returns_frames_and_matching_maps() -> None:
    image = texture(W, H)
    spec = MotionSpec(camera=CameraSpec(presets=["pan_left"]),
                      trajectories=[TrajectorySpec(points=[(0.5, 0.5), (0.6, 0.5)], radius=0.3)])
    frames, maps = render_spec(image, spec, 6)
    assert frames.shape == (6, H, W, 3) and maps.shape == (6, H, W, 2) and maps.dtype == np.float32
    expected = cv2.remap(image, maps[-1, ..., 0], maps[-1, ..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    assert np.abs(frames[-1].astype(int) - expected.astype(int)).mean() < 0.2
    assert render_spec(image, spec, 6, with_maps=False)[1] is None


def test_frames_can_be_visited_out_of_order() -> None:
    image = texture(W, H)
    spec_arrows = [TrajectorySpec(points=[(0.3, 0.3), (0.6, 0.6)], radius=0.2)]
    frames, _ = render_spec(image, MotionSpec(trajectories=spec_arrows), 9, with_maps=False)
    plan = MotionPlan(CameraPath.static(9, W, H), trajectories_from_specs(spec_arrows))
    for frame in (8, 3, 5, 0, 8):
        np.testing.assert_array_equal(plan.render_frame(image, frame), frames[frame])


def test_preview_is_small_and_fast_and_gif_encodes() -> None:
    image = texture(832, 480)
    camera = compile_camera(CameraSpec(presets=["zoom_in", "orbit_right"]), 81, 832, 480)
    clip = preview_camera_path(image, camera, max_side_px=160, num_frames=12)
    assert clip.shape == (12, 92, 160, 3) and clip.dtype == np.uint8
    small = cv2.resize(image, (160, 92), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(clip[0], small)
    data = frames_to_gif_bytes(clip, fps=12)
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.format == "GIF" and gif.n_frames == 12 and gif.size == (160, 92)
    assert preview_camera_path(image, CameraPath.static(3, 832, 480), num_frames=12).shape[0] == 3
    with pytest.raises(InvalidRequestError, match="num_frames must be within 1..48, got 100"):
        preview_camera_path(image, camera, num_frames=100)
    with pytest.raises(InvalidRequestError, match="fps must be positive"):
        frames_to_gif_bytes(clip, fps=0)


def test_motion_modules_import_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "import studio.motion.specs\n"
        "light = [m for m in ('cv2', 'numpy', 'torch') if m in sys.modules]\n"
        "import studio.motion, studio.motion.engine, studio.motion.preview, studio.media.images\n"
        "heavy = [m for m in ('torch', 'diffusers', 'gradio') if m in sys.modules]\n"
        "print(','.join(light) + '|' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "|", f"loaded: {out}"
