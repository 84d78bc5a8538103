"""The image-to-video flags of ``studio generate`` as a ``MotionSpec`` (plain values, testable)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studio.errors import InvalidRequestError, describe_validation_error
from studio.motion.specs import MAX_CAMERA_FILE_CHARS, MotionSpec


def _arrows(text: str) -> list:
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InvalidRequestError(f"--arrows file not found: {path}")
        text = path.read_text(encoding="utf-8")
    try:
        arrows = json.loads(text)
    except ValueError as exc:
        raise InvalidRequestError(f"--arrows is not JSON: {exc}") from exc
    if not isinstance(arrows, list):
        raise InvalidRequestError(f"--arrows must be a JSON list of arrows, got {type(arrows).__name__}")
    return arrows


def motion_from_flags(camera: str | None, strength: float | None, camera_file: Path | None, arrows: str | None,
                      base: dict[str, Any] | None = None) -> MotionSpec:  # fmt: skip
    """``base`` (a preset's motion) with the flags applied over it.

    Raises:
        InvalidRequestError: an unknown camera preset, a missing or oversized camera file, bad arrow JSON.
    """
    document: dict[str, Any] = json.loads(json.dumps(base or {}))
    camera_doc = document.setdefault("camera", {})
    if camera:
        camera_doc["presets"] = [name.strip() for name in camera.split(",") if name.strip()]
    if strength is not None:
        camera_doc["strength"] = strength
    if arrows:
        document["trajectories"] = _arrows(arrows)
    if camera_file is not None:
        if not camera_file.is_file():
            raise InvalidRequestError(f"--camera-file not found: {camera_file}")
        text = camera_file.read_text(encoding="utf-8", errors="replace")
        if len(text) > MAX_CAMERA_FILE_CHARS:
            raise InvalidRequestError(f"--camera-file is {len(text)} characters, the limit is {MAX_CAMERA_FILE_CHARS}")
        document["camera_file"] = text
    try:
        return MotionSpec.model_validate(document)
    except ValidationError as exc:
        raise InvalidRequestError(f"motion: {describe_validation_error(exc)}") from exc
