"""Camera parameters and the named presets built from them.

A camera move is a set of per-frame *parameters* (see :data:`PARAMETERS`); a
preset is one parameter moved by a fixed amount over the whole clip. Presets
combine by adding their parameters (``zoom`` multiplies instead), so
``pan_left + zoom_in`` pans and zooms at once.

Sign conventions (camera-centric, OpenCV axes: x right, y down, camera looks
along +z; ``tx, ty, tz`` are the camera position in the first frame's axes):

- ``pan_deg`` > 0 turns the camera right, so scene content moves *left*.
- ``tilt_deg`` > 0 turns the camera up, so content moves *down*.
- ``roll_deg`` > 0 rolls the camera clockwise (as seen looking through it), so
  content turns counter-clockwise on screen.
- ``zoom`` multiplies the focal length (2.0 = twice as close-up).
- ``tx`` > 0 moves the camera right, ``ty`` > 0 down, ``tz`` > 0 forward.
- ``orbit_deg`` > 0 circles the camera to the right around the pivot (the point
  straight ahead at the plane depth), turning to keep it centred.
- ``crane_deg`` > 0 swings the camera up around the pivot, tilting down to keep
  it centred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.motion.easing import clip_progress


@dataclass(frozen=True)
class ParameterInfo:
    """Neutral value (no motion) and the allowed range of one camera parameter."""

    neutral: float
    minimum: float
    maximum: float
    unit: str


#: Ranges keep every camera looking at the scene: beyond ~85 degrees the
#: reference plane would be seen edge-on and warps degenerate.
PARAMETERS: dict[str, ParameterInfo] = {
    "pan_deg": ParameterInfo(0.0, -85.0, 85.0, "degrees"),
    "tilt_deg": ParameterInfo(0.0, -85.0, 85.0, "degrees"),
    "roll_deg": ParameterInfo(0.0, -360.0, 360.0, "degrees"),
    "zoom": ParameterInfo(1.0, 0.1, 10.0, "focal length factor"),
    "tx": ParameterInfo(0.0, -10.0, 10.0, "scene-depth units"),
    "ty": ParameterInfo(0.0, -10.0, 10.0, "scene-depth units"),
    "tz": ParameterInfo(0.0, -10.0, 10.0, "scene-depth units"),
    "orbit_deg": ParameterInfo(0.0, -85.0, 85.0, "degrees"),
    "crane_deg": ParameterInfo(0.0, -85.0, 85.0, "degrees"),
}


@dataclass(frozen=True)
class Preset:
    """One parameter moved from neutral to ``amount`` over the clip at strength 1.0.

    For ``zoom`` the amount is a factor and strength is an exponent
    (``zoom_in`` at strength 2 ends at 1.5**2 = 2.25x); for every other
    parameter strength multiplies the amount.
    """

    parameter: str
    amount: float
    description: str


PRESETS: dict[str, Preset] = {
    "static": Preset("pan_deg", 0.0, "no motion"),
    "pan_left": Preset("pan_deg", -15.0, "camera turns 15 degrees left"),
    "pan_right": Preset("pan_deg", 15.0, "camera turns 15 degrees right"),
    "tilt_up": Preset("tilt_deg", 10.0, "camera tilts 10 degrees up"),
    "tilt_down": Preset("tilt_deg", -10.0, "camera tilts 10 degrees down"),
    "roll_cw": Preset("roll_deg", 15.0, "camera rolls 15 degrees clockwise"),
    "roll_ccw": Preset("roll_deg", -15.0, "camera rolls 15 degrees counter-clockwise"),
    "zoom_in": Preset("zoom", 1.5, "focal length grows to 1.5x"),
    "zoom_out": Preset("zoom", 1.0 / 1.5, "focal length shrinks to 1/1.5x"),
    "dolly_in": Preset("tz", 0.3, "camera moves 0.3 scene-depth units forward"),
    "dolly_out": Preset("tz", -0.3, "camera moves 0.3 scene-depth units back"),
    "truck_left": Preset("tx", -0.2, "camera moves 0.2 scene-depth units left"),
    "truck_right": Preset("tx", 0.2, "camera moves 0.2 scene-depth units right"),
    "pedestal_up": Preset("ty", -0.2, "camera moves 0.2 scene-depth units up"),
    "pedestal_down": Preset("ty", 0.2, "camera moves 0.2 scene-depth units down"),
    "orbit_left": Preset("orbit_deg", -20.0, "camera circles 20 degrees left around the pivot"),
    "orbit_right": Preset("orbit_deg", 20.0, "camera circles 20 degrees right around the pivot"),
    "crane_up": Preset("crane_deg", 15.0, "camera swings 15 degrees up around the pivot"),
    "crane_down": Preset("crane_deg", -15.0, "camera swings 15 degrees down around the pivot"),
}


def neutral_channels(num_frames: int) -> dict[str, np.ndarray]:
    """Every parameter at its neutral value for ``num_frames`` frames (float64 arrays)."""
    return {name: np.full(num_frames, info.neutral) for name, info in PARAMETERS.items()}


def preset_channels(presets: list[str], strength: float, easing: str, num_frames: int) -> dict[str, np.ndarray]:
    """Per-frame parameters of the combined ``presets`` (all parameters, neutral where unused).

    Each preset moves from neutral at frame 0 to its amount (scaled by
    ``strength``) at the last frame, along the ``easing`` curve. Repeating a
    preset adds it twice.

    Raises:
        KeyError: an unknown preset name (specs validate names before this).
    """
    channels = neutral_channels(num_frames)
    progress = clip_progress(num_frames, easing)
    for name in presets:
        preset = PRESETS[name]
        if preset.parameter == "zoom":
            channels["zoom"] = channels["zoom"] * preset.amount ** (strength * progress)
        else:
            channels[preset.parameter] = channels[preset.parameter] + preset.amount * strength * progress
    return channels
