"""SkyReels-V2 diffusion forcing: the Wan-style call plus fps and the long-video window.

The window arguments (``base_num_frames``, ``overlap_history``,
``addnoise_condition``) are the model's (``ModelSpec.call_kwargs``). A clip
longer than the window is denoised window after window, each with the whole
schedule, the step callback counting from 0 again in each; the studio counts
every window's steps and labels previews with the window's place in the clip.
Start latents (guide, warped noise, dual clock) shape the first window.
"""

from __future__ import annotations

from typing import Any

import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.types import GenerationRequest


def windows(num_frames: int, fixed: dict[str, Any], geometry: LatentGeometry) -> tuple[int, int, int]:
    """(window count, latent frames per window, latent frames each later window adds), as the pipeline counts."""
    latent = geometry.latent_frames(num_frames)
    base, overlap = fixed.get("base_num_frames"), fixed.get("overlap_history")
    if base is None or overlap is None or num_frames <= base:
        return 1, latent, 0
    base_latent = geometry.latent_frames(int(base))
    overlap_latent = geometry.latent_frames(int(overlap))
    count = 1 + (latent - base_latent - 1) // (base_latent - overlap_latent) + 1
    return count, base_latent, base_latent - overlap_latent


class SkyReelsAdapter(PipelineAdapter):
    """``SkyReelsV2DiffusionForcingPipeline`` and its image-to-video variant."""

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        return {**super().call_kwargs(pipe, request), "fps": request.fps}

    def denoising_steps(self, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                        skip: int) -> int:  # fmt: skip
        count, _, _ = windows(request.num_frames, fixed, geometry)
        return count * (request.steps - skip)

    def window_start(self, done: int, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                     skip: int) -> int:  # fmt: skip
        _count, _base, advance = windows(request.num_frames, fixed, geometry)
        return ((done - 1) // max(1, request.steps - skip)) * advance

    def first_window(self, latents: torch.Tensor, request: GenerationRequest, fixed: dict[str, Any],
                     geometry: LatentGeometry) -> torch.Tensor:  # fmt: skip
        _count, base, _ = windows(request.num_frames, fixed, geometry)
        return latents[:, :, :base]
