"""A generation tab's widget values <-> request values (what presets, links and videos carry). No gradio here.

Each tab has an ordered set of setting widgets (``TAB_KEYS``), named like the
tab's widget dataclass fields. Most set the request field of the same name;
a few build one field together (``FIELD_OF``: the camera and arrows make
``motion``, the format makes ``export``, the LoRA picker and weight make
``loras``). ``to_values`` turns widget values into partial request values;
``to_widgets`` does the reverse for the keys some values set, so applying a
preset touches only what the preset names.

Every request field is either set by a widget of each tab it applies to or
listed in ``NOT_SHARED`` with the reason (a test checks this, so a new request
option cannot be forgotten here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from studio.errors import InvalidRequestError
from studio.presets.schema import Tab, shareable_fields, validate_values
from studio.ui.motion_controls import DEFAULT_RADIUS, motion_from_widgets

_PROMPTS = ("prompt", "negative_prompt")
_COMMON = ("model", "width", "height", "num_frames", "fps", "steps", "guidance_scale", "seed")
_GUIDE = ("guide_strength", "warped_noise", "control_scale", "depth_is_distance", "arrow_steering", "arrow_strength")
_MOTION_KEYS = ("presets", "strength", "easing", "schedules", "arrows")
#: image conditioning of families that list it in ``inputs`` (Stable Video Diffusion).
_IMAGE_CONDITIONING = ("motion_bucket_id", "noise_aug_strength")
_OPTIONS = ("keyframe_factor", "review_keyframes", "export_format", "step_cache", "step_cache_threshold", "flow_shift",
            "loras", "lora_weight", "keyframe_fill")  # fmt: skip
#: the text tab's video to video: the clip's strength (the clip itself is a file, not shared).
_SOURCE_VIDEO = ("guide_strength",)
TAB_KEYS: dict[Tab, tuple[str, ...]] = {
    "t2v": (*_PROMPTS, *_COMMON, *_OPTIONS, *_SOURCE_VIDEO),
    "i2v": (*_PROMPTS, *_COMMON, *_GUIDE, *_MOTION_KEYS, *_OPTIONS, *_IMAGE_CONDITIONING),
}
#: the request field a widget sets, where it is not the widget's own name.
FIELD_OF: dict[str, str] = {**dict.fromkeys(_MOTION_KEYS, "motion"), "export_format": "export", "lora_weight": "loras"}
#: request fields no share link, preset or video restores, and why (every other field has a widget in its tabs).
#: Parts of fields without a widget: ``export.crf`` and ``export.preset`` (a tab sets the format only; REST and
#: the CLI set them), ``motion.camera_file`` (a file), a LoRA's ``weight_name`` (a tab picks whole LoRAs).
NOT_SHARED: dict[str, str] = {
    "mode": "the tab it opens in",
    "image": "a file: uploaded again",
    "depth_map": "a file: uploaded again",
    "end_image": "a file: uploaded again",
    "video": "a file (the source clip of video to video): uploaded again",
    "webhook_url": "no widget (REST and CLI only), and a link must not send someone's jobs to a URL",
    "gpus": "depends on the cluster: a link opened on another studio must not ask for GPUs it does not have",
}
#: request fields that only the image-to-video tab has widgets for.
I2V_ONLY = frozenset({"motion", *_GUIDE, "image", "depth_map", "end_image", *_IMAGE_CONDITIONING})

_INTEGERS = {"width", "height", "num_frames", "fps", "steps", "seed", "keyframe_factor", "motion_bucket_id"}
#: an emptied box is a value here (no negative prompt), not "unset" (the model card's default).
_EMPTY_IS_A_VALUE = {"negative_prompt"}
#: number boxes where empty means "the default" (None in a request); browsers send 0 for an empty number box,
#: and 0 is never a valid value of these, so 0 means the default too. They always travel: None is a setting.
_ZERO_IS_DEFAULT = {"step_cache_threshold", "flow_shift"}
_LABELS = {"num_frames": "frames", "guidance_scale": "guidance", "presets": "camera presets", "strength": "camera strength",
           "keyframe_factor": "keyframe mode", "loras": "LoRAs", "lora_weight": "LoRA weight",
           "keyframe_fill": "keyframe fill-in"}  # fmt: skip


def label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " "))


def fields_of(tab: Tab) -> frozenset[str]:
    """The request fields the tab's setting widgets set."""
    return frozenset(FIELD_OF.get(key, key) for key in TAB_KEYS[tab])


