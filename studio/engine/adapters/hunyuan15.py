"""HunyuanVideo 1.5 (``HunyuanVideo15Pipeline``, ``HunyuanVideo15ImageToVideoPipeline``).

What differs from the defaults:
  * guidance is the pipeline's guider (``pipe.guider.guidance_scale``), set for the call;
  * the image-to-video call takes no size: the pipeline picks the bucket of its
    ``target_size`` closest to the image's aspect. The studio's guide frame has the
    request's size, and the bucket choice is pinned to that size for the call;
  * latents are the VAE's ``latent_channels`` scaled by ``scaling_factor`` (no per-channel statistics);
  * the schedule is ``linspace(1, 0, steps + 1)[:-1]`` shifted by the scheduler's ``shift``.
The pipeline has no step callback: the runner's ``step_callback`` observes the scheduler's steps.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.types import GenerationRequest


class HunyuanVideo15Adapter(PipelineAdapter):
    """Text to video and image to video (the first frame as conditioning latent and SigLIP tokens)."""

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "num_frames": request.num_frames,
            "num_inference_steps": request.steps,
        }
        if "height" in inspect.signature(pipe.__call__).parameters:  # text to video; image to video: see prepared()
            kwargs.update(height=request.height, width=request.width)
        return kwargs

    @contextmanager
    def prepared(self, pipe: Any, request: GenerationRequest) -> Iterator[None]:
        """The request's guidance on the guider, and (image to video) the request's size as the size bucket."""
        with ExitStack() as stack:
            stack.enter_context(_attribute(pipe.guider, "guidance_scale", request.guidance_scale))
            if "height" not in inspect.signature(pipe.__call__).parameters:
                size = (request.height, request.width)
                stack.enter_context(_attribute(pipe.video_processor, "calculate_default_height_width",
                                               lambda *_args, **_kwargs: size))  # fmt: skip
            yield

    def encode_video(self, pipe: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 frames -> the VAE's latent mode times ``scaling_factor`` (what the pipeline denoises), float32."""
        video = torch.from_numpy(frames).to(device, torch.float32).permute(3, 0, 1, 2)[None] / 127.5 - 1.0
        latent = pipe.vae.encode(video.to(pipe.vae.dtype)).latent_dist.mode().float()
        return latent * float(pipe.vae.config.scaling_factor)

    def start_noise_level(self, pipe: Any, num_steps: int, skip: int, device: torch.device,
                          request: GenerationRequest | None = None) -> float:  # fmt: skip
        """Sigma at step ``skip`` of the pipeline's own schedule (linear sigmas, shifted by the scheduler)."""
        pipe.scheduler.set_timesteps(sigmas=np.linspace(1.0, 0.0, num_steps + 1)[:-1], device=device)
        return float(pipe.scheduler.sigmas[skip])


@contextmanager
def _attribute(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name = value`` for the duration of the context (the previous value back afterwards)."""
    own = name in vars(owner)
    previous = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if own:
            setattr(owner, name, previous)
        else:
            delattr(owner, name)
