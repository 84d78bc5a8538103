"""Camera presets to a family's native camera-motion LoRAs (AnimateDiff: guoyww's motion LoRAs). No torch.

A family maps preset names to registered LoRA keys (``Family.camera_loras``).
For a request with those presets, the LoRAs that fit the model and are
available are added to the job's LoRAs at the camera's strength; the others
give a note saying why (made for another model, not downloaded on an offline
machine), and the camera still steers through the guide video.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.engine.families.animatediff import CAMERA_LORAS
from studio.engine.lora_registry import LoraRegistry, RegisteredLora
from studio.types import GenerationRequest, LoraSpec

#: the file each of guoyww's diffusers-format motion LoRA repositories holds.
_MOTION_LORA_FILE = "diffusion_pytorch_model.safetensors"


def animatediff_motion_loras() -> list[RegisteredLora]:
    """guoyww's camera-motion LoRAs, made for the AnimateDiff v2 motion adapter (``animatediff-v2``)."""
    return [
        RegisteredLora(
            key=key, label=f"AnimateDiff camera: {preset.replace('_', ' ')}", repo_id=f"guoyww/{key}",
            weight_name=_MOTION_LORA_FILE, base_models=("animatediff-v2",),
            description=f"Motion LoRA for the {preset} camera preset (AnimateDiff v2 motion modules).",
        )  # fmt: skip
        for preset, key in CAMERA_LORAS.items()
    ]


def cached_on_disk(lora: RegisteredLora) -> bool:
    """Whether the LoRA's file is in the local Hugging Face cache (what an offline machine can load)."""
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(lora.repo_id, lora.weight_name or _MOTION_LORA_FILE), str)


def camera_loras(request: GenerationRequest, presets_to_loras: dict[str, str], registry: LoraRegistry,
                 model_keys: tuple[str, ...], available: Callable[[RegisteredLora], bool]) -> tuple[list[LoraSpec], list[str]]:  # fmt: skip
    """The LoRAs the request's camera presets add, and a note per preset that has one but cannot use it.

    Args:
        presets_to_loras: the family's preset -> registered LoRA key map.
        model_keys: the model's key and source (a LoRA applies where one is among its base models).
        available: whether a LoRA's weights can be loaded now (offline: cached on disk).
    """
    camera = request.motion.camera if request.motion is not None else None
    if camera is None or not presets_to_loras:
        return [], []
    asked = {spec.source for spec in request.loras}
    specs: list[LoraSpec] = []
    notes: list[str] = []
    for preset in camera.presets:
        lora = registry.get(presets_to_loras.get(preset, ""))
        if lora is None or lora.key in asked:
            continue
        if not set(model_keys) & set(lora.base_models):
            notes.append(f"camera preset {preset}: its motion LoRA {lora.repo_id} is made for "
                         f"{', '.join(lora.base_models)}, not {model_keys[0]}; the guide video steers the camera")  # fmt: skip
        elif not available(lora):
            notes.append(f"camera preset {preset}: motion LoRA {lora.repo_id} is not downloaded (offline); "
                         f"the guide video steers the camera")  # fmt: skip
        else:
            specs.append(LoraSpec(source=lora.key, weight=round(lora.weight * min(camera.strength, 4.0), 4)))
            asked.add(lora.key)
    return specs, notes


def with_camera_loras(request: GenerationRequest, presets_to_loras: dict[str, str], registry: LoraRegistry,
                      model_keys: tuple[str, ...], *, offline: bool) -> tuple[GenerationRequest, list[str]]:  # fmt: skip
    """``request`` with its camera presets' LoRAs added (offline: those in the hub cache), and the notes."""
    available = cached_on_disk if offline else (lambda _lora: True)
    specs, notes = camera_loras(request, presets_to_loras, registry, model_keys, available)
    return (request.model_copy(update={"loras": [*request.loras, *specs]}) if specs else request), notes
