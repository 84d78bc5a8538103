"""SkyReels-V2 diffusion forcing: the Wan-style call plus fps and the long-video window.

The window arguments (``base_num_frames``, ``overlap_history``,
``addnoise_condition``) are the model's (``ModelSpec.call_kwargs``). A clip
longer than the window is denoised window after window, each with the whole
schedule, the step callback counting from 0 again in each; the studio counts
every window's steps and labels previews with the window's place in the clip.
Start latents (guide, warped noise, dual clock) shape the first window.

Finished windows are shown while the next ones denoise: the pipeline prepares
each later window from the latents of all finished ones, so at that moment the
frames the last window added are decoded and handed on as a section. The Wan
VAE decodes causally, so these pieces are decoded once (``StreamingDecode``):
the pipeline's final decode of the whole clip reuses them and decodes only the
last window's new frames, and each section holds the final clip's own frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from studio.engine.adapters.base import PipelineAdapter, SegmentEmitter
from studio.engine.adapters.wan_stream import StreamingDecode
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

    @contextmanager
    def prepared(self, pipe: Any, request: GenerationRequest) -> Iterator[None]:
        """The image-to-video pipeline's step matrix for a shorter last window (diffusers 0.42).

        ``SkyReelsV2DiffusionForcingImageToVideoPipeline`` sizes every window's
        timestep matrix by the full window, also the last one when it is shorter,
        and then indexes past that window's latent frames (an ``IndexError``): a
        clip whose last window is short could not be made from an image. The
        text-to-video pipeline sizes it by the window's own frames; so does this,
        for both (for the text one it changes nothing).
        """
        original = pipe.generate_timestep_matrix

        def sized_by_the_window(num_latent_frames: int, step_template: Any, base_num_latent_frames: int,
                                *args: Any, **kwargs: Any) -> Any:  # fmt: skip
            return original(num_latent_frames, step_template, min(base_num_latent_frames, num_latent_frames),
                            *args, **kwargs)  # fmt: skip

        pipe.generate_timestep_matrix = sized_by_the_window
        try:
            yield
        finally:
            del pipe.generate_timestep_matrix  # back to the class's method

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

    @contextmanager
    def segments(self, pipe: Any, request: GenerationRequest, fixed: dict[str, Any],
                 emit: SegmentEmitter) -> Iterator[None]:  # fmt: skip
        """Each window but the last, decoded when the pipeline prepares the next one from it; the final decode
        of the whole clip reuses these pieces and decodes only the last window's new frames."""
        count, _base, _advance = windows(request.num_frames, fixed, self.geometry(pipe))
        if count == 1:
            yield
            return
        from diffusers.models.autoencoders.vae import DecoderOutput

        vae = pipe.vae
        stream = StreamingDecode(vae)
        prepare = pipe.prepare_latents
        decode = vae.decode
        own = "decode" in vars(vae)  # an instance attribute (another wrapper) to put back as it was
        emitted = 0  # latent frames already shown

        def prepare_and_emit(*args: Any, **kwargs: Any) -> Any:
            nonlocal emitted
            finished = kwargs.get("video_latents")
            if finished is not None and finished.shape[2] > emitted:
                index = kwargs.get("long_video_iter", 1) - 1
                video = stream.piece(StreamingDecode.normalised(vae, finished[:, :, emitted:]))
                emit(_uint8(video), index, count)
                emitted = finished.shape[2]
            return prepare(*args, **kwargs)

        def decode_reusing(z: torch.Tensor, return_dict: bool = True) -> Any:
            video = stream.whole(z)
            if video is None:
                return decode(z, return_dict=return_dict)
            return (video,) if not return_dict else DecoderOutput(sample=video)

        pipe.prepare_latents = prepare_and_emit
        vae.decode = decode_reusing
        try:
            yield
        finally:
            del pipe.prepare_latents  # back to the class's method
            if own:
                vae.decode = decode
            else:
                del vae.decode


def _uint8(video: torch.Tensor) -> Any:
    """Decoded frames (1, 3, F, H, W) in [-1, 1] -> uint8 frames (F, H, W, 3)."""
    return ((video[0].permute(1, 2, 3, 0).float().clamp(-1, 1) + 1) * 127.5).round().byte().cpu().numpy()
