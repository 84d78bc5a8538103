"""The motion engine: warp one image along a camera path and motion arrows.

Every output frame is one backward warp of the source image: output pixel
``y`` of frame ``f`` reads the source at ``arrows^-1(camera^-1(y))``. Without
a depth map the camera part is a homography (exact for rotation and zoom,
through the reference plane for translation); frames without arrows are drawn
with ``cv2.warpPerspective`` and only the squares that arrows reach are redrawn
with ``cv2.remap``. With a depth map the camera part is found per pixel by
reprojection (fixed-point iteration seeded by the plane homography).

Maps and flows are in pixel-index coordinates (``cv2.remap``'s convention:
pixel ``i`` is centred on ``i``), float32, shaped (H, W, 2) with x first.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath, compile_camera
from studio.motion.field import ArrowField, Box
from studio.motion.geometry import (
    apply_homography,
    homography_grid,
    index_intrinsics,
    plane_homography,
    project_with_depth,
    relative_pose,
)
from studio.motion.specs import MotionSpec
from studio.motion.vectors import Trajectory, compile_trajectories, trajectories_from_specs

Border = Literal["reflect", "replicate", "black"]
_BORDERS = {"reflect": cv2.BORDER_REFLECT_101, "replicate": cv2.BORDER_REPLICATE, "black": cv2.BORDER_CONSTANT}
DEPTH_ITERATIONS = 6
_BOX_MARGIN_PX = 2


class MotionPlan:
    """A camera path and compiled arrows, ready to warp images of the camera's size.

    Homographies are computed once; per-frame work is one warp. Build one plan
    and reuse it for every frame (and for maps and flows).

    Raises:
        InvalidRequestError: a bad arrow, or a depth map of the wrong shape or
            with non-positive or non-finite values.
    """

    def __init__(self, camera: CameraPath, trajectories: list[Trajectory] | tuple[Trajectory, ...] = (),
                 depth: np.ndarray | None = None) -> None:
        self.camera = camera
        self.width, self.height = camera.width, camera.height
        arrows = compile_trajectories(trajectories, camera.num_frames, camera.width, camera.height)
        self.field = ArrowField(arrows, camera.width, camera.height) if arrows else None
        self.depth = None if depth is None else _checked_depth(depth, camera.width, camera.height)
        plane_depth = camera.plane_depth if self.depth is None else float(np.median(self.depth))
        source_K, source_R, source_t = camera.source()
        K_src = index_intrinsics(source_K)
        self._K0_inv = np.linalg.inv(K_src)
        self._K_idx = index_intrinsics(camera.K)
        self._poses = [relative_pose(source_R, source_t, camera.R[i], camera.t[i]) for i in range(camera.num_frames)]
        self._homographies = np.stack([plane_homography(K_src, self._K_idx[i], R_rel, t_rel, plane_depth)
                                       for i, (R_rel, t_rel) in enumerate(self._poses)])
        self._grid: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def num_frames(self) -> int:
        return self.camera.num_frames

    def homography(self, frame: int) -> np.ndarray:
        """Backward homography of ``frame`` (output index pixel -> source index pixel)."""
        return self._homographies[frame]

    def render_frame(self, image: np.ndarray, frame: int, border: Border = "reflect") -> np.ndarray:
        """Frame ``frame`` of the guide for ``image`` (uint8 H x W x 3, the camera's size)."""
        border_mode = _border_mode(border)
        if self.depth is not None:
            map_xy = self.sampling_map(frame)
            return cv2.remap(image, map_xy[..., 0], map_xy[..., 1], cv2.INTER_LINEAR, borderMode=border_mode)
        H = self._homographies[frame]
        offsets, boxes = self.field.offsets(frame) if self.field is not None else (None, [])
        if not boxes and np.allclose(H, np.eye(3), rtol=0.0, atol=1e-10):
            return image.copy()
        out = cv2.warpPerspective(image, H, (self.width, self.height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=border_mode)
        for box in boxes:
            # Only output pixels whose source lies where the arrows moved content need the explicit map.
            x0, y0, x1, y1 = out_box = self._output_box(box, frame)
            if x1 > x0 and y1 > y0:
                sx, sy = _add_offsets(offsets, *homography_grid(H, out_box))  # type: ignore[arg-type]
                out[y0:y1, x0:x1] = cv2.remap(image, sx, sy, cv2.INTER_LINEAR, borderMode=border_mode)
        return out

    def sampling_map(self, frame: int) -> np.ndarray:
        """Backward map (H, W, 2) float32: frame ``frame`` = ``cv2.remap(source, map[..., 0], map[..., 1])``."""
        if self.depth is None:
            mx, my = homography_grid(self._homographies[frame], (0, 0, self.width, self.height))
        else:
            mx, my = self._depth_backward(frame, *self._grid_xy())
        if self.field is not None:
            offsets, boxes = self.field.offsets(frame)
            if boxes:
                mx, my = _add_offsets(offsets, mx, my)
        return np.stack([mx, my], axis=-1)

    def forward_flow(self, frame: int) -> np.ndarray:
        """Forward flow (H, W, 2) float32: source pixel ``p`` appears at ``p + flow[p]`` in frame ``frame``."""
        gx, gy = self._grid_xy()
        if self.field is not None:
            moved = self.field.positions(frame)
            zx, zy = moved[..., 0], moved[..., 1]
        else:
            zx, zy = gx, gy
        if self.depth is None:
            ux, uy = apply_homography(np.linalg.inv(self._homographies[frame]), zx, zy)
        else:
            R_rel, t_rel = self._poses[frame]
            ux, uy = project_with_depth(self._K0_inv, self._K_idx[frame], R_rel, t_rel, zx, zy, self.depth)
        return np.stack([ux - gx, uy - gy], axis=-1).astype(np.float32)

    def _grid_xy(self) -> tuple[np.ndarray, np.ndarray]:
        if self._grid is None:
            gy, gx = np.mgrid[0 : self.height, 0 : self.width].astype(np.float32)
            self._grid = (gx, gy)
        return self._grid

    def _output_box(self, source_box: Box, frame: int) -> Box:
        """Output pixels whose source may lie in ``source_box``: (x0, y0, x1, y1), end-exclusive."""
        bx0, by0, bx1, by1 = source_box
        corners = np.array([[bx0, by0, 1.0], [bx1, by0, 1.0], [bx0, by1, 1.0], [bx1, by1, 1.0]]).T
        mapped = np.linalg.inv(self._homographies[frame]) @ corners
        if (mapped[2] <= 1e-9).any():  # the box crosses the horizon: redraw everything
            return 0, 0, self.width, self.height
        xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
        x0 = int(max(0, np.floor(xs.min()) - _BOX_MARGIN_PX))
        y0 = int(max(0, np.floor(ys.min()) - _BOX_MARGIN_PX))
        x1 = int(min(self.width, np.ceil(xs.max()) + _BOX_MARGIN_PX + 1))
        y1 = int(min(self.height, np.ceil(ys.max()) + _BOX_MARGIN_PX + 1))
        return x0, y0, x1, y1

    def _depth_backward(self, frame: int, gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Source pixels seen at ``gx, gy`` of ``frame``, solving ``project(x, depth(x)) = g``.

        Each step corrects ``x`` by the plane homography of the reprojection
        error, which converges in a few steps where depth is smooth.
        """
        H = self._homographies[frame]
        R_rel, t_rel = self._poses[frame]
        tx, ty = apply_homography(H, gx, gy)
        x, y = tx.copy(), ty.copy()
        for _ in range(DEPTH_ITERATIONS):
            d = cv2.remap(self.depth, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # type: ignore[arg-type]
            u, v = project_with_depth(self._K0_inv, self._K_idx[frame], R_rel, t_rel, x, y, d)
            hx, hy = apply_homography(H, u.astype(np.float32), v.astype(np.float32))
            ok = np.isfinite(hx) & (u > -1e5)
            x = np.where(ok, x + (tx - hx), x).astype(np.float32)
            y = np.where(ok, y + (ty - hy), y).astype(np.float32)
        return x, y


def render_guide(image: np.ndarray, camera: CameraPath | None,
                 trajectories: list[Trajectory] | tuple[Trajectory, ...] = (), num_frames: int | None = None,
                 *, depth: np.ndarray | None = None, border: Border = "reflect") -> np.ndarray:
    """Warp ``image`` along ``camera`` and ``trajectories`` into a guide video.

    Args:
        image: uint8 (H, W, 3) RGB, the view of the camera's first frame.
        camera: a path for images of exactly W x H, or None for a still camera.
        trajectories: motion arrows.
        num_frames: must equal ``camera.num_frames`` when both are given;
            required when ``camera`` is None.
        depth: optional (H, W) z-depth of the image in scene units; without it
            translations warp through the plane at ``camera.plane_depth``.
        border: how uncovered areas are filled: mirrored content ("reflect",
            the default), stretched edge pixels ("replicate"), or "black".

    Returns:
        uint8 (F, H, W, 3). Frame 0 equals ``image`` when nothing moves at frame 0.

    Raises:
        InvalidRequestError: a bad image, size or frame count mismatch, border,
            arrow or depth map.
    """
    image = checked_image(image)
    camera = _resolve_camera(camera, num_frames, image.shape[1], image.shape[0])
    plan = MotionPlan(camera, trajectories, depth)
    _border_mode(border)
    out = np.empty((plan.num_frames,) + image.shape, np.uint8)
    for frame in range(plan.num_frames):
        out[frame] = plan.render_frame(image, frame, border)
    return out


def sampling_maps(camera: CameraPath, trajectories: list[Trajectory] | tuple[Trajectory, ...] = (),
                  *, depth: np.ndarray | None = None) -> np.ndarray:
    """Backward maps for every frame, (F, H, W, 2) float32 (see :meth:`MotionPlan.sampling_map`).

    Use a camera resized to the target grid (``camera.resized(w, h)``) to get
    maps for, e.g., a latent grid. Memory is F * H * W * 8 bytes.
    """
    plan = MotionPlan(camera, trajectories, depth)
    return np.stack([plan.sampling_map(frame) for frame in range(plan.num_frames)])


def forward_flows(camera: CameraPath, trajectories: list[Trajectory] | tuple[Trajectory, ...] = (),
                  *, depth: np.ndarray | None = None) -> np.ndarray:
    """Forward flow from frame 0 to every frame, (F, H, W, 2) float32 (see :meth:`MotionPlan.forward_flow`)."""
    plan = MotionPlan(camera, trajectories, depth)
    return np.stack([plan.forward_flow(frame) for frame in range(plan.num_frames)])


def checked_image(image: object) -> np.ndarray:
    """``image`` if it is a uint8 (H, W, 3) array, made contiguous.

    Raises:
        InvalidRequestError: any other dtype or shape.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        described = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise InvalidRequestError(f"image must be a uint8 (height, width, 3) RGB array, got {described}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise InvalidRequestError(f"image is empty: {image.shape}")
    return np.ascontiguousarray(image)


def _resolve_camera(camera: CameraPath | None, num_frames: int | None, width: int, height: int) -> CameraPath:
    if camera is None:
        if num_frames is None or num_frames < 1:
            raise InvalidRequestError(f"num_frames must be a positive number when no camera is given, got {num_frames}")
        return CameraPath.static(num_frames, width, height)
    if num_frames is not None and num_frames != camera.num_frames:
        raise InvalidRequestError(f"num_frames {num_frames} does not match the camera path's {camera.num_frames} frames")
    if (camera.width, camera.height) != (width, height):
        raise InvalidRequestError(
            f"the camera path is for {camera.width}x{camera.height} images but the image is {width}x{height}; "
            f"use camera.resized({width}, {height})"
        )
    return camera


def _add_offsets(offsets: np.ndarray, mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Source positions ``m + D(m)`` for positions ``m`` in the arrows' frame of reference."""
    d = cv2.remap(offsets, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return mx + d[..., 0], my + d[..., 1]


def _border_mode(border: str) -> int:
    if border not in _BORDERS:
        raise InvalidRequestError(f"unknown border {border!r}; use one of {', '.join(_BORDERS)}")
    return _BORDERS[border]


def _checked_depth(depth: np.ndarray, width: int, height: int) -> np.ndarray:
    array = np.asarray(depth, dtype=np.float32)
    if array.shape != (height, width):
        raise InvalidRequestError(f"depth map must be {height}x{width} (height x width) like the image, got {array.shape}")
    if not np.isfinite(array).all() or array.min() <= 0:
        raise InvalidRequestError(f"depth values must be positive and finite, got minimum {np.nanmin(array):g}")
    return np.ascontiguousarray(array)


def render_spec(image: np.ndarray, spec: MotionSpec, num_frames: int, *, depth: np.ndarray | None = None,
                border: Border = "reflect", with_maps: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Compile ``spec`` for ``image``'s size and render it: (frames, maps or None).

    ``frames`` as :func:`render_guide`; ``maps`` (F, H, W, 2) float32 backward
    sampling maps as :func:`sampling_maps`, from the same plan.

    Raises:
        InvalidRequestError: as :func:`compile_camera`, :func:`render_guide`.
    """
    image = checked_image(image)
    height, width = image.shape[:2]
    camera = compile_camera(spec.camera, num_frames, width, height)
    plan = MotionPlan(camera, trajectories_from_specs(spec.trajectories), depth)
    _border_mode(border)
    frames = np.stack([plan.render_frame(image, frame, border) for frame in range(num_frames)])
    maps = np.stack([plan.sampling_map(frame) for frame in range(num_frames)]) if with_maps else None
    return frames, maps
