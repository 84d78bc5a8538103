"""Request-side motion specs: what a job request embeds (JSON, ``extra="forbid"``).

Specs hold user intent in resolution-free units (normalised image coordinates,
degrees, scene-depth units). :func:`studio.motion.camera.compile_camera` and
:func:`studio.motion.vectors.trajectories_from_specs` turn them into arrays for
a given clip length and frame size; those compilers raise
:class:`~studio.errors.InvalidRequestError` for values that only make sense to
check then (key frames past the clip, arrows outside the image, ...).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from studio.motion.names import Easing, ParameterName, PresetName

MAX_PRESETS = 8
MAX_TRAJECTORIES = 16
MAX_TRAJECTORY_POINTS = 256
MAX_CAMERA_FILE_CHARS = 2_000_000


class CameraSpec(BaseModel):
    """A camera move: presets scaled by ``strength`` plus keyframed ``schedules``.

    Presets move from rest at the first frame to their full amount at the last
    frame along ``easing``. Each schedule (``{"pan_deg": "0:(0), 24:(15)"}``) is
    added to the presets' value of its parameter (``zoom`` multiplies), and is
    interpolated between keys along ``schedule_easing``.
    """

    model_config = ConfigDict(extra="forbid")

    presets: list[PresetName] = Field(default_factory=list, max_length=MAX_PRESETS)
    strength: float = Field(1.0, ge=0.0, le=5.0, description="scales every preset's amount (zoom: exponent)")
    easing: Easing = "linear"
    schedules: dict[ParameterName, str] = Field(default_factory=dict)
    schedule_easing: Easing = "linear"
    fov_deg: float = Field(60.0, gt=5.0, lt=170.0, description="horizontal field of view at zoom 1")
    plane_depth: float = Field(
        1.0, gt=0.0, le=1000.0, description="depth of the reference plane and orbit pivot, scene-depth units"
    )


class TrajectorySpec(BaseModel):
    """One motion arrow: content near ``points[0]`` travels along the polyline.

    Coordinates are normalised: (0, 0) is the top-left corner of the image,
    (1, 1) the bottom-right. ``radius`` is a fraction of the image's shorter
    side. ``end_frame`` None means the last frame. ``region``, when given, is a
    polygon (normalised coordinates) limiting which content moves.
    """

    model_config = ConfigDict(extra="forbid")

    points: list[tuple[float, float]] = Field(min_length=2, max_length=MAX_TRAJECTORY_POINTS)
    start_frame: int = Field(0, ge=0)
    end_frame: int | None = Field(None, ge=0)
    radius: float = Field(0.15, gt=0.0, le=2.0)
    easing: Easing = "linear"
    region: list[tuple[float, float]] | None = Field(None, min_length=3, max_length=MAX_TRAJECTORY_POINTS)


class MotionSpec(BaseModel):
    """Camera plus motion arrows: everything the motion engine needs besides the image."""

    model_config = ConfigDict(extra="forbid")

    camera: CameraSpec = Field(default_factory=lambda: CameraSpec())
    trajectories: list[TrajectorySpec] = Field(default_factory=list, max_length=MAX_TRAJECTORIES)
    #: an imported camera file's text (studio JSON or RealEstate10K/CameraCtrl lines); replaces ``camera``'s
    #: presets and schedules, resampled to the clip's frame count (``camera.plane_depth`` still applies).
    camera_file: str | None = Field(None, max_length=MAX_CAMERA_FILE_CHARS)
