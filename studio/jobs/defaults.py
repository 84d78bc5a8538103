"""The one place a request's missing values are filled, for every front end (UI, CLI, REST).

A missing model is the settings' default (``STUDIO_DEFAULT_MODEL``, or
``STUDIO_DEFAULT_I2V_MODEL`` for image to video); missing sizes, frames, fps,
steps and guidance are that model's defaults. A model whose family reads no
prompt gets an empty one; image to video without a prompt gets ``I2V_PROMPT``;
video to video without a strength gets ``V2V_STRENGTH``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.config import Settings
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.jobs.validation import build_request
from studio.types import GenerationRequest, Mode

#: request fields whose default comes from the model's spec.
MODEL_DEFAULT_FIELDS = ("width", "height", "num_frames", "fps", "steps", "guidance_scale", "negative_prompt")
#: the prompt of an image-to-video request that gives none, for models that read one.
I2V_PROMPT = "animate the image"
#: video to video: how much of the denoising the source clip replaces when a request does not say.
V2V_STRENGTH = 0.6


def resolve_model(name: str | None, mode: Mode | str, settings: Settings, registry: ModelRegistry) -> ModelSpec:
    """The spec for ``name`` (the settings' default when empty); local folders only if the operator allows them.

    Raises:
        UnknownModelError: the same message whether or not a folder of that name exists.
    """
    if not name or not str(name).strip():
        name = settings.default_i2v_model if str(getattr(mode, "value", mode)) == Mode.I2V.value else settings.default_model
    return registry.resolve(str(name), local_folders=settings.allow_local_models)


def request_with_defaults(values: Mapping[str, Any], settings: Settings, registry: ModelRegistry) -> GenerationRequest:
    """A valid ``GenerationRequest`` from ``values``; None or absent values take the defaults.

    Raises:
        InvalidRequestError: a value breaks a field rule (every bad field named).
        UnknownModelError: the model does not resolve.
    """
    given = {key: value for key, value in values.items() if value is not None}
    spec = resolve_model(given.get("model"), given.get("mode", Mode.T2V), settings, registry)
    for name in MODEL_DEFAULT_FIELDS:
        given.setdefault(name, getattr(spec.defaults, name))
    if "prompt" not in registry.family(spec).inputs:  # e.g. Stable Video Diffusion: the image alone
        given.setdefault("prompt", "")
    elif not given.get("prompt") and str(getattr(given.get("mode"), "value", given.get("mode"))) == Mode.I2V.value:
        given["prompt"] = I2V_PROMPT
    if str(getattr(given.get("mode"), "value", given.get("mode"))) == Mode.V2V.value:
        given.setdefault("guide_strength", V2V_STRENGTH)
    given["model"] = spec.key
    return build_request(**given)