def number_or_default(value: float | str | None) -> float | None:
    """A "default when empty" number box's request value: None for empty (None, "", 0), else the number."""
    return None if value in (None, "") or float(value) == 0 else float(value)  # type: ignore[arg-type]


def lora_values(names: Sequence[str] | str | None, weight: float | None) -> list[dict[str, Any]]:
    """``loras`` request values from the picker (names) and the one weight the tab applies to all of them."""
    names = [names] if isinstance(names, str) else list(names or [])
    weight = 1.0 if weight is None else float(weight)
    return [{"source": name.strip(), "weight": weight} for name in names if name and name.strip()]


def to_values(tab: Tab, widgets: Mapping[str, Any]) -> dict[str, Any]:
    """Partial request values from the tab's widget values (``seed`` -1 = random and empty boxes are left out).

    Raises:
        InvalidRequestError: a widget holds a value a request refuses (named).
    """
    values: dict[str, Any] = {}
    for key in TAB_KEYS[tab]:
        value = widgets.get(key)
        if key in _ZERO_IS_DEFAULT and key in widgets:
            values[key] = number_or_default(value)
            continue
        if key in FIELD_OF or value is None or (value == "" and key not in _EMPTY_IS_A_VALUE):
            continue
        values[key] = int(value) if key in _INTEGERS else value
    if values.get("seed", 0) < 0:
        values.pop("seed")
    if widgets.get("export_format"):
        values["export"] = {"format": widgets["export_format"]}
    if widgets.get("loras") is not None:
        values["loras"] = lora_values(widgets["loras"], widgets.get("lora_weight"))
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


def _lora_widgets(loras: list[dict[str, Any]]) -> dict[str, Any]:
    """The picker and weight for ``loras``; refuses what a tab cannot show rather than showing something else."""
    if not loras:
        return {"loras": []}
    if any(lora.get("weight_name") for lora in loras):
        named = ", ".join(f"{lora['source']} ({lora['weight_name']})" for lora in loras if lora.get("weight_name"))
        raise InvalidRequestError(f"LoRAs picked by file inside a repository ({named}) can only be set through the API")
    weights = sorted({float(lora["weight"]) for lora in loras})
    if len(weights) > 1:
        raise InvalidRequestError(f"the tab applies one weight to every LoRA; these LoRAs have several ({', '.join(map(str, weights))})")
    return {"loras": [lora["source"] for lora in loras], "lora_weight": weights[0]}


def to_widgets(tab: Tab, values: Mapping[str, Any]) -> dict[str, Any]:
    """Widget values for the keys ``values`` set (validated first); keys of the other tab are ignored.

    Raises:
        InvalidRequestError: a value a request refuses, or LoRAs the tab cannot show (named).
    """
    values = validate_values(dict(values))
    widgets: dict[str, Any] = {k: v for k, v in values.items() if k in TAB_KEYS[tab] and k not in FIELD_OF}
    if "seed" in widgets and widgets["seed"] is None:
        widgets["seed"] = -1  # the seed box's "random"
    if values.get("export"):
        widgets["export_format"] = values["export"]["format"]
    if "loras" in values:
        widgets.update(_lora_widgets(values["loras"]))
    motion = values.get("motion")
    if tab == "i2v" and motion:
        camera = motion.get("camera", {})
        widgets.update(presets=camera.get("presets", []), strength=camera.get("strength", 1.0),
                       easing=camera.get("easing", "linear"), schedules=schedules_text(camera.get("schedules", {})),
                       arrows=arrow_rows(motion.get("trajectories", [])))  # fmt: skip
    return widgets


def request_values(request: Mapping[str, Any]) -> tuple[Tab, dict[str, Any]]:
    """The tab and shareable values of a full request (e.g. read from a video the studio made).

    None values stay: a video made with the cache's default threshold or the model's flow shift restores
    that (an empty box), not whatever the tab holds.
    """
    tab: Tab = "i2v" if request.get("mode") == "i2v" else "t2v"
    shareable = {k: v for k, v in request.items() if k in shareable_fields()}
    if request.get("mode", "t2v") == "t2v":  # the text tab's strength is its source video's: none was used
        shareable.pop("guide_strength", None)
    shareable.pop("mode", None)
    return tab, validate_values(shareable)
