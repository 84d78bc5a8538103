"""Which controls do something for a model: the one place the tabs ask (no gradio here).

A tab shows a control only when the selected model uses it; everything here is
read from what the model and its family declare (pipelines, steering routes,
pipeline class, shape rules), never from a model's name. A family that takes
no prompt, say, is one more rule here, and every tab follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.engine.end_frame import END_IMAGE_PIPELINES
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.errors import StudioError

#: controls that do nothing without a neural network (``motion-warp`` has none).
NEURAL_CONTROLS = frozenset({"negative_prompt", "steps", "guidance_scale", "step_cache", "step_cache_threshold",
                             "flow_shift", "loras", "lora_weight"})  # fmt: skip
#: the guide controls and the steering routes each one feeds (``ModelRegistry.steering``); the guide strength
#: is also a frame condition's strength ("frames", LTX-2).
GUIDE_ROUTES = {"guide_strength": ("v2v", "frames"), "warped_noise": ("warped_noise",), "control_scale": ("control",),
                "arrow_steering": ("v2v",), "arrow_strength": ("v2v",)}  # the dual clock works through v2v
#: controls of what a model can do beyond a guide, and the steering it must declare for each: the model-made
#: fill-in of keyframe mode conditions on frames at chosen indices ("keyframes").
STEERING_CONTROLS = {"keyframe_fill": ("keyframes",)}
#: the "Advanced" accordion holds only neural controls: shown when any of them applies.
ADVANCED_CONTROLS = frozenset({"step_cache", "step_cache_threshold", "flow_shift", "loras", "lora_weight"})
#: controls of request inputs a family may or may not read (``Family.inputs``): Stable Video Diffusion takes no
#: prompt and no guidance scale but its own conditioning.
FAMILY_INPUTS = frozenset({"prompt", "negative_prompt", "steps", "guidance_scale", "motion_bucket_id",
                           "noise_aug_strength"})  # fmt: skip
#: every control whose visibility follows the model (panels included); the others always apply.
MODEL_DEPENDENT = NEURAL_CONTROLS | FAMILY_INPUTS | frozenset(GUIDE_ROUTES) | frozenset(STEERING_CONTROLS) | {
    "end_image", "advanced", "source_video"}


@dataclass(frozen=True)
class ModelRules:
    """What the sliders and the controls of a tab follow for one model."""

    side_multiple: int
    min_side_px: int
    temporal_step: int
    #: the model-dependent controls (``MODEL_DEPENDENT``) that do something for this model.
    controls: frozenset[str]


def applicable_controls(registry: ModelRegistry, spec: ModelSpec) -> frozenset[str]:
    """The controls of ``MODEL_DEPENDENT`` that ``spec`` uses."""
    family = registry.family(spec)
    inputs = FAMILY_INPUTS & family.inputs
    if not family.pipelines:
        return inputs  # motion-warp: its prompt box (kept for a neural model), nothing neural
    controls = set(NEURAL_CONTROLS - FAMILY_INPUTS) | inputs
    steering = registry.steering(spec)
    controls |= {control for control, routes in (*GUIDE_ROUTES.items(), *STEERING_CONTROLS.items())
                 if steering.intersection(routes)}
    if "i2v" in spec.modes and registry.pipeline_class(spec, "i2v") in END_IMAGE_PIPELINES:
        controls.add("end_image")
    if controls & ADVANCED_CONTROLS:
        controls.add("advanced")
    if registry.can_v2v(spec):  # the clip panel of video to video
        controls.add("source_video")
    return frozenset(controls)


def model_rules(registry: ModelRegistry, model: str) -> ModelRules:
    """Slider rules and applicable controls of ``model`` (a key, folder or hub id).

    Raises:
        UnknownModelError: ``model`` does not resolve.
    """
    spec = registry.resolve(model)
    rules = registry.size_rules(spec)
    return ModelRules(side_multiple=rules.side_multiple, min_side_px=max(rules.side_multiple, rules.min_side_px),
                      temporal_step=rules.temporal_step, controls=applicable_controls(registry, spec))  # fmt: skip


#: the request's default for an option a model refuses; its control is hidden for such a model.
_UNUSED_DEFAULTS: dict[str, Any] = {"step_cache": "off", "step_cache_threshold": None, "loras": [], "flow_shift": None,
                                    "prompt": "", "keyframe_fill": "flow"}  # fmt: skip


def without_hidden_options(registry: ModelRegistry, values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with the options the model does not use put back to their defaults, and the names of those changed.

    Their controls are hidden for that model, so what they hold is left over from another model, not chosen:
    sending it would have the job refused over a control the user cannot see. A model that does not resolve
    keeps everything (submit names the model).
    """
    try:
        controls = applicable_controls(registry, registry.resolve(str(values.get("model") or "")))
    except StudioError:
        return dict(values), []
    reset = {key: default for key, default in _UNUSED_DEFAULTS.items()
             if key not in controls and values.get(key, default) not in (default, None)}  # fmt: skip
    return {**values, **reset}, sorted(reset)
