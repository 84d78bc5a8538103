"""Dense optical flow, backward warping and forward-backward occlusion masks (OpenCV, no weights).

Conventions: frames are uint8 RGB ``(height, width, 3)``; a flow is float32
``(height, width, 2)`` in pixels, ``(dx, dy)``, and ``flow_ab[y, x]`` says
where the pixel ``(x, y)`` of frame ``a`` is found in frame ``b``.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

# DIS (Kroeger et al. 2016) is OpenCV's fast dense flow; Farneback is the fallback for builds without it.
_HAS_DIS = hasattr(cv2, "DISOpticalFlow_create")


class FlowEstimator:
    """Computes dense flow between grey frames; DIS when the OpenCV build has it, else Farneback.

    One estimator per thread: OpenCV's DIS object keeps state between calls.

    Args:
        method: "auto" (DIS when available), "dis" or "farneback".
        fast: DIS's "fast" preset (about 5x cheaper, less exact at motion boundaries) instead of "medium".
    """

    def __init__(self, method: str = "auto", fast: bool = False) -> None:
        if method not in ("auto", "dis", "farneback"):
            raise ValueError(f"flow method must be 'auto', 'dis' or 'farneback', got {method!r}")
        if method == "dis" and not _HAS_DIS:
            raise ValueError("this OpenCV build has no DIS optical flow; use 'farneback'")
        self.method = "dis" if method in ("auto", "dis") and _HAS_DIS else "farneback"
        preset = cv2.DISOPTICAL_FLOW_PRESET_FAST if fast else cv2.DISOPTICAL_FLOW_PRESET_MEDIUM  # type: ignore[attr-defined]
        self._dis = cv2.DISOpticalFlow_create(preset) if self.method == "dis" else None  # type: ignore[attr-defined]

    def flow(self, grey_a: np.ndarray, grey_b: np.ndarray) -> np.ndarray:
        """Flow from ``grey_a`` to ``grey_b`` (uint8 single-channel frames of one size)."""
        if self._dis is not None:
            return self._dis.calc(grey_a, grey_b, None)
        return cv2.calcOpticalFlowFarneback(grey_a, grey_b, None, 0.5, 4, 15, 3, 5, 1.2, 0)  # type: ignore[call-overload]


def resize_flow(flow: np.ndarray, width: int, height: int) -> np.ndarray:
    """``flow`` resampled to ``width`` x ``height``, its vectors scaled to the new pixel size."""
    if flow.shape[:2] == (height, width):
        return flow
    sx, sy = width / flow.shape[1], height / flow.shape[0]
    big = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    big[..., 0] *= sx
    big[..., 1] *= sy
    return big


def grey(frame: np.ndarray) -> np.ndarray:
    """uint8 luma of an RGB frame."""
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


@lru_cache(maxsize=8)
def pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) float32 coordinate grids (cached and read-only: never write into them)."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    xs.flags.writeable = False
    ys.flags.writeable = False
    return xs, ys


def backward_warp(image: np.ndarray, flow: np.ndarray, grid: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``out[y, x] = image[y + flow_y, x + flow_x]`` (bilinear, borders replicated)."""
    height, width = flow.shape[:2]
    xs, ys = grid if grid is not None else pixel_grid(height, width)
    return cv2.remap(image, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def occlusion_mask(flow_ab: np.ndarray, flow_ba: np.ndarray, grid: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Pixels of frame ``a`` with no reliable match in ``b`` (bool, True = occluded).

    The forward-backward check of Lai et al. 2018 (after Ruder et al. 2016):
    occluded where ``|F_ab + F_ba(x + F_ab)|^2 > 0.01 (|F_ab|^2 + |F_ba(x + F_ab)|^2) + 0.5``,
    plus pixels whose match falls outside frame ``b``.
    """
    height, width = flow_ab.shape[:2]
    xs, ys = grid if grid is not None else pixel_grid(height, width)
    back = backward_warp(flow_ba, flow_ab, (xs, ys))
    fx, fy, bx, by = flow_ab[..., 0], flow_ab[..., 1], back[..., 0], back[..., 1]
    mismatch = (fx + bx) ** 2 + (fy + by) ** 2 > 0.01 * (fx * fx + fy * fy + bx * bx + by * by) + 0.5
    tx, ty = xs + flow_ab[..., 0], ys + flow_ab[..., 1]
    outside = (tx < 0) | (tx > width - 1) | (ty < 0) | (ty > height - 1)
    return mismatch | outside
