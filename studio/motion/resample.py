"""Resampling a camera path by time: rotations on the sphere (slerp), camera centres and intrinsics linearly.

A file with fewer poses than the clip has frames is stretched over the clip's
duration: output frame ``j`` sits at time ``t0 + j (t_last - t0) / (n - 1)``
of the file's clock (its timestamps, or evenly spaced poses when it has none),
and takes the pose interpolated between the file's two poses around that time.
Repeating the nearest pose instead makes the camera move in stair steps.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.camera import CameraPath


def rotation_to_quaternion(R: np.ndarray) -> np.ndarray:
    """(F,3,3) rotations -> (F,4) unit quaternions (w, x, y, z), w >= 0."""
    R = np.asarray(R, dtype=np.float64)
    trace = np.trace(R, axis1=1, axis2=2)
    # the largest of 4w^2, 4x^2, 4y^2, 4z^2 keeps the division well conditioned
    squares = np.stack([1 + trace, 1 + 2 * R[:, 0, 0] - trace, 1 + 2 * R[:, 1, 1] - trace, 1 + 2 * R[:, 2, 2] - trace], 1)
    pick = squares.argmax(1)
    q = np.empty((len(R), 4))
    for i, (k, m) in enumerate(zip(pick, R, strict=True)):
        s = np.sqrt(max(squares[i, k], 1e-12)) * 2  # = 4 * component k
        if k == 0:
            q[i] = (s / 4, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s)
        elif k == 1:
            q[i] = ((m[2, 1] - m[1, 2]) / s, s / 4, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s)
        elif k == 2:
            q[i] = ((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, s / 4, (m[1, 2] + m[2, 1]) / s)
        else:
            q[i] = ((m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, s / 4)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q * np.where(q[:, :1] < 0, -1.0, 1.0)


def quaternion_to_rotation(q: np.ndarray) -> np.ndarray:
    """(F,4) quaternions (w, x, y, z) -> (F,3,3) rotations."""
    w, x, y, z = (np.asarray(q, dtype=np.float64) / np.linalg.norm(q, axis=1, keepdims=True)).T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
    ], 1)  # fmt: skip


def slerp(q0: np.ndarray, q1: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Spherical interpolation between (F,4) quaternions at fractions ``u`` (F,), along the shorter arc."""
    dot = (q0 * q1).sum(1)
    q1 = np.where(dot[:, None] < 0, -q1, q1)
    dot = np.abs(dot)
    angle = np.arccos(np.clip(dot, -1.0, 1.0))
    small = angle < 1e-8
    sin = np.where(small, 1.0, np.sin(angle))
    a = np.where(small, 1 - u, np.sin((1 - u) * angle) / sin)
    b = np.where(small, u, np.sin(u * angle) / sin)
    out = a[:, None] * q0 + b[:, None] * q1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def resample_path(path: CameraPath, num_frames: int, times: np.ndarray | None = None) -> CameraPath:
    """``path`` stretched over ``num_frames`` output frames by time (module docstring).

    Args:
        times: one timestamp per pose, strictly increasing (any unit); None = evenly spaced.
    Raises:
        InvalidRequestError: a bad frame count, or timestamps that are not one per pose and increasing.
    """
    if num_frames < 1:
        raise InvalidRequestError(f"frames must be at least 1, got {num_frames}")
    count = path.num_frames
    clock = np.arange(count, dtype=np.float64) if times is None else np.asarray(times, dtype=np.float64)
    if clock.shape != (count,):
        raise InvalidRequestError(f"camera file: {len(clock)} timestamps for {count} poses")
    if count > 1 and not (np.diff(clock) > 0).all():
        bad = int(np.flatnonzero(np.diff(clock) <= 0)[0]) + 1
        raise InvalidRequestError(f"camera file: timestamps must increase, pose {bad + 1} has {clock[bad]:g} after {clock[bad - 1]:g}")
    K0, R0, t0 = path.source()
    if count == 1:
        index = np.zeros(num_frames, dtype=np.int64)
        return replace(path, K=path.K[index], R=path.R[index], t=path.t[index], source_K=K0, source_R=R0, source_t=t0)
    wanted = np.linspace(clock[0], clock[-1], num_frames)
    lower = np.clip(np.searchsorted(clock, wanted, side="right") - 1, 0, count - 2)
    u = np.clip((wanted - clock[lower]) / (clock[lower + 1] - clock[lower]), 0.0, 1.0)
    quats = rotation_to_quaternion(path.R)
    R = quaternion_to_rotation(slerp(quats[lower], quats[lower + 1], u))
    # camera centres (C = -R^T t) move in straight lines; t follows from the interpolated rotation
    centres = -np.einsum("fji,fj->fi", path.R, path.t)
    centre = centres[lower] + u[:, None] * (centres[lower + 1] - centres[lower])
    t = -np.einsum("fij,fj->fi", R, centre)
    K = path.K[lower] + u[:, None, None] * (path.K[lower + 1] - path.K[lower])
    return replace(path, K=K, R=R, t=t, source_K=K0, source_R=R0, source_t=t0)
