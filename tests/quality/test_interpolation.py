"""Flow interpolation against true in-between frames: translation, occlusion, factors and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from quality_clips import psnr, shifted, texture

from studio.errors import InvalidRequestError
from studio.media.interpolate import (
    FlowInterpolator,
    frames_for_fps,
    interpolate,
    interpolation_times,
    keyframe_count,
)

# The stated ghosting bound: in the strips a moving object uncovers and covers, the interpolated middle frame
# is within 15 levels of the truth on average, and at most half the error of a plain cross-fade.
GHOST_BOUND_LEVELS = 15.0


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return texture(220, 320, seed=3, blur_px=3.0)


@pytest.mark.parametrize("method", ["dis", "farneback"])
def test_translating_pattern_middle_frame_is_reproduced(scene: np.ndarray, method: str) -> None:
    first, last, truth = (shifted(scene, dx, dy, 128, 192) for dx, dy in ((0, 0), (7, 3), (3.5, 1.5)))
    middle = FlowInterpolator(method=method).between(first, last, [0.5])[0]
    assert psnr(middle, truth) >= 30.0
    cross_fade = ((first.astype(np.float32) + last) / 2).round().astype(np.uint8)
    assert psnr(cross_fade, truth) < 30.0  # the test can fail: blending alone does not pass


def test_thirds_follow_the_motion(scene: np.ndarray) -> None:
    clip = np.stack([shifted(scene, 6 * i, 0, 96, 160) for i in range(3)])
    out = interpolate(clip, interpolation_times(3, factor=3))
    assert len(out.frames) == 7 and out.generated == [0, 3, 6] and out.interpolated == [1, 2, 4, 5]
    for index in (1, 2, 4, 5):
        assert psnr(out.frames[index], shifted(scene, 2 * index, 0, 96, 160)) >= 30.0
    assert np.array_equal(out.frames[3], clip[1])


def test_occlusion_does_not_ghost(scene: np.ndarray) -> None:
    background = texture(128, 192, seed=1, blur_px=4.0)
    patch = 255 - texture(48, 48, seed=5, blur_px=3.0)

    def frame(x: int) -> np.ndarray:
        image = background.copy()
        image[40:88, x : x + 48] = patch
        return image

    first, last, truth = frame(40), frame(52), frame(46)
    middle = FlowInterpolator().between(first, last, [0.5])[0].astype(np.float32)
    strips = np.zeros((128, 192), bool)
    strips[40:88, 40:46] = True  # uncovered behind the object
    strips[40:88, 88:94] = True  # covered in front of it
    error = np.abs(middle - truth).mean(-1)[strips].mean()
    fade_error = np.abs((first.astype(np.float32) + last) / 2 - truth).mean(-1)[strips].mean()
    assert error <= GHOST_BOUND_LEVELS
    assert error <= 0.5 * fade_error


def test_target_frame_count_and_fps() -> None:
    times = interpolation_times(5, num_frames=9)
    assert times.tolist() == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4])
    assert frames_for_fps(17, 8, 16) == 33 and frames_for_fps(17, 8, 24) == 49
    clip = np.stack([texture(32, 48, seed=i) for i in range(4)])
    out = interpolate(clip, interpolation_times(4, num_frames=7))
    assert out.generated == [0, 2, 4, 6] and len(out.frames) == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_source": 1, "factor": 2}, "at least 2 frames, got 1"),
        ({"num_source": 5, "factor": 0}, "factor must be at least 1, got 0"),
        ({"num_source": 5, "num_frames": 3}, "target frame count 3 is below the 5 source frames"),
        ({"num_source": 5}, "not both or neither"),
        ({"num_source": 5, "factor": 2, "num_frames": 9}, "not both or neither"),
    ],
)
def test_bad_factors_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        interpolation_times(**kwargs)


def test_keyframe_count_checks_the_factor_fits() -> None:
    assert keyframe_count(33, 2) == 17 and keyframe_count(33, 4) == 9 and keyframe_count(33, 1) == 33
    with pytest.raises(InvalidRequestError, match="factor 3 does not fit 33 frames"):
        keyframe_count(33, 3)
    with pytest.raises(InvalidRequestError, match="at least 1, got 0"):
        keyframe_count(33, 0)


def test_unknown_flow_method_is_refused() -> None:
    with pytest.raises(ValueError, match="'auto', 'dis' or 'farneback', got 'raft'"):
        FlowInterpolator(method="raft")


def test_bad_frames_and_times_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="uint8"):
        interpolate(np.zeros((3, 8, 8, 3), np.float32), np.array([0.0, 0.5]))
    with pytest.raises(InvalidRequestError, match="within 0..2"):
        interpolate(np.zeros((3, 8, 8, 3), np.uint8), np.array([0.0, 2.5]))
    with pytest.raises(InvalidRequestError, match="positive"):
        frames_for_fps(5, 0, 16)
