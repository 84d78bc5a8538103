"""Frame interpolation: in-betweens from bidirectional optical flow, occlusion-aware (OpenCV, no weights).

For each pair of neighbours ``I0, I1`` and each time ``t`` between them:

1. forward and backward flow (``F01``, ``F10``; DIS, Farneback fallback) and
   their forward-backward occlusion masks;
2. the motion at time ``t`` by projecting both flows to ``t`` (``F01`` splatted
   from ``x + t F01``, ``-F10`` from ``x + (1 - t) F10``); pixels that pass the
   consistency check win over occluded ones where both land, and holes are
   filled from their neighbourhood (after Baker et al. 2011, Middlebury);
3. both neighbours warped to ``t`` along that motion and blended with weights
   ``(1 - t)`` and ``t``, each set to zero where the pixel it would take is
   known not to exist in the other frame (revealed or covered region), so a
   moving object does not leave a half-transparent copy behind.

A learned interpolator (RIFE-style) can replace the flow method behind the
``Interpolator`` protocol; none ships with the studio (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from studio.errors import InvalidRequestError
from studio.media.flow import FlowEstimator, backward_warp, grey, occlusion_mask, pixel_grid, resize_flow

_HOLE_FILL_ROUNDS = 12


class Interpolator(Protocol):
    """Makes in-between frames of two neighbours."""

    name: str

    def between(self, first: np.ndarray, second: np.ndarray, times: Sequence[float]) -> list[np.ndarray]:
        """Frames at ``times`` (each strictly between 0 and 1) between uint8 RGB ``first`` and ``second``."""
        ...


@dataclass
class Interpolated:
    """An interpolated clip and where each frame came from."""

    frames: np.ndarray  # uint8 (frames, height, width, 3)
    #: output indices that are source frames, copied as they were (the rest are interpolated).
    generated: list[int] = field(default_factory=list)

    @property
    def interpolated(self) -> list[int]:
        kept = set(self.generated)
        return [i for i in range(len(self.frames)) if i not in kept]


def interpolation_times(num_source: int, *, factor: int | None = None, num_frames: int | None = None) -> np.ndarray:
    """Output frame times in source-frame units (0 .. num_source - 1): ``factor`` in-betweens per gap, or ``num_frames`` evenly.

    Raises:
        InvalidRequestError: fewer than 2 source frames, both or neither of ``factor`` / ``num_frames``,
            a factor below 1, or fewer output frames than source frames.
    """
    if num_source < 2:
        raise InvalidRequestError(f"interpolation needs at least 2 frames, got {num_source}")
    if (factor is None) == (num_frames is None):
        raise InvalidRequestError("give an interpolation factor or a target frame count, not both or neither")
    if factor is not None:
        if factor < 1:
            raise InvalidRequestError(f"interpolation factor must be at least 1, got {factor}")
        return np.arange((num_source - 1) * factor + 1, dtype=np.float64) / factor
    assert num_frames is not None
    if num_frames < num_source:
        raise InvalidRequestError(f"target frame count {num_frames} is below the {num_source} source frames")
    return np.linspace(0.0, num_source - 1, num_frames)


def keyframe_count(num_frames: int, factor: int) -> int:
    """How many keyframes make ``num_frames`` with ``factor - 1`` in-betweens per gap (first and last kept).

    Raises:
        InvalidRequestError: a factor below 1, or one that does not divide ``num_frames - 1``.
    """
    if factor < 1:
        raise InvalidRequestError(f"interpolation factor must be at least 1, got {factor}")
    if num_frames < 2 or (num_frames - 1) % factor:
        fits = [n for n in range(num_frames - 3, num_frames + 4) if n > 1 and (n - 1) % factor == 0]
        raise InvalidRequestError(
            f"interpolation factor {factor} does not fit {num_frames} frames: frames - 1 must be a multiple "
            f"of the factor (e.g. {', '.join(map(str, fits[:2]))})"
        )
    return (num_frames - 1) // factor + 1


def frames_for_fps(num_source: int, source_fps: float, target_fps: float) -> int:
    """Output frame count that plays the same duration at ``target_fps`` (first and last frame kept)."""
    if source_fps <= 0 or target_fps <= 0:
        raise InvalidRequestError(f"frame rates must be positive, got {source_fps} and {target_fps}")
    return round((num_source - 1) * target_fps / source_fps) + 1


def interpolate(frames: np.ndarray, times: np.ndarray, interpolator: Interpolator | None = None) -> Interpolated:
    """The clip at ``times`` (from :func:`interpolation_times`); integer times copy the source frame.

    Raises:
        InvalidRequestError: frames that are not uint8 (n, h, w, 3), or times outside the clip.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise InvalidRequestError(f"frames must be uint8 (frames, height, width, 3), got {frames.dtype} {frames.shape}")
    if len(times) == 0 or times.min() < 0 or times.max() > len(frames) - 1:
        raise InvalidRequestError(f"interpolation times must lie within 0..{len(frames) - 1}")
    interpolator = interpolator or FlowInterpolator()
    out = np.empty((len(times), *frames.shape[1:]), dtype=np.uint8)
    generated = []
    gaps: dict[int, list[tuple[int, float]]] = {}
    for index, time in enumerate(times):
        base = int(np.floor(time + 1e-9))
        if abs(time - round(time)) < 1e-6:
            out[index] = frames[round(time)]
            generated.append(index)
        else:
            gaps.setdefault(base, []).append((index, float(time - base)))
    for base, wanted in gaps.items():
        made = interpolator.between(frames[base], frames[base + 1], [t for _i, t in wanted])
        for (index, _t), frame in zip(wanted, made, strict=True):
            out[index] = frame
    return Interpolated(out, generated)


