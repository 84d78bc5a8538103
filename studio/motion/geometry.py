"""Camera geometry: rotations, intrinsics, homographies and depth reprojection.

Conventions (OpenCV): camera axes x right, y down, the camera looks along +z.
A camera maps a world point X to camera coordinates ``R @ X + t``
(world-to-camera), then to the image with ``K``. Intrinsics are stored in the
*continuous* pixel convention (the image spans ``0..width``; the centre is at
``width / 2``), the convention of normalised RealEstate10K intrinsics. Pixel
*index* coordinates (what ``cv2.remap`` reads; pixel ``i`` is centred on
``i``) are half a pixel less; :func:`index_intrinsics` converts.

Warps are computed relative to the first frame's camera, whose view the source
image is. The reference plane for translations is fronto-parallel to that
camera at ``plane_depth``; ``depth`` maps are z-depths in the same units.
"""

from __future__ import annotations

import numpy as np

#: A point this close to (or behind) a camera's image plane cannot be projected.
MIN_PROJECTION_DEPTH = 1e-6
#: Where unprojectable points are sent: far outside any image, so they read the border.
OFF_IMAGE_PX = -1.0e6


def rotation_x(angles_deg: np.ndarray) -> np.ndarray:
    """Rotations about +x (F,3,3); positive angles turn the camera's view up (y is down)."""
    a = np.radians(np.asarray(angles_deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1], out[..., 1, 2] = c, -s
    out[..., 2, 1], out[..., 2, 2] = s, c
    return out


def rotation_y(angles_deg: np.ndarray) -> np.ndarray:
    """Rotations about +y (F,3,3); positive angles turn the camera's view right."""
    a = np.radians(np.asarray(angles_deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    out[..., 1, 1] = 1.0
    out[..., 0, 0], out[..., 0, 2] = c, s
    out[..., 2, 0], out[..., 2, 2] = -s, c
    return out


def rotation_z(angles_deg: np.ndarray) -> np.ndarray:
    """Rotations about +z (F,3,3); positive angles roll the camera clockwise as seen through it."""
    a = np.radians(np.asarray(angles_deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    out[..., 2, 2] = 1.0
    out[..., 0, 0], out[..., 0, 1] = c, -s
    out[..., 1, 0], out[..., 1, 1] = s, c
    return out


def base_focal_px(width: int, fov_deg: float) -> float:
    """Focal length in pixels that gives a horizontal field of view of ``fov_deg`` at ``width``."""
    return (width / 2.0) / np.tan(np.radians(fov_deg) / 2.0)


def intrinsics(focal_px: np.ndarray, width: int, height: int) -> np.ndarray:
    """Intrinsic matrices (F,3,3), square pixels, principal point at the image centre (continuous)."""
    f = np.asarray(focal_px, dtype=np.float64)
    out = np.zeros(f.shape + (3, 3))
    out[..., 0, 0] = f
    out[..., 1, 1] = f
    out[..., 0, 2] = width / 2.0
    out[..., 1, 2] = height / 2.0
    out[..., 2, 2] = 1.0
    return out


def index_intrinsics(K: np.ndarray) -> np.ndarray:
    """``K`` moved from continuous to pixel-index coordinates (principal point - 0.5)."""
    out = np.array(K, dtype=np.float64, copy=True)
    out[..., 0, 2] -= 0.5 * out[..., 2, 2]
    out[..., 1, 2] -= 0.5 * out[..., 2, 2]
    return out


def relative_pose(R0: np.ndarray, t0: np.ndarray, R: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pose of camera (R, t) in camera (R0, t0)'s coordinates: ``X_i = R_rel @ X_0 + t_rel``."""
    R_rel = R @ R0.T
    return R_rel, t - R_rel @ t0


def plane_homography(K0: np.ndarray, K: np.ndarray, R_rel: np.ndarray, t_rel: np.ndarray, plane_depth: float) -> np.ndarray:
    """Backward homography: pixel of camera i -> pixel of camera 0 seeing the same plane point.

    The plane is ``z = plane_depth`` in camera 0's coordinates. With the camera
    centre ``C`` and camera-to-reference rotation ``M = R_rel^T``,
    ``H = K0 (C n^T + (d - n.C) I) M K^-1`` with ``n = (0, 0, 1)``. With no
    translation this is ``K0 R_rel^T K^-1`` up to scale: exact for any scene.
    Use index intrinsics to get an index-coordinate homography.
    """
    M = R_rel.T
    C = -M @ t_rel
    n = np.array([0.0, 0.0, 1.0])
    H = K0 @ (np.outer(C, n) + (plane_depth - C[2]) * np.eye(3)) @ M @ np.linalg.inv(K)
    return H / H[2, 2] if abs(H[2, 2]) > 1e-12 else H


def apply_homography(H: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map point arrays ``x, y`` through ``H``; points sent to infinity or behind go far off-image."""
    w = H[2, 0] * x + H[2, 1] * y + H[2, 2]
    valid = w > MIN_PROJECTION_DEPTH
    safe_w = np.where(valid, w, 1.0)
    u = np.where(valid, (H[0, 0] * x + H[0, 1] * y + H[0, 2]) / safe_w, OFF_IMAGE_PX)
    v = np.where(valid, (H[1, 0] * x + H[1, 1] * y + H[1, 2]) / safe_w, OFF_IMAGE_PX)
    return u.astype(x.dtype, copy=False), v.astype(y.dtype, copy=False)


def homography_grid(H: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``H`` applied to every pixel (x, y) of ``box`` = (x0, y0, x1, y1), end-exclusive: two float32 arrays.

    Rows and columns are broadcast, so this costs a few passes over the box.
    """
    x0, y0, x1, y1 = box
    x = np.arange(x0, x1, dtype=np.float32)[None, :]
    y = np.arange(y0, y1, dtype=np.float32)[:, None]
    h = H.astype(np.float32)
    w = h[2, 0] * x + (h[2, 1] * y + h[2, 2])
    u = h[0, 0] * x + (h[0, 1] * y + h[0, 2])
    v = h[1, 0] * x + (h[1, 1] * y + h[1, 2])
    if w.min() > MIN_PROJECTION_DEPTH:
        np.divide(u, w, out=u)
        np.divide(v, w, out=v)
        return u, v
    valid = w > MIN_PROJECTION_DEPTH
    safe_w = np.where(valid, w, np.float32(1.0))
    return (np.where(valid, u / safe_w, np.float32(OFF_IMAGE_PX)),
            np.where(valid, v / safe_w, np.float32(OFF_IMAGE_PX)))


def project_with_depth(
    K0_inv: np.ndarray, K: np.ndarray, R_rel: np.ndarray, t_rel: np.ndarray,
    x: np.ndarray, y: np.ndarray, depth: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Forward reprojection: pixels ``x, y`` of camera 0 at z-depth ``depth`` -> pixels of camera i.

    Points that end up behind camera i go far off-image.
    """
    P = K @ R_rel @ K0_inv  # image-0 rays to image-i homogeneous coordinates
    q = K @ t_rel
    a = P[0, 0] * x + P[0, 1] * y + P[0, 2]
    b = P[1, 0] * x + P[1, 1] * y + P[1, 2]
    c = P[2, 0] * x + P[2, 1] * y + P[2, 2]
    u, v, w = depth * a + q[0], depth * b + q[1], depth * c + q[2]
    valid = w > MIN_PROJECTION_DEPTH
    safe_w = np.where(valid, w, 1.0)
    return np.where(valid, u / safe_w, OFF_IMAGE_PX), np.where(valid, v / safe_w, OFF_IMAGE_PX)
