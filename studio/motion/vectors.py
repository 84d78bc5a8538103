"""Motion arrows: trajectories that drag image content along a polyline.

A :class:`Trajectory` is a polyline in normalised image coordinates ((0, 0)
top-left, (1, 1) bottom-right) with a frame range, a radius of influence (a
fraction of the image's shorter side) and an optional region mask. Between
``start_frame`` and ``end_frame`` the content at the first point (the tail)
travels along the polyline at constant speed (or eased) and arrives at the
last point (the tip) at ``end_frame``; it stays there afterwards.

Dense field: each arrow moves content by its displacement ``d`` so far, with a
weight that depends on the distance from the arrow's *current* point ``Q``:
1 within half the radius, a raised-cosine fall-off to 0 at the radius. An
output pixel ``y`` samples the source at ``y - sum_j w_j d_j / max(1, sum_j w_j)``,
so the pixel at ``Q`` shows exactly the tail's content and content near the
tail moves rigidly with it. Arrows much longer than their radius fold the
field (the content is copied forward while the tail area stays), as in other
drag-based editors.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.easing import ease
from studio.motion.names import EASINGS
from studio.motion.specs import TrajectorySpec

#: Part of the radius within which an arrow moves content rigidly (weight 1).
CORE_FRACTION = 0.5
_REGION_RASTER_PX = 512


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One motion arrow, resolution-free (see the module docstring).

    ``mask`` is an optional 2-D array (any size, stretched over the image;
    values 0..1) that scales the arrow's influence on the content it covers.
    """

    points: tuple[tuple[float, float], ...]
    start_frame: int = 0
    end_frame: int | None = None
    radius: float = 0.15
    easing: str = "linear"
    mask: np.ndarray | None = None

    @classmethod
    def from_spec(cls, spec: TrajectorySpec) -> Trajectory:
        """Build from a request spec; a ``region`` polygon becomes the mask."""
        mask = None
        if spec.region is not None:
            canvas = np.zeros((_REGION_RASTER_PX, _REGION_RASTER_PX), np.uint8)
            polygon = np.round(np.asarray(spec.region) * _REGION_RASTER_PX - 0.5).astype(np.int32)
            cv2.fillPoly(canvas, [polygon], 255)
            mask = canvas.astype(np.float32) / 255.0
        return cls(tuple(spec.points), spec.start_frame, spec.end_frame, spec.radius, spec.easing, mask)


def trajectories_from_specs(specs: list[TrajectorySpec]) -> list[Trajectory]:
    """:meth:`Trajectory.from_spec` for each spec, in order."""
    return [Trajectory.from_spec(spec) for spec in specs]


