"""AnimateDiff: ``AnimateDiffPipeline`` (text to video), ``AnimateDiffVideoToVideoPipeline`` (the guide).

What differs from the defaults: the SD VAE (``latent_channels``, one 2D
``vae_scale_factor``, no temporal compression, latents times
``scaling_factor``), the DDPM noise process of its DDIM scheduler (noise
levels are timesteps), and the video-to-video call, which takes no frame
count and gets the guide as start latents.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.types import GenerationRequest

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo


def encode_frames(vae: Any, frames: np.ndarray, device: torch.device, chunk: int = 8) -> torch.Tensor:
    """uint8 frames (F, H, W, 3) through an image VAE, frame by frame -> (1, C, F, h, w), float32, scaled
    by the VAE's ``scaling_factor`` (the space an SD UNet denoises). The distribution's mode: no sampling noise."""
    video = torch.from_numpy(frames).to(device, torch.float32).permute(0, 3, 1, 2) / 127.5 - 1.0
    parts = [vae.encode(video[i : i + chunk].to(vae.dtype)).latent_dist.mode() for i in range(0, len(video), chunk)]
    latent = torch.cat(parts).float() * float(vae.config.scaling_factor)
    return latent.permute(1, 0, 2, 3)[None]


class AnimateDiffAdapter(PipelineAdapter):
    """SD 1.5 + motion modules; image to video is video to video from the motion guide."""

    def geometry(self, pipe: Any) -> LatentGeometry:
        return LatentGeometry(channels=int(pipe.vae.config.latent_channels), temporal_compression=1,
                              spatial_compression=int(pipe.vae_scale_factor))  # fmt: skip

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        kwargs = super().call_kwargs(pipe, request)
        if "video" in inspect.signature(pipe.__call__).parameters:  # video to video: the frame count is the guide's
            del kwargs["num_frames"]
        return kwargs

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """The guide video itself; ``strength`` 1 leaves the schedule whole (the runner truncates it
        by ``guide_strength`` and passes the noised guide as start latents)."""
        from PIL import Image

        return {"video": [Image.fromarray(f) for f in guide.frames], "strength": 1.0}

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        return encode_frames(pipe.vae, frames, device)

    def start_noise_level(self, pipe: Any, num_steps: int, skip: int, device: torch.device,
                          request: GenerationRequest | None = None) -> float:  # fmt: skip
        """The timestep a schedule truncated by ``skip`` starts at (DDPM schedulers index noise by timestep)."""
        pipe.scheduler.set_timesteps(num_steps, device=device)
        return float(pipe.scheduler.timesteps[skip])

    def noised(self, pipe: Any, clean: torch.Tensor, noise: torch.Tensor, level: float) -> torch.Tensor:
        """The scheduler's own forward process at timestep ``level`` (DDIM: ``sqrt(a) x0 + sqrt(1 - a) noise``)."""
        scheduler = pipe.scheduler
        timestep = torch.tensor([level], dtype=scheduler.timesteps.dtype)
        return scheduler.add_noise(clean, noise.to(clean.device, clean.dtype), timestep.to(clean.device))

    def with_start_latents(self, pipe: Any, kwargs: dict[str, Any], latents: torch.Tensor, *,
                           level: float | None) -> dict[str, Any]:  # fmt: skip
        """Video to video takes ``latents`` *instead of* the video and uses them as they are: unit noise is
        scaled to the scheduler's initial level here (the text-to-video pipeline does that itself)."""
        if "video" not in kwargs:
            return {**kwargs, "latents": latents}
        rest = {k: v for k, v in kwargs.items() if k != "video"}
        return {**rest, "latents": latents if level is not None else latents * pipe.scheduler.init_noise_sigma}
