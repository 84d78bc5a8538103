"""A generation tab's widget values <-> request values (what presets, links and videos carry). No gradio here.

Each tab has an ordered set of setting widgets (``TAB_KEYS``). ``to_values``
turns their values into partial request values (the camera and arrows into a
``motion`` spec); ``to_widgets`` does the reverse for the keys some values set,
so applying a preset touches only what the preset names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.presets.schema import Tab, shareable_fields, validate_values
from studio.ui.motion_controls import DEFAULT_RADIUS, motion_from_widgets

_COMMON = ("model", "width", "height", "num_frames", "fps", "steps", "guidance_scale", "seed")
_MOTION_KEYS = ("presets", "strength", "easing", "schedules", "arrows")
TAB_KEYS: dict[Tab, tuple[str, ...]] = {
    "t2v": ("prompt", "negative_prompt", *_COMMON),
    "i2v": ("prompt", *_COMMON, "guide_strength", "warped_noise", "control_scale", "depth_is_distance", *_MOTION_KEYS,
            "motion_bucket_id", "noise_aug_strength"),
}
_INTEGERS = {"width", "height", "num_frames", "fps", "steps", "motion_bucket_id"}
_LABELS = {"num_frames": "frames", "guidance_scale": "guidance", "presets": "camera presets", "strength": "camera strength"}


def label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " "))


def to_values(tab: Tab, widgets: Mapping[str, Any]) -> dict[str, Any]:
    """Partial request values from the tab's widget values (``seed`` -1 = random is left out).

    Raises:
        InvalidRequestError: a widget holds a value a request refuses (named).
    """
    values: dict[str, Any] = {}
    for key in TAB_KEYS[tab]:
        if key in _MOTION_KEYS or key not in widgets or widgets[key] is None or widgets[key] == "":
            continue
        value = widgets[key]
        values[key] = int(value) if key in _INTEGERS or key == "seed" else value
    if values.get("seed", 0) < 0:
        values.pop("seed")
    if tab == "i2v":
        motion = motion_from_widgets(widgets.get("presets"), widgets.get("strength"), widgets.get("easing"),
                                     widgets.get("schedules"), widgets.get("arrows"))  # fmt: skip
        values.update(mode="i2v", motion=motion.model_dump(mode="json"))
    return validate_values(values)


def schedules_text(schedules: Mapping[str, str]) -> str:
    return "\n".join(f"{name}: {schedule}" for name, schedule in schedules.items())


def arrow_rows(trajectories: list[dict[str, Any]]) -> list[list[Any]]:
    """Table rows (x0, y0, x1, y1, radius, start, end) for trajectories: first and last point of each."""
    rows = []
    for arrow in trajectories:
        (x0, y0), (x1, y1) = arrow["points"][0], arrow["points"][-1]
        rows.append([x0, y0, x1, y1, arrow.get("radius", DEFAULT_RADIUS), arrow.get("start_frame", 0), arrow.get("end_frame")])
    return rows


def to_widgets(tab: Tab, values: Mapping[str, Any]) -> dict[str, Any]:
    """Widget values for the keys ``values`` set (validated first); keys of the other tab are ignored.

    Raises:
        InvalidRequestError: a value a request refuses (named).
    """
    values = validate_values(dict(values))
    widgets: dict[str, Any] = {k: v for k, v in values.items() if k in TAB_KEYS[tab] and k not in _MOTION_KEYS}
    motion = values.get("motion")
    if tab == "i2v" and motion:
        camera = motion.get("camera", {})
        widgets.update(presets=camera.get("presets", []), strength=camera.get("strength", 1.0),
                       easing=camera.get("easing", "linear"), schedules=schedules_text(camera.get("schedules", {})),
                       arrows=arrow_rows(motion.get("trajectories", [])))  # fmt: skip
    return widgets


def request_values(request: Mapping[str, Any]) -> tuple[Tab, dict[str, Any]]:
    """The tab and shareable values of a full request (e.g. read from a video the studio made)."""
    tab: Tab = "i2v" if request.get("mode") == "i2v" else "t2v"
    shareable = {k: v for k, v in request.items() if k in shareable_fields() and v is not None}
    shareable.pop("mode", None)
    return tab, validate_values(shareable)
