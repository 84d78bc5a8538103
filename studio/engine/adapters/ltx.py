"""LTX-Video (0.9.x): ``LTXPipeline``, ``LTXImageToVideoPipeline``, ``LTXConditionPipeline``.

What differs from the Wan-style defaults:

* latents are packed tokens, (batch, frames x height x width / patch, channels x patch),
  frame-major, in the step callback, the transformer and the ``latents`` argument
  (the pipeline's own ``_pack_latents`` / ``_unpack_latents``, patch sizes from the
  transformer config); ``LTXConditionPipeline`` puts the tokens of its extra
  conditioning frames first;
* the VAE's latent statistics are buffers (``vae.latents_mean`` / ``latents_std``),
  not config values, and its ``scaling_factor`` applies;
* the schedule: ``LTXPipeline`` shifts ``linspace(1, 1/N, N)`` by ``mu``, computed
  from the token count of the request, so the v2v start level needs the request;
* ``LTXImageToVideoPipeline`` keeps latent frame 0 of given ``latents`` as the clean
  first frame (its conditioning mask), so noised start latents carry the clean
  first-frame latent there;
* ``LTXConditionPipeline`` conditions on images at chosen frame indices: the
  guide's first frame at strength 1 and, with ``guide_strength`` > 0, a few later
  guide frames at that strength (the declared ``"frames"`` steering); keyframe
  mode's model fill-in conditions it on the keyframes at their output frames
  (the declared ``"keyframes"`` steering, ``keyframe_kwargs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.engine.previews import keyframe_indices
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest, KeyframeConditions

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo

#: Later guide frames ``LTXConditionPipeline`` is conditioned on (each adds one latent frame of tokens).
GUIDE_FRAMES = 4
#: Noise on hard (strength 1) image conditions per step, as the diffusers notes advise for 0.9.1+ VAEs.
IMAGE_COND_NOISE_SCALE = 0.025


@dataclass(frozen=True)
class PackedGeometry(LatentGeometry):
    """A latent geometry whose pipeline packs latents into tokens of ``patch_size_t`` x ``patch_size``^2 cells."""

    patch_size: int = 1
    patch_size_t: int = 1

    def token_grid(self, request: GenerationRequest) -> tuple[int, int, int]:
        """(frames, height, width) of the token grid of ``request``'s clip."""
        s = self.spatial_compression
        return (self.latent_frames(request.num_frames) // self.patch_size_t,
                request.height // s // self.patch_size, request.width // s // self.patch_size)  # fmt: skip


def _is_condition_pipeline(pipe: Any) -> bool:
    return type(pipe).__name__ == "LTXConditionPipeline"


def guide_frame_indices(num_frames: int, temporal_compression: int, count: int = GUIDE_FRAMES) -> list[int]:
    """Video frames a guide conditions on: frame 0, then up to ``count`` later frames spread to the last one,
    each the first frame of a latent frame (a multiple of ``temporal_compression``)."""
    latent_frames = (num_frames - 1) // temporal_compression + 1
    return [i * temporal_compression for i in keyframe_indices(latent_frames, count + 1)]


def keyframe_placement(indices: tuple[int, ...], temporal_compression: int) -> str:
    """How ``LTXConditionPipeline`` places single-image conditions at ``indices``, as a job note.

    Its ``prepare_latents``: a condition at frame 0 is blended into the first
    latent frame (replaced, at strength 1); one at any later index is encoded
    as one latent frame of extra tokens put before the clip's, its temporal
    position that index (rotary coordinates in pixel frames), so every index
    is valid and none needs moving. The clip's latent frame k (k >= 1) sits at
    frame ``8k - 7``: a keyframe at a multiple of 8 lines up with the last
    frame a latent frame covers, others fall between.
    """
    later = [i for i in indices if i > 0]
    aligned = sum(1 for i in later if i % temporal_compression == 0)
    head = "frame 0 replaces the first latent frame; " if 0 in indices else ""
    return (f"model fill-in: {len(indices)} keyframes conditioned at strength 1 through LTXConditionPipeline: "
            f"{head}{len(later)} at frames {_listed(later)} as extra tokens at those positions ({aligned} on a "
            f"multiple of {temporal_compression}; any index is valid for an image condition, none moved)")  # fmt: skip


def _listed(indices: list[int]) -> str:
    return ", ".join(map(str, indices)) if len(indices) <= 6 else f"{indices[0]}, {indices[1]}, ..., {indices[-1]}"


class LtxAdapter(PipelineAdapter):
    """Maps studio requests onto the three LTX-Video pipelines (see the module docstring)."""

    # -- the loaded pipeline ---------------------------------------------------------
    def geometry(self, pipe: Any) -> PackedGeometry:
        return PackedGeometry(
            channels=int(pipe.vae.config.latent_channels),
            temporal_compression=int(pipe.vae_temporal_compression_ratio),
            spatial_compression=int(pipe.vae_spatial_compression_ratio),
            patch_size=int(pipe.transformer_spatial_patch_size),
            patch_size_t=int(pipe.transformer_temporal_patch_size),
        )

    # -- the call --------------------------------------------------------------------
    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """The defaults, plus the frame rate (LTX scales its temporal rotary positions by it)."""
        return {**super().call_kwargs(pipe, request), "frame_rate": request.fps}

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """The source image (``LTXImageToVideoPipeline``), or the guide frames as conditions at their indices."""
        if not _is_condition_pipeline(pipe):
            return super().image_kwargs(pipe, request, guide)
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        indices = guide_frame_indices(len(guide.frames), int(pipe.vae_temporal_compression_ratio))
        if request.guide_strength <= 0.0:
            indices = indices[:1]  # the first frame only: plain image to video
        conditions = [
            LTXVideoCondition(image=Image.fromarray(guide.frames[i]), frame_index=i,
                              strength=1.0 if i == 0 else request.guide_strength)  # fmt: skip
            for i in indices
        ]
        return {"conditions": conditions, "image_cond_noise_scale": IMAGE_COND_NOISE_SCALE}

    def keyframe_kwargs(self, pipe: Any, request: GenerationRequest,
                        keyframes: KeyframeConditions) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
        """Each keyframe as an ``LTXVideoCondition`` at its output frame, strength 1 (see ``keyframe_placement``).

        Raises:
            InvalidRequestError: the pipeline is not ``LTXConditionPipeline``, or a keyframe lies outside the clip.
        """
        if not _is_condition_pipeline(pipe):
            raise InvalidRequestError(f"{type(pipe).__name__} cannot condition on frames at chosen indices; "
                                      "keyframe_fill 'model' needs LTXConditionPipeline (LTX-Video 0.9.5 on)")  # fmt: skip
        outside = [i for i in keyframes.indices if not 0 <= i < request.num_frames]
        if outside:
            raise InvalidRequestError(f"keyframes at frame(s) {outside} lie outside the {request.num_frames}-frame clip")
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition
        from PIL import Image

        frames: np.ndarray = keyframes.frames  # type: ignore[assignment]
        conditions = [LTXVideoCondition(image=Image.fromarray(frame), frame_index=index, strength=1.0)
                      for frame, index in zip(frames, keyframes.indices, strict=True)]  # fmt: skip
        kwargs = {"conditions": conditions, "image_cond_noise_scale": IMAGE_COND_NOISE_SCALE}
        return kwargs, [keyframe_placement(keyframes.indices, int(pipe.vae_temporal_compression_ratio))]

    # -- latents ---------------------------------------------------------------------
    def to_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                        request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """Tokens -> (B, C, F, H, W); leading extra conditioning tokens (``LTXConditionPipeline``) are dropped."""
        if latents.ndim == 5:
            return latents
        from diffusers import LTXPipeline

        packed = _packed(geometry)
        frames, height, width = packed.token_grid(request)
        video_tokens = latents[:, latents.shape[1] - frames * height * width :]
        return LTXPipeline._unpack_latents(video_tokens, frames, height, width, packed.patch_size, packed.patch_size_t)

    def from_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                          request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """(B, C, F, H, W) -> the packed ``latents`` argument of ``LTXPipeline`` / ``LTXImageToVideoPipeline``."""
        from diffusers import LTXPipeline

        packed = _packed(geometry)
        return LTXPipeline._pack_latents(latents, packed.patch_size, packed.patch_size_t)

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 frames -> ``(latent - latents_mean) * scaling_factor / latents_std`` (the VAE's buffers)."""
        vae = pipe.vae
        video = torch.from_numpy(frames).to(device, torch.float32).permute(3, 0, 1, 2)[None] / 127.5 - 1.0
        latent = vae.encode(video.to(vae.dtype)).latent_dist.mode().float()
        mean = vae.latents_mean.to(latent.device, torch.float32).view(1, -1, 1, 1, 1)
        std = vae.latents_std.to(latent.device, torch.float32).view(1, -1, 1, 1, 1)
        return (latent - mean) * float(vae.config.scaling_factor) / std

    def start_noise_level(self, pipe: Any, num_steps: int, skip: int, device: torch.device,
                          request: GenerationRequest | None = None) -> float:  # fmt: skip
        """The sigma ``LTXPipeline`` / ``LTXImageToVideoPipeline`` reach after ``skip`` steps: their
        ``linspace(1, 1/N, N)`` schedule through the scheduler, shifted by the request's ``mu``."""
        if request is None:
            raise ValueError("LTX-Video's schedule depends on the clip's token count: the request is needed")
        from diffusers.pipelines.ltx.pipeline_ltx import calculate_shift

        config = pipe.scheduler.config
        frames, height, width = self.geometry(pipe).token_grid(request)
        mu = calculate_shift(frames * height * width, config.get("base_image_seq_len", 256),
                             config.get("max_image_seq_len", 4096), config.get("base_shift", 0.5),
                             config.get("max_shift", 1.15))  # fmt: skip
        pipe.scheduler.set_timesteps(sigmas=np.linspace(1.0, 1 / num_steps, num_steps), mu=mu, device=device)
        return float(pipe.scheduler.sigmas[skip])

    def noised(self, pipe: Any, clean: torch.Tensor, noise: torch.Tensor, level: float) -> torch.Tensor:
        """Flow-matching noising; ``LTXImageToVideoPipeline`` takes latent frame 0 of its start latents as
        the clean first frame, so it stays the clean guide latent there."""
        noised = super().noised(pipe, clean, noise, level)
        if type(pipe).__name__ == "LTXImageToVideoPipeline":
            noised[:, :, :1] = clean[:, :, :1]
        return noised


def _packed(geometry: LatentGeometry) -> PackedGeometry:
    if not isinstance(geometry, PackedGeometry):
        raise TypeError(f"LTX latents need the adapter's PackedGeometry, got {type(geometry).__name__}")
    return geometry
