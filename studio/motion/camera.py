"""The per-frame camera (:class:`CameraPath`) and the compiler from :class:`CameraSpec`.

Axis and sign conventions are those of :mod:`studio.motion.geometry` and
:mod:`studio.motion.presets`: x right, y down, the camera looks along +z,
``R, t`` map world to camera (``X_cam = R @ X_world + t``), and the world is
the first frame's camera unless a path was imported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.geometry import base_focal_px, intrinsics, rotation_x, rotation_y, rotation_z
from studio.motion.presets import PARAMETERS, preset_channels
from studio.motion.schedule import parse_schedule
from studio.motion.specs import CameraSpec

#: The camera must stay this fraction of ``plane_depth`` in front of the reference plane.
MIN_PLANE_CLEARANCE = 0.05
MAX_FRAMES = 10_000


@dataclass(frozen=True, eq=False)
class CameraPath:
    """One camera per frame, for images of ``width`` x ``height`` pixels.

    Attributes:
        K: (F,3,3) float64 intrinsics, continuous pixel convention (centre at width/2).
        R: (F,3,3) float64 world-to-camera rotations.
        t: (F,3) float64 world-to-camera translations.
        plane_depth: depth of the reference plane in front of the source camera,
            used to warp translations when no depth map is given.
        source_K, source_R, source_t: the *source camera*, whose view the
            source image is (all three or none). None means the first frame's
            camera, so frame 0 always shows the image unchanged; compiled paths
            use the neutral camera (zoom 1 at the world origin), so motion
            scheduled at frame 0 shows in frame 0.

    Raises:
        InvalidRequestError: mismatched shapes, non-finite values, a rotation
            that is not orthonormal, or a non-positive focal length or size.
    """

    K: np.ndarray
    R: np.ndarray
    t: np.ndarray
    width: int
    height: int
    plane_depth: float = 1.0
    source_K: np.ndarray | None = None
    source_R: np.ndarray | None = None
    source_t: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("K", "R", "t", "source_K", "source_R", "source_t"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        _check_frames(self.K, self.R, self.t)
        sources = (self.source_K, self.source_R, self.source_t)
        if any(a is not None for a in sources):
            if any(a is None for a in sources):
                raise InvalidRequestError("camera path: give all of source_K, source_R and source_t, or none")
            _check_frames(self.source_K[None], self.source_R[None], self.source_t[None], what="source camera")  # type: ignore[index]
        if self.width < 1 or self.height < 1 or not self.plane_depth > 0:
            raise InvalidRequestError(
                f"camera path: size {self.width}x{self.height} and plane_depth {self.plane_depth} must be positive"
            )

    @property
    def num_frames(self) -> int:
        return int(self.K.shape[0])

    def source(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(K, R, t) of the source camera: the explicit one, else frame 0's."""
        if self.source_K is None or self.source_R is None or self.source_t is None:
            return self.K[0], self.R[0], self.t[0]
        return self.source_K, self.source_R, self.source_t

    @classmethod
    def static(cls, num_frames: int, width: int, height: int, fov_deg: float = 60.0) -> CameraPath:
        """A camera that does not move for ``num_frames`` frames."""
        focal = np.full(num_frames, base_focal_px(width, fov_deg))
        return cls(intrinsics(focal, width, height), np.tile(np.eye(3), (num_frames, 1, 1)),
                   np.zeros((num_frames, 3)), width, height)

    def resized(self, width: int, height: int) -> CameraPath:
        """The same path for images of ``width`` x ``height`` (intrinsics scaled per axis)."""
        scale = np.array([[width / self.width], [height / self.height], [1.0]])
        source_K = None if self.source_K is None else self.source_K * scale
        return replace(self, K=self.K * scale, width=width, height=height, source_K=source_K)

    def select(self, frames: np.ndarray | list[int]) -> CameraPath:
        """The path restricted to the given frame indices (in that order), with the same source camera."""
        K, R, t = self.source()
        index = np.asarray(frames, dtype=np.int64)
        return replace(self, K=self.K[index], R=self.R[index], t=self.t[index], source_K=K, source_R=R, source_t=t)