class FlowInterpolator:
    """The optical-flow interpolator (module docstring); needs no weights.

    Args:
        flow_max_side_px: flow is computed on frames scaled down to this longest side
            (motion fields are smooth; warping and blending stay at full size).
    """

    name = "flow"

    def __init__(self, flow_max_side_px: int = 384, method: str = "auto") -> None:
        self._estimator = FlowEstimator(method)
        self._max_side = flow_max_side_px

    def between(self, first: np.ndarray, second: np.ndarray, times: Sequence[float]) -> list[np.ndarray]:
        height, width = first.shape[:2]
        scale = min(1.0, self._max_side / max(height, width))
        small = (max(8, round(width * scale)), max(8, round(height * scale)))
        g0, g1 = grey(first), grey(second)
        if scale < 1.0:
            g0, g1 = (cv2.resize(g, small, interpolation=cv2.INTER_AREA) for g in (g0, g1))
        f01, f10 = self._estimator.flow(g0, g1), self._estimator.flow(g1, g0)
        grid_small = pixel_grid(*f01.shape[:2])
        occ0, occ1 = occlusion_mask(f01, f10, grid_small), occlusion_mask(f10, f01, grid_small)
        occ0, occ1 = occ0.astype(np.uint8), occ1.astype(np.uint8)
        out = []
        for t in times:
            motion = _motion_at(f01, f10, occ0.astype(bool), occ1.astype(bool), t, grid_small)
            w0, w1 = _weights(motion, occ0, occ1, t, grid_small)
            if scale < 1.0:  # weights and motion are smooth: computed small, used at full size
                w0, w1 = (cv2.resize(w, (width, height), interpolation=cv2.INTER_LINEAR) for w in (w0, w1))
            out.append(_blend(first, second, resize_flow(motion, width, height), w0, w1, t))
        return out


def _motion_at(f01: np.ndarray, f10: np.ndarray, occ0: np.ndarray, occ1: np.ndarray, t: float,
               grid: tuple[np.ndarray, np.ndarray]) -> np.ndarray:  # fmt: skip
    """Per-pixel motion (frame 0 -> frame 1) of what is at pixel x at time ``t``."""
    height, width = f01.shape[:2]
    size = height * width
    # one histogram per source, bins [0, size) for consistent pixels and [size, 2 size) for occluded ones
    count, sx, sy = np.zeros(2 * size), np.zeros(2 * size), np.zeros(2 * size)
    for flow, step, occluded, sign in ((f01, t, occ0, 1.0), (f10, 1.0 - t, occ1, -1.0)):
        tx = np.rint(grid[0] + step * flow[..., 0]).astype(np.int64)
        ty = np.rint(grid[1] + step * flow[..., 1]).astype(np.int64)
        inside = (tx >= 0) & (tx < width) & (ty >= 0) & (ty < height)
        idx = (ty * width + tx + size * occluded)[inside]
        count += np.bincount(idx, minlength=2 * size)
        sx += np.bincount(idx, weights=sign * flow[..., 0][inside], minlength=2 * size)
        sy += np.bincount(idx, weights=sign * flow[..., 1][inside], minlength=2 * size)
    seen = count[:size] > 0  # consistent pixels win where both kinds land
    count, sx, sy = (np.where(seen, a[:size], a[size:]).reshape(height, width).astype(np.float32) for a in (count, sx, sy))
    return _fill_holes(count, sx, sy)


def _fill_holes(count: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Motion = sums / count, holes (count 0) filled by growing the known motion inwards."""
    filled = count > 0
    motion = np.zeros((*count.shape, 2), dtype=np.float32)
    motion[..., 0] = np.where(filled, sx / np.maximum(count, 1), 0)
    motion[..., 1] = np.where(filled, sy / np.maximum(count, 1), 0)
    for _ in range(_HOLE_FILL_ROUNDS):
        if filled.all():
            break
        weight = cv2.boxFilter(filled.astype(np.float32), -1, (5, 5), normalize=False)
        near = cv2.boxFilter(motion * filled[..., None], -1, (5, 5), normalize=False)
        grow = ~filled & (weight > 0)
        motion[grow] = near[grow] / weight[grow][:, None]
        filled = filled | grow
    return motion


def _weights(motion: np.ndarray, occ0: np.ndarray, occ1: np.ndarray, t: float,
             grid: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Blend weights of the two warped neighbours: ``1 - t`` and ``t``, each zero where its pixel does not exist."""
    # where frame 1's pixel was hidden in frame 0, frame 0 shows something else there: do not use it (and vice versa)
    only_in_1 = _sample_mask(occ1, (1.0 - t) * motion, grid)
    only_in_0 = _sample_mask(occ0, -t * motion, grid)
    w0 = (1.0 - t) * (1.0 - only_in_1)
    w1 = t * (1.0 - only_in_0)
    # where both are ruled out (flow failed), fall back to the plain time-weighted blend
    none = (w0 + w1) < 1e-6
    w0[none], w1[none] = 1.0 - t, t
    return w0, w1


def _blend(first: np.ndarray, second: np.ndarray, motion: np.ndarray, w0: np.ndarray, w1: np.ndarray, t: float) -> np.ndarray:
    grid = pixel_grid(*first.shape[:2])
    warped0 = backward_warp(first, -t * motion, grid)
    warped1 = backward_warp(second, (1.0 - t) * motion, grid)
    return cv2.blendLinear(warped0, warped1, w0, w1)


def _sample_mask(mask: np.ndarray, flow: np.ndarray, grid: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return cv2.remap(mask, grid[0] + flow[..., 0], grid[1] + flow[..., 1], cv2.INTER_NEAREST,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)  # fmt: skip
