"""Turning front-end values into a valid ``GenerationRequest``.

Three layers of rules, each error naming the value: the request's own field
constraints (pydantic), the operator's limits (``Settings``), and the model
family's shape rules (rounded with a visible note).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, describe_validation_error
from studio.jobs.addresses import check_webhook_url
from studio.jobs.gpus import check_gpus
from studio.jobs.options import check_job_options
from studio.jobs.policy_gate import enforce_texts
from studio.jobs.source_video import check_source_video
from studio.media.export import check_format
from studio.media.fitting import load_depth
from studio.media.images import load_image
from studio.media.interpolate import keyframe_count
from studio.motion.camera_io import camera_for
from studio.motion.vectors import compile_trajectories, trajectories_from_specs
from studio.types import GenerationRequest, Mode


def build_request(**values: Any) -> GenerationRequest:
    """A ``GenerationRequest`` from loose values.

    Raises:
        InvalidRequestError: one message listing every bad field and value.
    """
    try:
        return GenerationRequest.model_validate(values)
    except ValidationError as exc:
        raise InvalidRequestError(describe_validation_error(exc)) from exc


def validate_request(request: GenerationRequest, settings: Settings, registry: ModelRegistry) -> tuple[GenerationRequest, list[str]]:
    """Check ``request`` against the limits and its model family.

    Returns:
        (the request to run, notes about values that were rounded).
    Raises:
        InvalidRequestError: a limit is exceeded or a value is unusable.
        UnknownModelError: the model cannot be resolved.
        PolicyViolationError: the operator's content policy refuses the prompt or negative prompt.
    """
    prompt = request.prompt.strip()
    fixed, notes = check_shape(request.model_copy(update={"prompt": prompt}), settings, registry)
    # resolved once: a hub id resolves by fetching its model_index.json
    spec = registry.resolve(fixed.model, local_folders=settings.allow_local_models)
    check_prompts(fixed, settings, registry.family(spec).inputs)
    if request.webhook_url:
        check_webhook_url(request.webhook_url, allow_private=settings.webhook_allow_private)
    check_keyframes_and_export(fixed, registry.size_rules(spec).temporal_step)
    check_keyframe_fill(fixed, registry.steering(spec), registry)
    if request.mode == Mode.I2V:
        check_motion(fixed)
        fixed = fixed.model_copy(update={"image": store_source_image(request.image, settings)})
        if request.depth_map:
            stored = store_source_image(request.depth_map, settings, what="depth map")
            plane_depth = request.motion.camera.plane_depth if request.motion else 1.0
            load_depth(stored, fixed.width, fixed.height, plane_depth)  # a flat or broken map fails now, not in the worker
            fixed = fixed.model_copy(update={"depth_map": stored})
    elif request.mode == Mode.V2V:
        fixed = fixed.model_copy(update={"video": check_source_video(fixed, settings)})
    elif request.image or request.motion or request.depth_map:
        raise InvalidRequestError("image, motion and depth map are used by image-to-video only (mode 'i2v')")
    if request.video and request.mode != Mode.V2V:
        raise InvalidRequestError(f"a source video is used by video to video only (mode 'v2v'), not by "
                                  f"mode {request.mode.value!r}; set mode 'v2v' or leave the video out")  # fmt: skip
    fixed = check_job_options(fixed, spec, settings, registry)
    check_gpus(fixed, settings)
    return fixed, notes


def check_prompts(request: GenerationRequest, settings: Settings, inputs: frozenset[str]) -> None:
    """A prompt for a model that reads one (within the limits and the content policy); none for one that does not.

    Raises:
        InvalidRequestError: an empty or too long prompt, or a prompt / negative prompt for a model that takes none.
        PolicyViolationError: the operator's content policy refuses the prompt or negative prompt.
    """
    prompt = request.prompt
    if "prompt" not in inputs:
        if prompt or request.negative_prompt.strip():
            raise InvalidRequestError(f"model {request.model!r} takes no prompt (it animates the image alone); "
                                      f"leave the prompt and negative prompt empty")  # fmt: skip
        return
    if not prompt:
        raise InvalidRequestError("prompt is empty: describe the video to generate")
    if len(prompt) > settings.max_prompt_chars:
        raise InvalidRequestError(f"prompt is {len(prompt)} characters, the limit is {settings.max_prompt_chars}")
    if len(request.negative_prompt) > settings.max_prompt_chars:
        raise InvalidRequestError(
            f"negative prompt is {len(request.negative_prompt)} characters, the limit is {settings.max_prompt_chars}"
        )
    enforce_texts(settings, {"prompt": prompt, "negative prompt": request.negative_prompt})


def check_keyframes_and_export(request: GenerationRequest, temporal_step: int) -> None:
    """Keyframe mode must fit the frame count and the family's frame rule; the export format must be writable.

    Raises:
        InvalidRequestError: a factor that does not fit, or review without keyframe mode.
        ExportFormatError: this build cannot write the requested format.
    """
    check_format(request.export.format)
    factor = request.keyframe_factor
    if factor == 1:
        if request.review_keyframes:
            raise InvalidRequestError("review_keyframes needs keyframe mode (keyframe_factor 2 or more)")
        return
    keyframes = keyframe_count(request.num_frames, factor)
    if (keyframes - 1) % temporal_step:
        unit = temporal_step * factor
        fits = sorted({max(1, round((request.num_frames - 1) / unit)) * unit + 1, (request.num_frames - 1) // unit * unit + 1} - {1})
        raise InvalidRequestError(
            f"keyframe factor {factor} with {request.num_frames} frames gives {keyframes} keyframes, but this model makes "
            f"{temporal_step}k+1 frames; use {' or '.join(map(str, fits))} frames"
        )
def check_keyframe_fill(request: GenerationRequest, steering: frozenset[str], registry: ModelRegistry) -> None:
    """A model-made fill-in needs keyframe mode and a model that conditions on frames at chosen indices.

    Raises:
        InvalidRequestError: ``keyframe_fill`` "model" without keyframe mode, or for a model that does not
            declare "keyframes" (the message names the registered models that do).
    """
    if request.keyframe_fill != "model":
        return
    if request.keyframe_factor == 1:
        raise InvalidRequestError("keyframe_fill 'model' needs keyframe mode (keyframe_factor 2 or more)")
    if "keyframes" not in steering:
        able = sorted(s.key for s in registry.specs() if "keyframes" in registry.steering(s))
        raise InvalidRequestError(
            f"keyframe_fill 'model' needs a model that conditions on frames at chosen indices, and {request.model!r} "
            f"does not; models that can: {', '.join(able) or 'none registered'} (or use keyframe_fill 'flow')"
        )


def check_shape(request: GenerationRequest, settings: Settings, registry: ModelRegistry) -> tuple[GenerationRequest, list[str]]:
    """The operator's limits, the model and its family's size rules: all an estimate needs.

    Returns:
        (the request with sizes rounded and the model's key, notes about rounding).
    Raises:
        InvalidRequestError: a limit is exceeded or a value is unusable.
        UnknownModelError: the model cannot be resolved.
    """
    if request.steps > settings.max_steps:
        raise InvalidRequestError(f"steps must be at most {settings.max_steps}, got {request.steps}")
    for name, value in (("width", request.width), ("height", request.height)):
        if value > settings.max_side_px:
            raise InvalidRequestError(f"{name} must be at most {settings.max_side_px} px, got {value}")
    if request.num_frames > settings.max_frames:
        raise InvalidRequestError(f"frames must be at most {settings.max_frames}, got {request.num_frames}")
    spec = registry.resolve(request.model, local_folders=settings.allow_local_models)
    if request.mode == Mode.V2V:
        registry.pipeline_mode(spec, request.mode.value)  # refuses a model without video-to-video steering
    elif request.mode.value not in spec.modes:
        raise InvalidRequestError(f"model {spec.key!r} cannot do {request.mode.value}; it supports {', '.join(spec.modes)}")
    rules = registry.size_rules(spec)
    width, height, frames, notes = rules.check(request.width, request.height, request.num_frames, round_values=True)
    if frames > settings.max_frames:
        frames -= rules.temporal_step
        notes.append(f"frames lowered to {frames} to stay within the limit of {settings.max_frames}")
    fixed = request.model_copy(update={"width": width, "height": height, "num_frames": frames, "model": spec.key})
    return fixed, notes


def check_motion(request: GenerationRequest) -> None:
    """Compile the camera and arrows for the clip now, so a bad schedule or arrow fails at submit, not in the worker.

    Raises:
        InvalidRequestError: naming the schedule position or the arrow and value.
    """
    if request.motion is None:
        return
    camera_for(request.motion, request.num_frames, request.width, request.height)
    trajectories = trajectories_from_specs(request.motion.trajectories)
    compile_trajectories(trajectories, request.num_frames, request.width, request.height)


def store_source_image(image: str | None, settings: Settings, what: str = "source image") -> str:
    """Check the source image decodes and keep a copy under ``<data_dir>/uploads`` (uploads are temporary).

    Returns:
        the stored copy's path (named by content hash, so re-runs share it).
    Raises:
        InvalidRequestError: no image given, or no such file.
        InvalidMediaError: the file is not a usable image.
    """
    if not image:
        raise InvalidRequestError(f"image-to-video needs a {what}")
    source = Path(image)
    if not source.is_file():
        raise InvalidRequestError(f"{what} file not found: {image}")
    uploads = settings.data_dir / "uploads"
    if source.parent.resolve() == uploads.resolve():
        return str(source)
    load_image(source, max_side_px=None)  # refuses bombs, non-images; the worker re-reads it
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:20]
    uploads.mkdir(parents=True, exist_ok=True)
    stored = uploads / f"{digest}{source.suffix.lower() or '.img'}"
    if not stored.exists():
        tmp = stored.with_suffix(".partial")
        shutil.copyfile(source, tmp)
        tmp.replace(stored)
    return str(stored)
