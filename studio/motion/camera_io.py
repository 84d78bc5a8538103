"""Camera paths in and out: JSON, and the RealEstate10K / CameraCtrl text layout.

RealEstate10K layout: the first line names the source (a URL or any name);
then one line per frame with 19 numbers::

    timestamp fx fy cx cy 0 0 r11 r12 r13 t1 r21 r22 r23 t2 r31 r32 r33 t3

``timestamp`` is in microseconds, intrinsics are normalised (``fx / width``,
``fy / height``, ``cx / width``, ``cy / height``, continuous pixel convention,
so a centred principal point is 0.5), the two zeros are unused distortion
slots, and the last 12 numbers are the row-major 3x4 world-to-camera matrix
``[R | t]``.
"""

from __future__ import annotations

import json

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.errors import InvalidRequestError
from studio.motion.camera import MAX_FRAMES, CameraPath, compile_camera
from studio.motion.resample import resample_path
from studio.motion.specs import MotionSpec

JSON_FORMAT_VERSION = 1
_RE10K_FIELDS = 19


class _FrameJson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    K: list[list[float]]
    R: list[list[float]]
    t: list[float]


class _CameraPathJson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = JSON_FORMAT_VERSION
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    plane_depth: float = Field(1.0, gt=0)
    source: _FrameJson | None = None
    frames: list[_FrameJson] = Field(min_length=1, max_length=MAX_FRAMES)


def camera_to_json(path: CameraPath) -> str:
    """Serialise ``path`` as JSON (floats written exactly).

    Layout: ``{"version": 1, "width", "height", "plane_depth", "source": {"K", "R", "t"} or null,
    "frames": [{"K": 3x3, "R": 3x3, "t": 3}, ...]}``.
    """
    frames = [_frame(path.K[i], path.R[i], path.t[i]) for i in range(path.num_frames)]
    source = None if path.source_K is None else _frame(*path.source())
    body = {"version": JSON_FORMAT_VERSION, "width": path.width, "height": path.height,
            "plane_depth": path.plane_depth, "source": source, "frames": frames}
    return json.dumps(body)


def _frame(K: np.ndarray, R: np.ndarray, t: np.ndarray) -> dict[str, list]:
    return {"K": K.tolist(), "R": R.tolist(), "t": t.tolist()}


def camera_from_json(text: str | bytes) -> CameraPath:
    """Read a path written by :func:`camera_to_json`.

    Raises:
        InvalidRequestError: invalid JSON, a wrong layout or version, or bad matrices.
    """
    try:
        data = _CameraPathJson.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidRequestError(f"camera path JSON: {first['msg']} at {where or 'top level'}") from None
    if data.version != JSON_FORMAT_VERSION:
        raise InvalidRequestError(f"camera path JSON version {data.version} is not supported (expected {JSON_FORMAT_VERSION})")
    try:
        K = np.array([f.K for f in data.frames], dtype=np.float64)
        R = np.array([f.R for f in data.frames], dtype=np.float64)
        t = np.array([f.t for f in data.frames], dtype=np.float64)
        source: tuple[np.ndarray | None, ...] = (None, None, None)
        if data.source is not None:
            source = tuple(np.array(v, dtype=np.float64) for v in (data.source.K, data.source.R, data.source.t))
    except ValueError as exc:  # ragged nested lists
        raise InvalidRequestError(f"camera path JSON: matrices have inconsistent shapes ({exc})") from None
    return CameraPath(K, R, t, data.width, data.height, data.plane_depth, *source)


