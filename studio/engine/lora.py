"""Applying a request's LoRAs to a pipeline for one job (diffusers + PEFT).

The adapters live in the pipeline's denoiser modules, so what is loaded is read
back from the pipeline itself (``get_list_adapters``), never from a side table:
each LoRA gets a stable adapter name from its weights' identity
(``LoraSource.adapter_name``). Before a job, adapters the job does not ask for
are deleted, missing ones loaded, and ``set_adapters`` sets the weights; a job
without LoRAs unloads them all, so it runs the exact base model. A LoRA that
fails to load is removed again before the error is raised, so the next job
finds the pipeline as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from studio.engine.lora_registry import LoraRecipe, LoraRegistry, LoraSource
from studio.errors import LoraError
from studio.types import GenerationRequest

logger = logging.getLogger(__name__)


def _loaded_adapters(pipe: Any) -> set[str]:
    return {name for names in pipe.get_list_adapters().values() for name in names}


class LoraApplier:
    """Brings a pipeline's adapters to what a request asks for, and applies a LoRA's sampling recipe."""

    def __init__(self, registry: LoraRegistry, *, offline: bool = False) -> None:
        self._registry = registry
        self._offline = offline

    @contextmanager
    def applied(self, pipe: Any, request: GenerationRequest, model_keys: tuple[str, ...]) -> Iterator[list[str]]:
        """Within the block ``pipe`` runs with the request's LoRAs (and a distilled LoRA's scheduler).

        Yields:
            notes for the job (recipe applied, settings that differ from a recipe).
        Raises:
            LoraError: a LoRA cannot be found, fetched or applied to this model.
        """
        sources = [self._registry.resolve(spec, model_keys) for spec in request.loras]
        if not sources:
            if hasattr(pipe, "get_list_adapters") and _loaded_adapters(pipe):
                pipe.unload_lora_weights()
            yield []
            return
        if not hasattr(pipe, "load_lora_weights"):
            raise LoraError(f"model {request.model!r} ({type(pipe).__name__}) does not take LoRAs")
        self._sync(pipe, sources, request.model)
        recipe = next((s.recipe for s in sources if s.recipe is not None), None)
        if recipe is None:
            yield []
            return
        with _recipe_scheduler(pipe, recipe):
            yield _recipe_notes(recipe, request)

    def _sync(self, pipe: Any, sources: list[LoraSource], model: str) -> None:
        wanted = {s.adapter_name: s for s in sources}
        stale = sorted(_loaded_adapters(pipe) - set(wanted))
        if stale:
            pipe.delete_adapters(stale)
        for name, source in wanted.items():
            if name not in _loaded_adapters(pipe):
                self._load(pipe, source, name, model)
        pipe.set_adapters(list(wanted), [s.weight for s in wanted.values()])

    def _load(self, pipe: Any, source: LoraSource, name: str, model: str) -> None:
        logger.info("loading LoRA %s (%s) as %s", source.label, source.location, name)
        kwargs: dict[str, Any] = {"adapter_name": name}
        if not source.local:
            kwargs.update(weight_name=source.weight_name, local_files_only=self._offline)
        try:
            pipe.load_lora_weights(source.location, **kwargs)
        except Exception as exc:  # shapes, keys, network, file format: all mean "this LoRA cannot be applied"
            self._discard(pipe, name)
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            if "size mismatch" in str(exc):
                reason = "its layer shapes do not match this model (" + reason + ")"
            raise LoraError(f"LoRA {source.label!r} could not be applied to model {model!r}: {reason}") from exc
        if name not in _loaded_adapters(pipe):
            self._discard(pipe, name)
            raise LoraError(f"LoRA {source.label!r} matches no layer of model {model!r} (made for another architecture?)")

    @staticmethod
    def _discard(pipe: Any, name: str) -> None:
        try:
            if name in _loaded_adapters(pipe):
                pipe.delete_adapters([name])
        except Exception:  # cleanup must not hide the load error
            logger.exception("could not remove the half-loaded LoRA adapter %s", name)


@contextmanager
def _recipe_scheduler(pipe: Any, recipe: LoraRecipe) -> Iterator[None]:
    """Run the job with the recipe's scheduler; the pipeline's own comes back afterwards."""
    import diffusers

    original = pipe.scheduler
    scheduler = getattr(diffusers, recipe.scheduler).from_config(original.config, **recipe.scheduler_config)
    if recipe.sigmas:
        plain = scheduler.set_timesteps

        def set_timesteps(num_inference_steps: int | None = None, device: Any = None, **kwargs: Any) -> None:
            if num_inference_steps == len(recipe.sigmas) and "sigmas" not in kwargs:
                kwargs["sigmas"] = list(recipe.sigmas)
            plain(num_inference_steps, device=device, **kwargs)

        scheduler.set_timesteps = set_timesteps
    pipe.scheduler = scheduler
    try:
        yield
    finally:
        pipe.scheduler = original


def _recipe_notes(recipe: LoraRecipe, request: GenerationRequest) -> list[str]:
    shift = ", ".join(f"{k} {v:g}" for k, v in recipe.scheduler_config.items())
    notes = [f"distilled LoRA: scheduler {recipe.scheduler} ({shift}) for this job"]
    if request.steps != recipe.steps or request.guidance_scale != recipe.guidance_scale:
        notes.append(f"the distilled LoRA is made for {recipe.steps} steps at guidance {recipe.guidance_scale:g}; "
                     f"this job runs {request.steps} steps at guidance {request.guidance_scale:g}")  # fmt: skip
    return notes
