"""The adapter interface, with defaults for pipelines in the Wan style.

A pipeline in the Wan style takes ``prompt``, ``negative_prompt``, ``height``,
``width``, ``num_frames``, ``num_inference_steps``, ``guidance_scale``,
``generator``, ``output_type``, the step callback and ``latents`` of shape
(batch, channels, frames, height, width); its VAE config names ``z_dim`` and
the pipeline its ``vae_scale_factor_temporal``/``_spatial``; its VAE latents
are normalised with ``latents_mean``/``latents_std``; its scheduler is a
flow-matching one. A family whose pipeline differs overrides only what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from studio.engine.families.base import LatentGeometry
from studio.errors import InvalidRequestError
from studio.media.audio import AudioTrack
from studio.types import GenerationRequest, KeyframeConditions

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo


#: A sound track a pipeline generated with the video: float samples in [-1, 1], (samples, channels), and
#: its rate; the result carries it to the export as is (``studio.media.audio.AudioTrack``).
PipelineAudio = AudioTrack

#: ``emit(frames, index, total)``: a finished section of the clip, uint8 (frames, height, width, 3), section
#: ``index`` (0-based, in the order the pipeline finishes them) of ``total``.
SegmentEmitter = Callable[[np.ndarray, int, int], None]


class PipelineAdapter:
    """Maps a studio request onto one family's pipeline call, and its latents onto the studio's layout.

    The studio's latent layout is (batch, channels, frames, height, width) in the
    pipeline's *normalised* latent space (what the denoiser sees). Adapters for
    pipelines that keep latents otherwise (frames first, packed tokens) convert
    in ``to_video_layout`` / ``from_video_layout``.
    """

    # -- the loaded pipeline ---------------------------------------------------------
    def geometry(self, pipe: Any) -> LatentGeometry:
        """Channels and compression of the pipeline's VAE, read from the loaded pipeline.

        Channels are the VAE config's ``z_dim`` (Wan's VAEs) or ``latent_channels`` (most others).
        """
        config = pipe.vae.config
        return LatentGeometry(
            channels=int(config.z_dim if "z_dim" in config else config.latent_channels),
            temporal_compression=int(pipe.vae_scale_factor_temporal),
            spatial_compression=int(pipe.vae_scale_factor_spatial),
        )

    def side_multiple(self, pipe: Any, geometry: LatentGeometry) -> int:
        """Pixels per whole latent patch: sides must be multiples of it (the pipeline would crop otherwise)."""
        patch = getattr(getattr(getattr(pipe, "transformer", None), "config", None), "patch_size", None) or (1, 1, 1)
        size = patch[-1] if isinstance(patch, (tuple, list)) else patch
        return geometry.spatial_compression * int(size)

    # -- the call --------------------------------------------------------------------
    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """Text, size, length, steps and guidance of the request, as the pipeline names them."""
        return {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "height": request.height,
            "width": request.width,
            "num_frames": request.num_frames,
            "num_inference_steps": request.steps,
            "guidance_scale": request.guidance_scale,
        }

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """How the guide's first frame (the source image) conditions an image-to-video call."""
        from PIL import Image

        return {"image": Image.fromarray(guide.frames[0])}

    def control_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """The guide as a control video (families whose steering includes ``"control"``)."""
        raise NotImplementedError(f"{type(self).__name__} takes no control video")

    def keyframe_kwargs(self, pipe: Any, request: GenerationRequest,
                        keyframes: KeyframeConditions) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
        """Keyframe mode's model fill-in: the keyframes as frame conditions at their output frames (families whose
        steering includes ``"keyframes"``), and notes on how they were placed."""
        raise InvalidRequestError(f"this model's pipeline cannot be conditioned on frames at chosen indices "
                                  f"({type(self).__name__}): use keyframe_fill 'flow'")

    def source_video_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo,
                            skip: int) -> dict[str, Any] | None:  # fmt: skip
        """A video-to-video pipeline's own inputs for the guide (source video, strength running ``steps - skip``
        steps), or None: the pipeline takes none, and the studio gives it start latents on a truncated schedule."""
        return None

    # -- around the call ---------------------------------------------------------------
    @contextmanager
    def prepared(self, pipe: Any, request: GenerationRequest) -> Iterator[None]:
        """Pipeline state the call needs that is no call argument (set here, restored on exit)."""
        yield

    @contextmanager
    def segments(self, pipe: Any, request: GenerationRequest, fixed: dict[str, Any],
                 emit: SegmentEmitter) -> Iterator[None]:  # fmt: skip
        """Hand each finished section of the clip to ``emit`` while the rest generates.

        Only pipelines that make the clip section by section (long video) have any;
        the default emits nothing. ``fixed``: the family's and model's own call arguments.
        """
        yield

    # -- latents ---------------------------------------------------------------------
    def to_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                        request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """The pipeline's latents (as the step callback and the denoiser see them) as (B, C, F, H, W)."""
        return latents

    def from_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                          request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """(B, C, F, H, W) latents in the form the pipeline's ``latents`` argument takes."""
        return latents

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 frames (F, H, W, 3) -> the normalised latent (1, C, T, h, w), float32."""
        from studio.engine.steering import encode_guide

        return encode_guide(pipe.vae, frames, device)

    def start_noise_level(self, pipe: Any, num_steps: int, skip: int, device: torch.device,
                          request: GenerationRequest | None = None) -> float:  # fmt: skip
        """The noise level a schedule truncated by ``skip`` starts at (flow matching: its sigma).

        ``request``: the run's request, for pipelines whose schedule depends on it (LTX-Video shifts
        by the token count); the default schedule does not.
        """
        from studio.engine.steering import start_sigma

        return start_sigma(pipe.scheduler, num_steps, skip, device)

    def noised(self, pipe: Any, clean: torch.Tensor, noise: torch.Tensor, level: float) -> torch.Tensor:
        """``clean`` latents noised to ``level`` (flow matching: ``(1 - sigma) * x0 + sigma * noise``)."""
        from studio.engine.steering import noised_guide

        return noised_guide(clean, noise, level)

    # -- long clips made window by window ----------------------------------------------
    def denoising_steps(self, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                        skip: int) -> int:  # fmt: skip
        """Step callbacks the call makes (``fixed``: the family's and model's own call arguments)."""
        return request.steps - skip

    def window_start(self, done: int, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                     skip: int) -> int:  # fmt: skip
        """The clip's latent frame where the latents of step callback ``done`` (1-based) begin."""
        return 0

    def first_window(self, latents: torch.Tensor, request: GenerationRequest, fixed: dict[str, Any],
                     geometry: LatentGeometry) -> torch.Tensor:  # fmt: skip
        """The part of whole-clip start latents (pipeline layout) the call's ``latents`` argument takes."""
        return latents

    def with_start_latents(self, pipe: Any, kwargs: dict[str, Any], latents: torch.Tensor, *,
                           level: float | None) -> dict[str, Any]:  # fmt: skip
        """The call's arguments with the runner's start latents (pipeline layout): a guide ``noised`` to
        ``level``, or unit noise (``level`` None). Default: passed as ``latents`` as they are."""
        return {**kwargs, "latents": latents}

    # -- the output ------------------------------------------------------------------
    def frames(self, output: Any) -> np.ndarray:
        """Float frames in [0, 1], (frames, height, width, 3), of the first video of the output."""
        return np.asarray(output.frames[0])

    def audio(self, pipe: Any, output: Any) -> PipelineAudio | None:
        """The sound track the pipeline generated with the first video of ``output``, if it makes one."""
        return None