def camera_to_re10k(path: CameraPath, name: str = "studio", fps: float = 16.0) -> str:
    """Write ``path`` in the RealEstate10K layout (first line ``name``), frames ``1/fps`` s apart.

    The layout has no place for the source camera or the plane depth; readers
    take frame 0 as the source (as CameraCtrl does, using poses relative to it).
    """
    if fps <= 0:
        raise InvalidRequestError(f"fps must be positive, got {fps}")
    if "\n" in name or "\r" in name:
        raise InvalidRequestError(f"the name line must be one line, got {name!r}")
    lines = [name]
    for i in range(path.num_frames):
        K = path.K[i]
        intr = [K[0, 0] / path.width, K[1, 1] / path.height, K[0, 2] / path.width, K[1, 2] / path.height]
        pose = np.concatenate([path.R[i], path.t[i][:, None]], axis=1).reshape(-1)
        timestamp = round(i * 1_000_000 / fps)
        numbers = " ".join(repr(float(v)) for v in (*intr, 0.0, 0.0, *pose))
        lines.append(f"{timestamp} {numbers}")
    return "\n".join(lines) + "\n"


def camera_from_re10k(text: str, width: int, height: int, plane_depth: float = 1.0) -> CameraPath:
    """Read a RealEstate10K-layout path for images of ``width`` x ``height`` pixels.

    Poses are kept as written (the world need not be the first camera; the
    motion engine always warps relative to frame 0). Timestamps are read by
    :func:`camera_file_times`.

    Raises:
        InvalidRequestError: no frame lines, a line without 19 numbers (the
            message gives its 1-based line number), or bad matrices.
    """
    data = _re10k_numbers(text)
    K = np.zeros((len(data), 3, 3))
    K[:, 0, 0], K[:, 1, 1] = data[:, 1] * width, data[:, 2] * height
    K[:, 0, 2], K[:, 1, 2], K[:, 2, 2] = data[:, 3] * width, data[:, 4] * height, 1.0
    pose = data[:, 7:].reshape(-1, 3, 4)
    return CameraPath(K, pose[:, :, :3], pose[:, :, 3], width, height, plane_depth)


def _re10k_numbers(text: str) -> np.ndarray:
    """The frame lines of a RealEstate10K file as a (frames, 19) array."""
    lines = text.splitlines()
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != _RE10K_FIELDS:
            raise InvalidRequestError(
                f"camera file line {number}: expected {_RE10K_FIELDS} numbers, got {len(fields)}: {line[:80]!r}"
            )
        try:
            rows.append([float(v) for v in fields])
        except ValueError:
            raise InvalidRequestError(f"camera file line {number}: not a number in {line[:80]!r}") from None
    if not rows:
        raise InvalidRequestError("camera file has no frame lines (the first line is the URL/name line)")
    if len(rows) > MAX_FRAMES:
        raise InvalidRequestError(f"camera file has {len(rows)} frames; the limit is {MAX_FRAMES}")
    return np.array(rows)


def camera_file_times(text: str) -> np.ndarray | None:
    """The poses' timestamps of a camera file (RealEstate10K: microseconds), or None (JSON, or all equal)."""
    if text.lstrip().startswith("{"):
        return None
    times = _re10k_numbers(text)[:, 0]
    return None if len(times) < 2 or np.ptp(times) == 0 else times


def camera_from_text(text: str, width: int, height: int, plane_depth: float = 1.0) -> CameraPath:
    """A camera file's text, either format: studio JSON (starts with ``{``) or RealEstate10K lines."""
    if text.lstrip().startswith("{"):
        return camera_from_json(text).resized(width, height)
    return camera_from_re10k(text, width, height, plane_depth)


def camera_for(spec: MotionSpec, num_frames: int, width: int, height: int) -> CameraPath:
    """The camera a ``MotionSpec`` describes for a clip: its imported file (resampled to ``num_frames``
    by time: slerp between poses, first and last kept, see ``motion/resample.py``) or its presets and schedules.

    Raises:
        InvalidRequestError: a malformed camera file or bad preset/schedule values.
    """
    if not spec.camera_file:
        return compile_camera(spec.camera, num_frames, width, height)
    path = camera_from_text(spec.camera_file, width, height, spec.camera.plane_depth)
    return resample_path(path, num_frames, camera_file_times(spec.camera_file))
