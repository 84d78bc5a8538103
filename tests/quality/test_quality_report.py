"""The quality report on synthetic clips whose defects are known: found, located, and not invented."""

from __future__ import annotations

import numpy as np
import pytest
from quality_clips import pan

from studio.errors import InvalidMediaError
from studio.quality.metrics import brightness_jumps, flickering_frames, frozen_runs
from studio.quality.report import QualityThresholds, compute_report, report_text


@pytest.fixture(scope="module")
def smooth_pan() -> np.ndarray:
    return pan(frames=20, step_px=2.0)


def test_smooth_pan_has_low_warping_error_and_no_flags_but_motion(smooth_pan: np.ndarray) -> None:
    report = compute_report(smooth_pan, 16)
    noise = np.random.default_rng(1).integers(0, 256, smooth_pan.shape, dtype=np.uint8)
    noisy = compute_report(noise, 16)
    assert report.summary.warping_error < 0.002 < noisy.summary.warping_error
    assert {f.kind for f in report.summary.flags} <= {"low_motion"}
    assert "warping" in {f.kind for f in noisy.summary.flags}
    assert len(report.series.warping_error) == len(report.series.motion_px) == 19
    assert len(report.series.brightness) == len(report.series.colour_drift) == 20
    assert np.median(report.series.motion_px) == pytest.approx(2.0, abs=0.6)  # the pan's true speed


def test_brightness_flicker_is_flagged_at_its_frame(smooth_pan: np.ndarray) -> None:
    clip = smooth_pan.copy()
    clip[7] = np.clip(clip[7].astype(np.int16) + 12, 0, 255).astype(np.uint8)
    report = compute_report(clip, 16)
    assert report.summary.flickering_frames == [7]
    flag = next(f for f in report.summary.flags if f.kind == "flicker")
    assert flag.frames == [7] and "frame(s) 7" in flag.message
    assert report.summary.flicker_score < compute_report(smooth_pan, 16).summary.flicker_score


def test_static_clip_is_not_flickery_but_is_frozen(smooth_pan: np.ndarray) -> None:
    still = np.repeat(smooth_pan[:1], 12, axis=0)
    report = compute_report(still, 16)
    assert report.summary.flicker_score == pytest.approx(1.0)
    assert report.summary.flickering_frames == []
    assert "flicker" not in {f.kind for f in report.summary.flags}
    assert [(r.start, r.end) for r in report.summary.frozen_runs] == [(0, 11)]
    # a fade is a smooth brightness change, not flicker
    fade = np.stack([np.clip(smooth_pan[0].astype(np.int16) + 2 * i, 0, 255).astype(np.uint8) for i in range(12)])
    assert compute_report(fade, 16).summary.flickering_frames == []


def test_frozen_run_is_found_with_its_range(smooth_pan: np.ndarray) -> None:
    clip = smooth_pan.copy()
    clip[9:14] = clip[9]
    report = compute_report(clip, 16)
    assert [(r.start, r.end) for r in report.summary.frozen_runs] == [(9, 13)]
    assert any(f.kind == "frozen" and "9-13" in f.message for f in report.summary.flags)
    assert "frozen runs                         9-13" in report_text(report)


def test_colour_drift_grows_and_is_flagged(smooth_pan: np.ndarray) -> None:
    tint = np.linspace(0, 40, len(smooth_pan))
    clip = smooth_pan.astype(np.float32)
    clip[..., 2] = np.clip(clip[..., 2] + tint[:, None, None], 0, 255)
    report = compute_report(clip.astype(np.uint8), 16)
    drift = report.series.colour_drift
    assert drift[0] == 0 and all(b >= a - 0.05 for a, b in zip(drift, drift[1:], strict=False))
    assert any(f.kind == "colour_drift" for f in report.summary.flags)
    assert report.summary.flickering_frames == []


def test_seam_jump_between_generated_and_interpolated_frames(smooth_pan: np.ndarray) -> None:
    clip = smooth_pan.copy()
    generated = list(range(0, 20, 2))
    clip[5] = np.roll(clip[5], 9, axis=0)  # a broken in-between next to keyframe 4 and 6
    report = compute_report(clip, 16, generated=generated)
    assert set(report.summary.seam_jumps) == {4, 5}
    assert any(f.kind == "seam_jump" for f in report.summary.flags)
    assert compute_report(smooth_pan, 16, generated=generated).summary.seam_jumps == []


def test_metric_helpers_edges() -> None:
    assert flickering_frames(brightness_jumps(np.array([100.0, 100.0, 130.0, 100.0, 100.0])), 3.0) == [2]
    assert frozen_runs(np.array([0.0, 0.0, 5.0, 0.1]), 0.5, 3) == frozen_runs(np.array([0.0, 0.0]), 0.5, 3)
    assert [(r.start, r.end) for r in frozen_runs(np.array([5.0, 0.0, 0.0, 0.0]), 0.5, 3)] == [(1, 4)]
    assert frozen_runs(np.array([0.0, 5.0, 0.0]), 0.5, 3) == []


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (np.zeros((1, 8, 8, 3), np.uint8), "at least 2 frames, got 1"),
        (np.zeros((3, 8, 8), np.uint8), "uint8 RGB"),
        (np.zeros((3, 8, 8, 3), np.float32), "uint8 RGB"),
    ],
)
def test_bad_frames_are_refused(frames: np.ndarray, message: str) -> None:
    with pytest.raises(InvalidMediaError, match=message):
        compute_report(frames, 16)


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="frozen_min_frames"):
        QualityThresholds(frozen_min_frames=1)
