"""CogVideoX 1.0 / 1.5: what differs from the Wan-style defaults.

* Latents are frames first, (batch, frames, channels, height, width), scaled by
  the VAE's ``scaling_factor`` (no per-channel statistics).
* CogVideoX 1.5 packs two latent frames per token (``patch_size_t`` 2): its
  pipelines pad the latent frames to a multiple of it *at the front* and drop
  the padding before decoding. The studio's (B, C, F, H, W) layout has no
  padding; ``from_video_layout`` adds it (a copy of the first frame), and
  ``to_video_layout`` removes it.
* The scheduler is a v-prediction DDIM / DPM one over discrete timesteps:
  the noise level where a truncated schedule starts is its first timestep,
  and a guide is noised there with the scheduler's own ``add_noise``.
* ``CogVideoXVideoToVideoPipeline`` takes the guide as its source video and
  ``strength`` and noises it itself (``source_video_kwargs``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo


@dataclass(frozen=True)
class CogVideoXGeometry(LatentGeometry):
    """A CogVideoX latent geometry, with the temporal patch the pipeline pads latent frames to (1.5: 2)."""

    temporal_patch: int = 1

    def padded_frames(self, num_frames: int) -> int:
        """Latent frames the pipeline holds for ``num_frames``: rounded up to whole temporal patches."""
        return -(-self.latent_frames(num_frames) // self.temporal_patch) * self.temporal_patch


def _takes(pipe: Any, name: str) -> bool:
    return name in inspect.signature(type(pipe).__call__).parameters


class CogVideoXAdapter(PipelineAdapter):
    """``CogVideoXPipeline``, ``CogVideoXImageToVideoPipeline`` and ``CogVideoXVideoToVideoPipeline``."""

    def geometry(self, pipe: Any) -> CogVideoXGeometry:
        return CogVideoXGeometry(
            channels=int(pipe.vae.config.latent_channels),
            temporal_compression=int(pipe.vae_scale_factor_temporal),
            spatial_compression=int(pipe.vae_scale_factor_spatial),
            temporal_patch=int(pipe.transformer.config.patch_size_t or 1),
        )

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """The defaults, less ``num_frames`` for the video-to-video pipeline (its frames are the source video's)."""
        kwargs = super().call_kwargs(pipe, request)
        if not _takes(pipe, "num_frames"):
            del kwargs["num_frames"]
        return kwargs

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """The source image for the I2V pipeline; the video-to-video one takes the whole guide instead."""
        return super().image_kwargs(pipe, request, guide) if _takes(pipe, "image") else {}

    def source_video_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo,
                            skip: int) -> dict[str, Any] | None:  # fmt: skip
        """``CogVideoXVideoToVideoPipeline``: the guide frames as ``video`` and the strength that runs
        ``steps - skip`` steps (the pipeline runs ``int(steps * strength)``; the half step absorbs rounding).

        Raises:
            InvalidRequestError: a 1.5 model (its video-to-video pipeline does not pad latent frames) with a
                frame count whose latent frames are not whole temporal patches.
        """
        if not _takes(pipe, "video"):
            return None
        from PIL import Image

        geometry = self.geometry(pipe)
        latent_frames = geometry.latent_frames(len(guide.frames))
        if latent_frames % geometry.temporal_patch:
            raise InvalidRequestError(
                f"{request.model} re-renders videos of whole {geometry.temporal_patch}-latent-frame patches only: "
                f"{len(guide.frames)} frames make {latent_frames} latent frames"
            )
        strength = min(1.0, (request.steps - skip + 0.5) / request.steps)
        return {"video": [Image.fromarray(f) for f in guide.frames], "strength": strength}

    # -- latents ---------------------------------------------------------------------
    def to_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                        request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """(B, F', C, H, W) -> (B, C, F, H, W): frames second, the front padding (1.5) dropped."""
        video = latents.permute(0, 2, 1, 3, 4)
        padding = video.shape[2] - geometry.latent_frames(request.num_frames)
        return video[:, :, padding:] if padding > 0 else video

    def from_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                          request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """(B, C, F, H, W) -> (B, F', C, H, W), padded at the front with copies of frame 0 as the pipeline pads."""
        frames = latents.permute(0, 2, 1, 3, 4)
        if not isinstance(geometry, CogVideoXGeometry):
            return frames
        padding = geometry.padded_frames(request.num_frames) - frames.shape[1]
        return torch.cat([frames[:, :1].expand(-1, padding, -1, -1, -1), frames], 1) if padding > 0 else frames

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 frames (F, H, W, 3) -> the scaled latent (1, C, T, h, w), float32, as the pipelines encode video."""
        vae = pipe.vae
        video = torch.from_numpy(frames).to(device, torch.float32).permute(3, 0, 1, 2)[None] / 127.5 - 1.0
        latent = vae.encode(video.to(vae.dtype)).latent_dist.mode().float()
        return latent * float(vae.config.scaling_factor)

    def start_noise_level(self, pipe: Any, num_steps: int, skip: int, device: torch.device,
                          request: GenerationRequest | None = None) -> float:  # fmt: skip
        """The first timestep of the schedule truncated by ``skip`` (0..999; higher is noisier)."""
        pipe.scheduler.set_timesteps(num_steps, device=device)
        return float(pipe.scheduler.timesteps[skip])

    def noised(self, pipe: Any, clean: torch.Tensor, noise: torch.Tensor, level: float) -> torch.Tensor:
        """``clean`` noised to timestep ``level`` by the scheduler's own forward process."""
        timestep = torch.tensor([int(round(level))], device=clean.device)
        return pipe.scheduler.add_noise(clean, noise.to(clean.device, clean.dtype), timestep)
