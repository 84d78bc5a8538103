"""Motion arrows: trajectories that drag image content along a polyline.

A :class:`Trajectory` is a polyline in normalised image coordinates ((0, 0)
top-left, (1, 1) bottom-right) with a frame range, a radius of influence (a
fraction of the image's shorter side) and an optional region mask. Between
``start_frame`` and ``end_frame`` the content at the first point (the tail)
travels along the polyline at constant speed (or eased) and arrives at the
last point (the tip) at ``end_frame``; it stays there afterwards.

Dense field (see :mod:`studio.motion.field`): the motion is integrated in
small steps. In each step every arrow moves the content around its current
point ``Q`` by the step's length, with weight 1 within half the radius and a
raised-cosine fall-off to 0 at the radius, so content near the tail travels
rigidly along the polyline, content ahead is pushed aside and the area
behind is filled by stretching its surroundings (never by a copy).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.easing import ease
from studio.motion.names import EASINGS
from studio.motion.specs import TrajectorySpec

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
        polyline: (N,2) the points in pixels.
        progress: (F,) fraction of the polyline's length travelled at each frame.
        radius_px: radius of influence in pixels.
        mask: (H,W) float32 influence mask over the source image, or None.
    """

    polyline: np.ndarray
    progress: np.ndarray
    radius_px: float
    mask: np.ndarray | None

    def positions(self, progress: np.ndarray) -> np.ndarray:
        """Points (k,2) at arc-length fractions ``progress`` (k,) of the polyline."""
        return _along_polyline(self.polyline, np.asarray(progress, dtype=np.float64))

    @property
    def centres(self) -> np.ndarray:
        """(F,2) where the tail's content is at each frame."""
        return self.positions(self.progress)


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
    mask = None if arrow.mask is None else _checked_mask(index, arrow.mask, width, height)
    return CompiledTrajectory(pixels, progress, arrow.radius * min(width, height), mask)


def _checked_points(index: int, points: object) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or len(array) < 2:
        raise InvalidRequestError(f"arrow {index} needs at least 2 (x, y) points, got {np.shape(points)}")  # type: ignore[call-overload]
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
        array = cv2.resize(array, (width, height), interpolation=cv2.INTER_LINEAR)  # type: ignore[assignment]
    return array


def _along_polyline(pixels: np.ndarray, progress: np.ndarray) -> np.ndarray:
    """Points at arc-length fractions ``progress`` (F,) along the polyline ``pixels`` (N,2) -> (F,2)."""
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pixels, axis=0), axis=1))])
    target = progress * lengths[-1]
    return np.stack([np.interp(target, lengths, pixels[:, 0]), np.interp(target, lengths, pixels[:, 1])], axis=1)
