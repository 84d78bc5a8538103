"""Submit-time checks of a request's step cache, LoRAs and end image (each error names the value)."""

from __future__ import annotations

from studio.config import Settings
from studio.engine.end_frame import END_IMAGE_PIPELINES, check_end_image
from studio.engine.lora_registry import LoraRegistry
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.engine.step_cache_rules import cache_threshold
from studio.errors import InvalidRequestError, LoraError
from studio.types import GenerationRequest, Mode


def lora_registry(settings: Settings) -> LoraRegistry:
    """The LoRA rules of this studio (registered LoRAs, the LoRA folder, the operator's local-path switch)."""
    return LoraRegistry(settings.loras_dir, allow_local=settings.allow_local_loras)


def check_job_options(request: GenerationRequest, spec: ModelSpec, settings: Settings, registry: ModelRegistry) -> GenerationRequest:
    """Check the options of ``request`` (already resolved to ``spec``); returns it with the end image stored.

    Raises:
        InvalidRequestError: a step cache value out of range, an end image the model cannot take
            or of another aspect ratio than the source image.
        LoraError: a LoRA that is unknown, missing, not allowed or made for other models.
    """
    cache_threshold(request.step_cache, request.step_cache_threshold)
    family = registry.family(spec)
    if request.step_cache != "off" and not family.pipelines:
        raise InvalidRequestError(f"model {spec.key!r} has no transformer to cache; use step_cache 'off'")
    if request.loras:
        if not family.pipelines:
            raise LoraError(f"model {spec.key!r} has no neural network to apply a LoRA to")
        sources = [s.source.strip() for s in request.loras]
        if len(set(sources)) != len(sources):
            raise LoraError(f"a LoRA is listed twice: {', '.join(sorted({s for s in sources if sources.count(s) > 1}))}")
        keys = tuple(k for k in (spec.key, spec.source) if k)
        rules = lora_registry(settings)
        for lora in request.loras:
            rules.resolve(lora, keys)
    if request.end_image:
        return _with_end_image(request, spec, settings, registry)
    return request


def _with_end_image(request: GenerationRequest, spec: ModelSpec, settings: Settings, registry: ModelRegistry) -> GenerationRequest:
    from studio.jobs.validation import store_source_image  # validation calls this module

    if request.mode != Mode.I2V or not request.image:
        raise InvalidRequestError("an end image needs image-to-video (mode 'i2v') with a source image")
    family = registry.family(spec)
    pipeline = registry.pipeline_class(spec, "i2v") if "i2v" in family.pipelines or spec.pipeline_class else None
    if pipeline not in END_IMAGE_PIPELINES:
        raise InvalidRequestError(
            f"model {spec.key!r} cannot use an end image; first-and-last-frame needs a pipeline taking one "
            f"({', '.join(sorted(END_IMAGE_PIPELINES))}), e.g. wan2.1-flf2v-14b-720p"
        )
    stored = store_source_image(request.end_image, settings, what="end image")
    check_end_image(request.image, stored)
    return request.model_copy(update={"end_image": stored})
