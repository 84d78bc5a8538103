"""Camera paths and motion arrows, and the engine that warps an image along them.

Pure numpy / OpenCV / PIL / pydantic (no torch). Names are loaded lazily so
that importing :mod:`studio.motion.specs` (embedded in job requests) stays
light; ``from studio.motion import render_guide`` works as usual.

Modules: ``specs`` (request-side pydantic specs), ``presets`` and ``schedule``
(what a camera move is made of), ``camera`` (:class:`CameraPath`,
:func:`compile_camera`), ``camera_io`` (JSON and RealEstate10K files),
``resample`` (camera files stretched to a clip by time: slerp, linear centres and intrinsics),
``geometry`` (homographies, reprojection), ``vectors`` (arrows) and ``field``
(their integrated dense motion), ``engine`` (rendering, sampling maps, flows)
and ``preview`` (small animated previews); ``names`` and ``easing`` hold the
closed name sets and easing curves.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CameraSpec": "specs",
    "TrajectorySpec": "specs",
    "MotionSpec": "specs",
    "PRESETS": "presets",
    "PARAMETERS": "presets",
    "Schedule": "schedule",
    "parse_schedule": "schedule",
    "ease": "easing",
    "CameraPath": "camera",
    "compile_camera": "camera",
    "camera_to_json": "camera_io",
    "camera_from_json": "camera_io",
    "camera_to_re10k": "camera_io",
    "camera_from_re10k": "camera_io",
    "resample_path": "resample",
    "Trajectory": "vectors",
    "trajectories_from_specs": "vectors",
    "MotionPlan": "engine",
    "render_guide": "engine",
    "render_spec": "engine",
    "sampling_maps": "engine",
    "forward_flows": "engine",
    "preview_camera_path": "preview",
    "frames_to_gif_bytes": "preview",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'studio.motion' has no attribute {name!r}")
    return getattr(importlib.import_module(f"studio.motion.{_EXPORTS[name]}"), name)
