"""Putting a loaded pipeline on its device under an offload policy, and measuring what it holds."""

from __future__ import annotations

from typing import Any

import torch

from studio.engine.memory import OffloadPolicy
from studio.engine.model_files import ModelFacts, denoiser_shape, facts_from_tensors, vae_shape


def measure(pipeline: object) -> tuple[ModelFacts, float]:
    """Facts of a loaded pipeline's components (parameters, offload units, shapes) and its GB in memory."""
    components: dict[str, Any] = getattr(pipeline, "components", {}) or {}
    modules = {name: m for name, m in components.items() if isinstance(m, torch.nn.Module)}
    facts = {name: facts_from_tensors((n, p.numel()) for n, p in m.named_parameters()) for name, m in modules.items()}
    size_gb = sum(p.numel() * p.element_size() for m in modules.values() for p in m.parameters()) / 1e9
    denoiser_config = getattr(modules.get("transformer"), "config", None)
    vae_config = getattr(modules.get("vae"), "config", None)
    denoiser = denoiser_shape(dict(denoiser_config)) if denoiser_config is not None else None
    vae_facts = vae_shape(dict(vae_config)) if vae_config is not None else None
    return ModelFacts(facts, denoiser, vae_facts), size_gb


def place(pipeline: Any, policy: OffloadPolicy, device: torch.device) -> None:
    """Move ``pipeline`` to ``device`` or install the offload hooks of ``policy``."""
    if policy == "none":
        pipeline.to(device)
    elif policy == "model_cpu_offload":
        pipeline.enable_model_cpu_offload(device=device)
    elif policy == "group_offload":
        group_offload(pipeline, device)
    else:
        pipeline.enable_sequential_cpu_offload(device=device)
    if hasattr(pipeline, "set_progress_bar_config"):
        pipeline.set_progress_bar_config(disable=True)  # progress goes through job events


def group_offload(pipeline: Any, device: torch.device) -> None:
    """Diffusers models move one block group at a time; transformers encoders are a single block to
    diffusers (UMT5-XXL would move 11 GB at once), so they move leaf by leaf."""
    from diffusers.hooks import apply_group_offloading

    cpu = torch.device("cpu")
    streams = device.type == "cuda"  # overlap transfers with compute (the estimate counts the prefetched group)
    for component in pipeline.components.values():
        if not isinstance(component, torch.nn.Module):
            continue
        by_blocks: Any = getattr(component, "enable_group_offload", None)  # diffusers ModelMixin
        if by_blocks is not None:
            by_blocks(onload_device=device, offload_device=cpu, offload_type="block_level", num_blocks_per_group=1,
                      use_stream=streams)  # fmt: skip
        else:
            apply_group_offloading(component, onload_device=device, offload_device=cpu, offload_type="leaf_level",
                                   use_stream=streams)  # fmt: skip


def place_shared(pipeline: Any, policy: OffloadPolicy, device: torch.device) -> None:
    """A ``from_pipe`` pipeline runs its sibling's modules: group and sequential offload hooks live on the
    modules already; model CPU offload keeps its sequence per pipeline, so it is enabled on this one too."""
    if policy == "none":
        pipeline.to(device)
    elif policy == "model_cpu_offload":
        pipeline.enable_model_cpu_offload(device=device)
    if hasattr(pipeline, "set_progress_bar_config"):
        pipeline.set_progress_bar_config(disable=True)