@dataclass(frozen=True, eq=False)
class CompiledTrajectory:
    """An arrow in pixel-index coordinates for one frame size and clip length.

    Attributes:
        centres: (F,2) where the tail's content is at each frame (``Q``).
        shifts: (F,2) how far it has moved since frame 0 (``Q - tail``).
        radius_px: radius of influence in pixels.
        mask: (H,W) float32 influence mask over the source image, or None.
    """

    centres: np.ndarray
    shifts: np.ndarray
    radius_px: float
    mask: np.ndarray | None

    def is_moving(self, frame: int) -> bool:
        return bool(np.abs(self.shifts[frame]).max() > 1e-9)

    def box(self, frame: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1): the square outside which this arrow has no influence at ``frame``."""
        qx, qy = self.centres[frame]
        return qx - self.radius_px, qy - self.radius_px, qx + self.radius_px, qy + self.radius_px


def compile_trajectories(
    trajectories: list[Trajectory] | tuple[Trajectory, ...], num_frames: int, width: int, height: int
) -> list[CompiledTrajectory]:
    """Check every arrow and compile it for a ``num_frames`` clip of ``width`` x ``height``.

    Raises:
        InvalidRequestError: naming the arrow index and the bad value: fewer
            than 2 points, a point outside 0..1, zero length, a bad frame range,
            a non-positive radius, an unknown easing or a malformed mask.
    """
    return [_compile_one(i, arrow, num_frames, width, height) for i, arrow in enumerate(trajectories)]


def _compile_one(index: int, arrow: Trajectory, num_frames: int, width: int, height: int) -> CompiledTrajectory:
    points = _checked_points(index, arrow.points)
    start, end = _checked_frames(index, arrow, num_frames)
    if not (np.isfinite(arrow.radius) and arrow.radius > 0):
        raise InvalidRequestError(f"arrow {index}: radius must be positive, got {arrow.radius}")
    if arrow.easing not in EASINGS:
        raise InvalidRequestError(f"arrow {index}: unknown easing {arrow.easing!r}; use one of {', '.join(EASINGS)}")
    pixels = points * np.array([width, height]) - 0.5
    progress = ease((np.arange(num_frames) - start) / (end - start), arrow.easing)
    centres = _along_polyline(pixels, progress)
    mask = None if arrow.mask is None else _checked_mask(index, arrow.mask, width, height)
    return CompiledTrajectory(centres, centres - pixels[0], arrow.radius * min(width, height), mask)


def _checked_points(index: int, points: object) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or len(array) < 2:
        raise InvalidRequestError(f"arrow {index} needs at least 2 (x, y) points, got {np.shape(points)}")
    for k, (x, y) in enumerate(array):
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise InvalidRequestError(
                f"arrow {index}: point {k} ({x:g}, {y:g}) is outside the image; coordinates must be within 0..1"
            )
    if np.linalg.norm(np.diff(array, axis=0), axis=1).sum() < 1e-9:
        raise InvalidRequestError(f"arrow {index} has zero length (all points at ({array[0, 0]:g}, {array[0, 1]:g}))")
    return array


def _checked_frames(index: int, arrow: Trajectory, num_frames: int) -> tuple[int, int]:
    last = num_frames - 1
    start = arrow.start_frame
    end = last if arrow.end_frame is None else arrow.end_frame
    if start < 0 or start > last:
        raise InvalidRequestError(f"arrow {index}: start_frame {start} is outside the clip's frames 0..{last}")
    if end > last:
        raise InvalidRequestError(f"arrow {index}: end_frame {end} is beyond the last frame {last}")
    if end <= start:
        raise InvalidRequestError(f"arrow {index}: end_frame {end} must come after start_frame {start}")
    return start, end


def _checked_mask(index: int, mask: np.ndarray, width: int, height: int) -> np.ndarray:
    array = np.asarray(mask, dtype=np.float32)
    if array.ndim != 2 or array.size == 0 or not np.isfinite(array).all():
        raise InvalidRequestError(f"arrow {index}: mask must be a finite 2-D array, got shape {np.shape(mask)}")
    if array.min() < 0 or array.max() > 1:
        raise InvalidRequestError(f"arrow {index}: mask values must be within 0..1, got {array.min():g}..{array.max():g}")
    if array.shape != (height, width):
        array = cv2.resize(array, (width, height), interpolation=cv2.INTER_LINEAR)
    return array


def _along_polyline(pixels: np.ndarray, progress: np.ndarray) -> np.ndarray:
    """Points at arc-length fractions ``progress`` (F,) along the polyline ``pixels`` (N,2) -> (F,2)."""
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pixels, axis=0), axis=1))])
    target = progress * lengths[-1]
    return np.stack([np.interp(target, lengths, pixels[:, 0]), np.interp(target, lengths, pixels[:, 1])], axis=1)


def influence(distance_sq: np.ndarray, radius_px: float) -> np.ndarray:
    """Arrow weight for squared pixel distances: 1 inside the core, raised cosine to 0 at the radius."""
    core = CORE_FRACTION * radius_px
    r = np.sqrt(distance_sq)
    fall = 0.5 + 0.5 * np.cos(np.pi * np.clip((r - core) / (radius_px - core), 0.0, 1.0))
    return fall.astype(np.float32, copy=False)


def backward_displacement(
    arrows: list[CompiledTrajectory], frame: int, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Displacement to subtract from output positions ``x, y`` (2-D float32) to find their source.

    Returns float32 arrays shaped like ``x``; zero where no arrow reaches.
    """
    total_w = np.zeros_like(x)
    dx, dy = np.zeros_like(x), np.zeros_like(x)
    for arrow in arrows:
        if not arrow.is_moving(frame):
            continue
        (qx, qy), (sx, sy) = arrow.centres[frame], arrow.shifts[frame]
        ox, oy = x - np.float32(qx), y - np.float32(qy)
        weight = influence(ox * ox + oy * oy, arrow.radius_px)
        if arrow.mask is not None:
            weight *= cv2.remap(arrow.mask, x - np.float32(sx), y - np.float32(sy), cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        total_w += weight
        dx += weight * np.float32(sx)
        dy += weight * np.float32(sy)
    norm = np.maximum(total_w, np.float32(1.0))
    return dx / norm, dy / norm


def forward_positions(
    arrows: list[CompiledTrajectory], frame: int, x: np.ndarray, y: np.ndarray, iterations: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Where source content at ``x, y`` appears at ``frame`` under the arrows alone.

    Inverts the backward field by fixed-point iteration ``z = x + D(z)``; exact
    where the field does not fold (arrows shorter than about a third of their radius).
    """
    zx, zy = x.copy(), y.copy()
    for _ in range(iterations):
        dx, dy = backward_displacement(arrows, frame, zx, zy)
        zx, zy = x + dx, y + dy
    return zx, zy
