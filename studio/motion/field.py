"""Arrow motion integrated over time: the dense field the arrows of a clip make.

Between consecutive frames each moving arrow advances its current point from
``a`` to ``b`` along its polyline, in sub-steps no longer than a fifth of its
radius. One sub-step moves content near ``b`` by ``s = b - a``: an output
pixel ``y`` comes from ``y - sum_j w_j(y) s_j / max(1, sum_j w_j)`` with
``w_j`` the :func:`influence` of the distance from ``b_j`` (times the arrow's
mask at the content's source). A step that short never folds, so the
composition of steps is a smooth, invertible warp: the pixel at the arrow's
current point shows exactly the tail's content, and nothing is duplicated.

:class:`ArrowField` keeps the composition as per-pixel *offsets* ``D`` (source
= ``y + D(y)``) and, for forward flow, the current positions of all source
pixels; both advance frame by frame, so visiting frames in order is cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.motion.vectors import CompiledTrajectory

#: Part of the radius within which an arrow moves content rigidly (weight 1).
CORE_FRACTION = 0.5
#: Longest sub-step, as a fraction of the radius: keeps each step's warp fold-free and invertible.
MAX_STEP_FRACTION = 0.2
FORWARD_ITERATIONS = 4

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (end-exclusive)


def influence(distance_sq: np.ndarray, radius_px: float) -> np.ndarray:
    """Arrow weight for squared pixel distances: 1 inside the core, raised cosine to 0 at the radius."""
    core = CORE_FRACTION * radius_px
    r = np.sqrt(distance_sq)
    fall = 0.5 + 0.5 * np.cos(np.pi * np.clip((r - core) / (radius_px - core), 0.0, 1.0))
    return fall.astype(np.float32, copy=False)


@dataclass(frozen=True)
class _Move:
    arrow: CompiledTrajectory
    start: np.ndarray  # (2,) current point before the sub-step
    end: np.ndarray  # (2,) after it


class ArrowField:
    """The combined motion of compiled arrows for images of ``width`` x ``height``."""

    def __init__(self, arrows: list[CompiledTrajectory], width: int, height: int) -> None:
        self.arrows = arrows
        self.width, self.height = width, height
        self._lengths = [float(np.linalg.norm(np.diff(a.polyline, axis=0), axis=1).sum()) for a in arrows]
        self._reset_backward()
        self._forward_frame = -1
        self._positions = np.zeros((0,), np.float32)

    def offsets(self, frame: int) -> tuple[np.ndarray, list[Box]]:
        """(D, boxes): (H, W, 2) float32 offsets, source = ``y + D[y]``, and boxes outside which D is 0.

        One box per arrow that has moved so far (they may overlap); none while
        nothing has moved. The array is reused: read it before the next call.
        """
        if frame < self._backward_frame:
            self._reset_backward()
        while self._backward_frame < frame:
            self._backward_frame += 1
            for moves in self._substeps(self._backward_frame):
                self._step_backward(moves)
        return self._offsets, [box for box in self._boxes if box is not None]

    def positions(self, frame: int) -> np.ndarray:
        """(H, W, 2) float32: where the content of each source pixel is at ``frame`` (arrows only)."""
        if frame < self._forward_frame or self._forward_frame < 0:
            gy, gx = np.mgrid[0 : self.height, 0 : self.width].astype(np.float32)
            self._positions, self._forward_frame = np.stack([gx, gy], axis=-1), 0
        while self._forward_frame < frame:
            self._forward_frame += 1
            for moves in self._substeps(self._forward_frame):
                self._step_forward(moves)
        return self._positions

    def _reset_backward(self) -> None:
        self._offsets = np.zeros((self.height, self.width, 2), np.float32)
        self._boxes: list[Box | None] = [None] * len(self.arrows)
        self._backward_frame = 0

    def _substeps(self, frame: int) -> list[list[_Move]]:
        """Sub-steps taking every arrow from frame ``frame - 1`` to ``frame``."""
        moving = [(a, length) for a, length in zip(self.arrows, self._lengths, strict=True)
                  if a.progress[frame] != a.progress[frame - 1]]
        if not moving:
            return []
        count = max(math.ceil(abs(a.progress[frame] - a.progress[frame - 1]) * length / (MAX_STEP_FRACTION * a.radius_px))
                    for a, length in moving)
        steps: list[list[_Move]] = [[] for _ in range(count)]
        for arrow, _ in moving:
            progress = np.linspace(arrow.progress[frame - 1], arrow.progress[frame], count + 1)
            points = arrow.positions(progress)
            for k in range(count):
                steps[k].append(_Move(arrow, points[k], points[k + 1]))
        return steps

    def _step_backward(self, moves: list[_Move]) -> None:
        updates = []
        for move in moves:
            box = self._disc_box(move.end, move.arrow.radius_px)
            if box is None:
                continue
            x0, y0, x1, y1 = box
            gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            here = self._offsets[y0:y1, x0:x1]
            dx, dy = _step_displacement(moves, gx, gy, gx + here[..., 0], gy + here[..., 1])
            before = cv2.remap(self._offsets, gx - dx, gy - dy, cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            updates.append((move.arrow, box, before - np.stack([dx, dy], axis=-1)))
        # Every box reads the offsets from before this sub-step, so write only after all are computed.
        for arrow, (x0, y0, x1, y1), values in updates:
            self._offsets[y0:y1, x0:x1] = values
            index = next(i for i, a in enumerate(self.arrows) if a is arrow)
            self._boxes[index] = _union(self._boxes[index], (x0, y0, x1, y1))

    def _step_forward(self, moves: list[_Move]) -> None:
        z = self._positions
        near = np.zeros(z.shape[:2], bool)
        for move in moves:
            reach = move.arrow.radius_px + float(np.linalg.norm(move.end - move.start))
            near |= ((z[..., 0] - move.start[0]) ** 2 + (z[..., 1] - move.start[1]) ** 2) < reach * reach
        rows, cols = np.nonzero(near)
        if rows.size == 0:
            return
        zx, zy = z[rows, cols, 0], z[rows, cols, 1]
        src_x, src_y = cols.astype(np.float32), rows.astype(np.float32)
        # Solve new - step(new) = old by fixed-point iteration (each step is a contraction).
        nx, ny = zx.copy(), zy.copy()
        for _ in range(FORWARD_ITERATIONS):
            dx, dy = _step_displacement(moves, nx, ny, src_x, src_y)
            nx, ny = zx + dx, zy + dy
        z[rows, cols, 0], z[rows, cols, 1] = nx, ny

    def _disc_box(self, centre: np.ndarray, radius_px: float) -> Box | None:
        x0, y0 = max(0, math.floor(centre[0] - radius_px)), max(0, math.floor(centre[1] - radius_px))
        x1 = min(self.width, math.ceil(centre[0] + radius_px) + 1)
        y1 = min(self.height, math.ceil(centre[1] + radius_px) + 1)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _step_displacement(moves: list[_Move], x: np.ndarray, y: np.ndarray, source_x: np.ndarray,
                       source_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One sub-step's displacement at positions ``x, y`` (after the step); masks read at ``source_x, source_y``."""
    total = np.zeros_like(x)
    dx, dy = np.zeros_like(x), np.zeros_like(x)
    for move in moves:
        ox, oy = x - np.float32(move.end[0]), y - np.float32(move.end[1])
        weight = influence(ox * ox + oy * oy, move.arrow.radius_px)
        if move.arrow.mask is not None:
            weight = weight * _sample(move.arrow.mask, source_x, source_y)
        sx, sy = move.end - move.start
        total += weight
        dx += weight * np.float32(sx)
        dy += weight * np.float32(sy)
    norm = np.maximum(total, np.float32(1.0))
    return dx / norm, dy / norm


def _sample(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``mask`` at any-shaped ``x, y`` (0 outside)."""
    count = x.size
    width = min(count, 4096)  # cv2.remap needs map sides below 32767
    rows = -(-count // width)
    padded = np.zeros((2, rows * width), np.float32)
    padded[0, :count], padded[1, :count] = x.reshape(-1), y.reshape(-1)
    values = cv2.remap(mask, padded[0].reshape(rows, width), padded[1].reshape(rows, width), cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return values.reshape(-1)[:count].reshape(x.shape)


def _union(box: Box | None, other: Box) -> Box:
    if box is None:
        return other
    return min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])
