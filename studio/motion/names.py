"""The closed sets of names the motion specs accept (typing only, no numpy).

Kept apart so that :mod:`studio.motion.specs` (embedded in every job request)
imports nothing but pydantic and this module.
"""

from __future__ import annotations

from typing import Literal, get_args

Easing = Literal["linear", "ease_in", "ease_out", "ease_in_out"]
ParameterName = Literal["pan_deg", "tilt_deg", "roll_deg", "zoom", "tx", "ty", "tz", "orbit_deg", "crane_deg"]
PresetName = Literal[
    "static",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "roll_cw",
    "roll_ccw",
    "zoom_in",
    "zoom_out",
    "dolly_in",
    "dolly_out",
    "truck_left",
    "truck_right",
    "pedestal_up",
    "pedestal_down",
    "orbit_left",
    "orbit_right",
    "crane_up",
    "crane_down",
]

EASINGS: tuple[str, ...] = get_args(Easing)
PARAMETER_NAMES: tuple[str, ...] = get_args(ParameterName)
PRESET_NAMES: tuple[str, ...] = get_args(PresetName)