def _check_frames(K: np.ndarray, R: np.ndarray, t: np.ndarray, what: str = "camera path") -> None:
    """Raise InvalidRequestError unless K, R, t are (F,3,3), (F,3,3), (F,3) finite cameras."""
    frames = K.shape[0] if K.ndim == 3 else -1
    if frames < 1 or K.shape != (frames, 3, 3) or R.shape != (frames, 3, 3) or t.shape != (frames, 3):
        raise InvalidRequestError(
            f"{what} needs K (F,3,3), R (F,3,3) and t (F,3) with F >= 1, got {K.shape}, {R.shape}, {t.shape}"
        )
    if not (np.isfinite(K).all() and np.isfinite(R).all() and np.isfinite(t).all()):
        raise InvalidRequestError(f"{what} contains non-finite numbers")
    error = np.abs(R @ R.transpose(0, 2, 1) - np.eye(3)).max(axis=(1, 2))
    bad = np.flatnonzero((error > 1e-4) | (np.linalg.det(R) < 0))
    if bad.size:
        raise InvalidRequestError(f"{what}: R of frame {bad[0]} is not a rotation (error {error[bad[0]]:.3g})")
    if (K[:, 0, 0] <= 0).any() or (K[:, 1, 1] <= 0).any():
        raise InvalidRequestError(f"{what}: focal lengths must be positive")


def compile_camera(spec: CameraSpec, num_frames: int, width: int, height: int) -> CameraPath:
    """Turn ``spec`` into a :class:`CameraPath` of ``num_frames`` frames at ``width`` x ``height``.

    The world frame is the neutral camera (no motion, zoom 1), which is also
    the source camera: frame 0 equals the image exactly when nothing moves at
    frame 0, and a schedule that starts away from neutral shows at frame 0.

    Raises:
        InvalidRequestError: bad sizes, a schedule error, a parameter out of
            range at some frame, or a camera that reaches the reference plane.
    """
    if not 1 <= num_frames <= MAX_FRAMES:
        raise InvalidRequestError(f"num_frames must be in 1..{MAX_FRAMES}, got {num_frames}")
    if width < 1 or height < 1:
        raise InvalidRequestError(f"width and height must be positive, got {width} and {height}")
    channels = camera_channels(spec, num_frames)
    R_cw, centre = _camera_poses(channels, spec.plane_depth)
    clearance = spec.plane_depth - centre[:, 2]
    bad = np.flatnonzero(clearance < MIN_PLANE_CLEARANCE * spec.plane_depth)
    if bad.size:
        raise InvalidRequestError(
            f"at frame {bad[0]} the camera is {clearance[bad[0]]:.3g} scene units in front of the reference plane "
            f"(plane_depth {spec.plane_depth:g}); it must stay at least {MIN_PLANE_CLEARANCE * spec.plane_depth:.3g} "
            "in front: reduce the forward motion or raise plane_depth"
        )
    R = R_cw.transpose(0, 2, 1)
    t = -np.einsum("fij,fj->fi", R, centre)
    focal_px = base_focal_px(width, spec.fov_deg)
    K = intrinsics(focal_px * channels["zoom"], width, height)
    source_K = intrinsics(np.array(focal_px), width, height)
    return CameraPath(K, R, t, width, height, spec.plane_depth, source_K, np.eye(3), np.zeros(3))


def camera_channels(spec: CameraSpec, num_frames: int) -> dict[str, np.ndarray]:
    """Per-frame value of every camera parameter: presets plus schedules, range-checked.

    Raises:
        InvalidRequestError: a schedule error or a combined value out of range.
    """
    channels = preset_channels(list(spec.presets), spec.strength, spec.easing, num_frames)
    for key, text in spec.schedules.items():
        name: str = key
        info = PARAMETERS[name]
        values = parse_schedule(text, name, info.minimum, info.maximum).evaluate(num_frames, spec.schedule_easing)
        channels[name] = channels[name] * values if name == "zoom" else channels[name] + values
    for name, info in PARAMETERS.items():
        values = channels[name]
        bad = np.flatnonzero((values < info.minimum) | (values > info.maximum))
        if bad.size:
            raise InvalidRequestError(
                f"camera parameter {name!r} reaches {values[bad[0]]:.4g} at frame {bad[0]}; "
                f"it must stay within [{info.minimum:g}, {info.maximum:g}] {info.unit}"
            )
    return channels


def _camera_poses(channels: dict[str, np.ndarray], plane_depth: float) -> tuple[np.ndarray, np.ndarray]:
    """Camera-to-world rotations (F,3,3) and camera centres (F,3) from parameter channels.

    Orbit and crane swing the camera around the pivot ``(0, 0, plane_depth)``
    looking at it; translation then moves it along the swung axes; pan, tilt
    and roll turn it in place.
    """
    swing = rotation_y(-channels["orbit_deg"]) @ rotation_x(-channels["crane_deg"])
    pivot = np.array([0.0, 0.0, plane_depth])
    centre = pivot - swing[:, :, 2] * plane_depth
    offset = np.stack([channels["tx"], channels["ty"], channels["tz"]], axis=1)
    centre = centre + np.einsum("fij,fj->fi", swing, offset)
    turn = rotation_y(channels["pan_deg"]) @ rotation_x(channels["tilt_deg"]) @ rotation_z(channels["roll_deg"])
    return swing @ turn, centre
