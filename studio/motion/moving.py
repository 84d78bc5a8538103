"""Where the content that the motion arrows drag is, frame by frame (for dual-clock denoising).

Frame 0's dragged region is the union of the arrows' influence discs around
their tails (weight 1 in the core, falling to 0 at the radius; times the
arrow's region mask when it has one). Frame ``f``'s is that region pulled
through the guide's backward sampling maps: pixel (x, y) of frame ``f`` belongs
to it as much as the frame-0 pixel it shows does. Camera motion carries the
region along with everything else; the arrows carry it along their paths.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.motion.field import influence
from studio.motion.vectors import Trajectory, compile_trajectories


def source_region(trajectories: list[Trajectory] | tuple[Trajectory, ...], num_frames: int, width: int,
                  height: int) -> np.ndarray:  # fmt: skip
    """(H, W) float32 in [0, 1]: how much each pixel of frame 0 is dragged by an arrow."""
    region = np.zeros((height, width), np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    for arrow in compile_trajectories(trajectories, num_frames, width, height):
        tail_x, tail_y = arrow.polyline[0]
        weight = influence((xs - tail_x) ** 2 + (ys - tail_y) ** 2, arrow.radius_px)
        if arrow.mask is not None:
            weight = weight * arrow.mask
        region = np.maximum(region, weight)
    return region


def moving_masks(region: np.ndarray, maps: np.ndarray) -> np.ndarray:
    """(F, H, W) float32: frame 0's ``region`` carried to every frame by backward ``maps`` (F, H, W, 2)."""
    out = np.empty(maps.shape[:3], np.float32)
    for frame, grid in enumerate(maps):
        out[frame] = cv2.remap(region, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=0.0)  # fmt: skip
    return out
