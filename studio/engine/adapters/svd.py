"""Stable Video Diffusion: ``StableVideoDiffusionPipeline`` (image to video only).

What differs from the defaults: no prompt and no guidance scale in the call,
its own conditioning numbers (fps, motion bucket, noise augmentation), frames-
first latents (B, F, C, H, W), the SD image VAE (latents times
``scaling_factor``), and EDM noise levels: the Euler scheduler's sigmas, with
start latents divided by the initial noise level the pipeline multiplies them by.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from studio.engine.adapters.animatediff import encode_frames
from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.types import GenerationRequest


class SvdAdapter(PipelineAdapter):
    """SVD img2vid / img2vid-xt: the source image conditions every frame; the guide steers through the latents."""

    def geometry(self, pipe: Any) -> LatentGeometry:
        return LatentGeometry(channels=int(pipe.vae.config.latent_channels), temporal_compression=1,
                              spatial_compression=int(pipe.vae_scale_factor))  # fmt: skip

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """Size, length, steps and SVD's own conditioning; guidance ramps per frame at the pipeline's defaults."""
        return {
            "height": request.height, "width": request.width, "num_frames": request.num_frames,
            "num_inference_steps": request.steps, "fps": request.fps, "motion_bucket_id": request.motion_bucket_id,
            "noise_aug_strength": request.noise_aug_strength,
        }  # fmt: skip

    def to_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                        request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        return latents.permute(0, 2, 1, 3, 4)  # (B, F, C, H, W) -> (B, C, F, H, W)

    def from_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                          request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        return latents.permute(0, 2, 1, 3, 4)

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        return encode_frames(pipe.vae, frames, device)

    def noised(self, pipe: Any, clean: torch.Tensor, noise: torch.Tensor, level: float) -> torch.Tensor:
        """EDM's forward process: ``x0 + sigma * noise`` (the Euler scheduler's latents at ``sigma``)."""
        return clean + level * noise.to(clean.device, clean.dtype)

    def with_start_latents(self, pipe: Any, kwargs: dict[str, Any], latents: torch.Tensor, *,
                           level: float | None) -> dict[str, Any]:  # fmt: skip
        """``prepare_latents`` multiplies the given latents by the scheduler's initial noise level and keeps their
        dtype for the UNet. Unit noise goes as it is; a guide noised to ``sigma`` is divided by that level, which
        with the schedule truncated to start at ``sigma`` is ``sigma`` ("linspace"/"trailing" spacing) or
        ``sqrt(sigma^2 + 1)``. In the UNet's dtype."""
        if level is not None:
            spacing = pipe.scheduler.config.timestep_spacing
            latents = latents / (level if spacing in ("linspace", "trailing") else (level**2 + 1) ** 0.5)
        return {**kwargs, "latents": latents.to(pipe.unet.dtype)}
