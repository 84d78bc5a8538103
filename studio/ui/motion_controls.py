"""Widget values <-> motion specs for the Image -> Video tab (no gradio here: plain values, testable)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from pydantic import ValidationError

from studio.errors import InvalidRequestError, describe_validation_error
from studio.motion.specs import MAX_CAMERA_FILE_CHARS, CameraSpec, MotionSpec, TrajectorySpec

ARROW_COLUMNS = ["x0", "y0", "x1", "y1", "radius", "start_frame", "end_frame"]
DEFAULT_RADIUS = 0.15


def parse_schedules(text: str | None) -> dict[str, str]:
    """``"pan_deg: 0:(0), 24:(15)"`` lines (or ``;``-separated) -> {parameter: schedule}."""
    schedules: dict[str, str] = {}
    for number, line in enumerate((text or "").replace(";", "\n").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, schedule = line.partition(":")
        if not sep or not schedule.strip():
            raise InvalidRequestError(f"schedule line {number} {line!r}: write it as 'parameter: 0:(0), 24:(15)'")
        schedules[name.strip()] = schedule.strip()
    return schedules


def _cell(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return float(value)  # type: ignore[arg-type]


def arrows_from_rows(rows: Sequence[Sequence[object]] | None) -> list[TrajectorySpec]:
    """Table rows (normalised x0, y0, x1, y1, radius, start, end) -> trajectory specs; blank rows are skipped."""
    arrows = []
    for index, row in enumerate(rows or []):
        try:
            cells = [_cell(v) for v in list(row) + [None] * (len(ARROW_COLUMNS) - len(row))]
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"arrow {index + 1}: every cell must be a number, got {list(row)}") from exc
        x0, y0, x1, y1, radius, start, end = cells[: len(ARROW_COLUMNS)]
        if all(v is None for v in (x0, y0, x1, y1)):
            continue
        if None in (x0, y0, x1, y1):
            raise InvalidRequestError(f"arrow {index + 1}: x0, y0, x1 and y1 are all needed, got {list(row)}")
        try:
            arrows.append(TrajectorySpec.model_validate({
                "points": [(x0, y0), (x1, y1)], "radius": radius or DEFAULT_RADIUS,
                "start_frame": int(start or 0), "end_frame": None if end is None else int(end),
            }))  # fmt: skip
        except ValidationError as exc:
            raise InvalidRequestError(f"arrow {index + 1}: {describe_validation_error(exc)}") from exc
    return arrows


def read_camera_file(path: str | None) -> str | None:
    """The text of an uploaded camera file (studio JSON or RealEstate10K), or None.

    Raises:
        InvalidRequestError: too big, or not UTF-8 text.
    """
    if not path:
        return None
    data = Path(path).read_bytes()
    if len(data) > MAX_CAMERA_FILE_CHARS:
        raise InvalidRequestError(f"camera file is {len(data)} bytes, the limit is {MAX_CAMERA_FILE_CHARS}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError(f"camera file {Path(path).name} is not UTF-8 text (JSON or RealEstate10K lines)") from exc


def motion_from_widgets(presets: Sequence[str] | None, strength: float | None, easing: str | None,
                        schedules: str | None, arrows: Sequence[Sequence[object]] | None,
                        camera_file: str | None = None) -> MotionSpec:  # fmt: skip
    """The ``MotionSpec`` the tab's widgets describe.

    Raises:
        InvalidRequestError: naming the preset, parameter, schedule line or arrow that is wrong.
    """
    try:
        camera = CameraSpec.model_validate({
            "presets": list(presets or []), "strength": 1.0 if strength is None else strength,
            "easing": easing or "linear", "schedules": parse_schedules(schedules),
        })  # fmt: skip
    except ValidationError as exc:
        raise InvalidRequestError(f"camera: {describe_validation_error(exc)}") from exc
    return MotionSpec(camera=camera, trajectories=arrows_from_rows(arrows), camera_file=read_camera_file(camera_file))


def draw_arrows(image: np.ndarray, rows: Sequence[Sequence[object]] | None, pending: tuple[float, float] | None) -> np.ndarray:
    """The source image with the arrows (and a pending start point) drawn on it."""
    canvas = image.copy()
    height, width = canvas.shape[:2]
    thickness = max(2, round(min(width, height) / 200))
    for row in rows or []:
        try:
            x0, y0, x1, y1 = (float(v) for v in list(row)[:4])  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        start, end = (round(x0 * width), round(y0 * height)), (round(x1 * width), round(y1 * height))
        cv2.arrowedLine(canvas, start, end, (255, 64, 32), thickness, cv2.LINE_AA, tipLength=0.2)
    if pending is not None:
        cv2.circle(canvas, (round(pending[0] * width), round(pending[1] * height)), thickness * 3, (255, 220, 0), -1)
    return canvas
