"""Per-frame and per-pair measures of a clip's temporal consistency (numpy / OpenCV, no weights).

Frames are uint8 RGB ``(frames, height, width, 3)``. A "pair" ``i`` is frames
``i`` and ``i + 1``; pair series have one value fewer than the clip has frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.media.flow import FlowEstimator, backward_warp, grey, occlusion_mask, pixel_grid
from studio.quality.summary import FrameRange


def frame_differences(frames: np.ndarray) -> np.ndarray:
    """Mean absolute difference of each consecutive pair, in 0..255 levels (VBench's flicker measure)."""
    count = frames[0].size
    return np.array([cv2.norm(frames[i], frames[i + 1], cv2.NORM_L1) / count for i in range(len(frames) - 1)])


def flicker_score(differences: np.ndarray) -> float:
    """VBench temporal flickering: ``(255 - mean difference) / 255`` (1 = no change at all)."""
    return float((255.0 - differences.mean()) / 255.0)


def brightness(frames: np.ndarray) -> np.ndarray:
    """Mean luma of each frame, 0..255."""
    return np.array([cv2.mean(grey(frame))[0] for frame in frames])


def brightness_jumps(luma: np.ndarray) -> np.ndarray:
    """How far each frame's brightness leaves the line through its neighbours (levels, signed).

    A single bright frame scores ``+d`` and its neighbours ``-d / 2``; a steady
    fade scores 0 (brightness that changes smoothly is not flicker). End frames
    compare with their one neighbour.
    """
    jumps = np.zeros_like(luma)
    if len(luma) >= 3:
        jumps[1:-1] = luma[1:-1] - (luma[:-2] + luma[2:]) / 2.0
    if len(luma) >= 2:
        jumps[0], jumps[-1] = luma[0] - luma[1], luma[-1] - luma[-2]
    return jumps


def flickering_frames(jumps: np.ndarray, threshold_levels: float) -> list[int]:
    """Frames whose jump passes the threshold and is the largest among their neighbours (the cause, not the echo)."""
    size = np.abs(jumps)
    found = []
    for i, value in enumerate(size):
        neighbours = size[max(0, i - 1) : i + 2]
        if value > threshold_levels and value >= neighbours.max():
            found.append(i)
    return found


def frozen_runs(differences: np.ndarray, max_difference_levels: float, min_frames: int) -> list[FrameRange]:
    """Runs of at least ``min_frames`` frames in which no consecutive pair differs by more than the threshold."""
    runs = []
    start = None
    for i, value in enumerate([*differences, np.inf]):
        if value <= max_difference_levels:
            start = i if start is None else start
        elif start is not None:
            if i - start + 1 >= min_frames:  # pairs start..i-1 cover frames start..i
                runs.append(FrameRange(start=start, end=i))
            start = None
    return runs


def colour_drift(frames: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """CIE76 deltaE between each frame's mean Lab colour and the first frame's (per-pixel Lab, averaged)."""
    means = np.array([cv2.cvtColor(f.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab).reshape(-1, 3).mean(0) for f in frames])
    return np.sqrt(((means - means[0]) ** 2).sum(-1))


@dataclass
class FlowMeasures:
    """Measures that need the optical flow of each pair."""

    warping_error: np.ndarray  # per pair
    motion_px: np.ndarray  # per pair: mean of the largest 5% flow magnitudes, in pixels of the original size
    occluded_share: np.ndarray  # per pair


def downscaled(frames: np.ndarray, max_side_px: int) -> tuple[list[np.ndarray], float]:
    """The frames scaled (area filter) so the longest side is at most ``max_side_px``, and the scale used."""
    height, width = frames.shape[1:3]
    scale = min(1.0, max_side_px / max(height, width))
    if scale == 1.0:
        return list(frames), 1.0
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    return [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames], scale


def flow_measures(small: list[np.ndarray], scale: float, estimator: FlowEstimator | None = None) -> FlowMeasures:
    """Warping error with occlusion mask and motion size of every pair of ``small`` (frames downscaled by ``scale``).

    Warping error (Lai et al. 2018): frame ``i + 1`` is warped back onto frame
    ``i`` along the flow; the squared RGB difference (values in 0..1, summed
    over channels) is averaged over the pixels that pass the forward-backward
    occlusion check. DIS's fast preset by default: a report must cost little next to the job,
    and whole-frame averages barely change with the finer preset.
    """
    estimator = estimator or FlowEstimator(fast=True)
    greys = [grey(f) for f in small]
    grid = pixel_grid(*greys[0].shape)
    errors, motion, occluded = [], [], []
    for i in range(len(small) - 1):
        forward, backward = estimator.flow(greys[i], greys[i + 1]), estimator.flow(greys[i + 1], greys[i])
        visible = ~occlusion_mask(forward, backward, grid)
        warped = backward_warp(small[i + 1], forward, grid)
        squared = ((small[i].astype(np.float32) - warped.astype(np.float32)) / 255.0) ** 2
        errors.append(float(squared.sum(-1)[visible].mean()) if visible.any() else 0.0)
        occluded.append(float(1.0 - visible.mean()))
        magnitude = np.hypot(forward[..., 0], forward[..., 1]) / scale
        top = np.sort(magnitude, axis=None)[-max(1, magnitude.size // 20) :]
        motion.append(float(top.mean()))
    return FlowMeasures(np.array(errors), np.array(motion), np.array(occluded))


def seam_jumps(warping_error: np.ndarray, generated: list[int], ratio: float) -> list[int]:
    """First frames of seam pairs (one frame generated, the other interpolated) whose warping error is over
    ``ratio`` times the clip's median pair error."""
    made = set(generated)
    median = float(np.median(warping_error)) if len(warping_error) else 0.0
    return [i for i, value in enumerate(warping_error)
            if (i in made) != (i + 1 in made) and value > ratio * max(median, 1e-6)]  # fmt: skip
