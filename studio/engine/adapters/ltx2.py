"""LTX-2: ``LTX2Pipeline`` (text to video) and ``LTX2ConditionPipeline`` (image to video), both with audio.

What differs from the defaults:

* latents travel as packed tokens (batch, frames x height x width, 128) in the
  step callback and the denoiser (the transformer's patches are 1 x 1 x 1);
* the VAE names its channels ``latent_channels`` and its compression
  ``vae_spatial/temporal_compression_ratio`` (32x and 8x);
* the call takes the clip's ``frame_rate`` (the audio's length and the
  positional embeddings follow it) and the LTX-2.0 guidance recipe;
* image to video is LTX-2's own frame conditioning: the source image held
  clean as the first frame, and the motion guide (camera path, arrows) as a
  video condition whose tokens follow it with ``guide_strength`` (steering
  ``"frames"``); the image is H.264 re-compressed the way the model was trained
  (the pipeline would need PyAV for it; ffmpeg is already here);
* the output carries a stereo waveform from the vocoder.

LTX-2 declares no video-to-video steering by a truncated schedule: its
scheduler shifts the schedule by the token count and the pipeline denoises the
audio on the same schedule, so a truncated start would start the sound from
noise at a low noise level. Frame conditioning runs the whole schedule.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter, PipelineAudio
from studio.engine.families.base import LatentGeometry
from studio.engine.families.ltx2_facts import LTX2_0_STG_BLOCK
from studio.errors import ModelLoadError
from studio.types import GenerationRequest

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo

#: H.264 CRF of image conditions the LTX-2 generations were trained with (diffusers' ``DEFAULT_IMAGE_CRF`` and
#: ``LTX2_5_IMAGE_CRF``): 33 up to LTX-2.3 (Gemma 3 text encoder), 18 from LTX-2.5 (Gemma 4).
_IMAGE_CRF = {"gemma4": 18, "gemma4_unified": 18}
_DEFAULT_IMAGE_CRF = 33


class LTX2Adapter(PipelineAdapter):
    """LTX-2 pipelines: packed-token latents, frame rate and guidance recipe, frame conditions, audio."""

    # -- the loaded pipeline ---------------------------------------------------------
    def geometry(self, pipe: Any) -> LatentGeometry:
        """128 channels, 8x temporal and 32x spatial compression (read from the pipeline).

        Raises:
            ModelLoadError: a transformer with patches larger than one latent cell (no LTX-2 release has them).
        """
        patches = (int(pipe.transformer_spatial_patch_size), int(pipe.transformer_temporal_patch_size))
        if patches != (1, 1):
            raise ModelLoadError(f"LTX-2 transformers take 1x1x1 latent patches; this one has {patches} (spatial, temporal)")
        return LatentGeometry(
            channels=int(pipe.vae.config.latent_channels),
            temporal_compression=int(pipe.vae_temporal_compression_ratio),
            spatial_compression=int(pipe.vae_spatial_compression_ratio),
        )

    # -- the call --------------------------------------------------------------------
    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """The default arguments, the clip's frame rate, and the guidance recipe of the model's generation.

        LTX-2.0 transformers (no cross-attention modulation) take the legacy
        cross-modal timestep and perturb block 29 for spatio-temporal guidance;
        later generations keep the pipeline's defaults. A transformer without
        that block (the shrunk demo) runs without spatio-temporal guidance.
        """
        kwargs = {**super().call_kwargs(pipe, request), "frame_rate": float(request.fps)}
        config = pipe.transformer.config
        if not config.get("cross_attn_mod", False):
            kwargs["use_cross_timestep"] = False
            if int(config.num_layers) > LTX2_0_STG_BLOCK:
                kwargs["spatio_temporal_guidance_blocks"] = [LTX2_0_STG_BLOCK]
            else:
                kwargs.update(spatio_temporal_guidance_blocks=[], stg_scale=0.0, audio_stg_scale=0.0)
        return kwargs

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """Frame conditions: the guide video at ``guide_strength`` (when above 0), then the source image at full
        strength as the first frame (it overrides the guide there), re-compressed at its generation's CRF.

        A condition's strength is how much of it the pipeline keeps in every
        step's clean-latent estimate; its tokens start that much less noisy.
        """
        from diffusers.pipelines.ltx2 import LTX2VideoCondition
        from PIL import Image

        model_type = getattr(getattr(pipe.text_encoder, "config", None), "model_type", None)
        image = Image.fromarray(h264_roundtrip(guide.frames[0], _IMAGE_CRF.get(str(model_type), _DEFAULT_IMAGE_CRF)))
        conditions = [LTX2VideoCondition(frames=image, index=0, strength=1.0, crf=0)]
        if request.guide_strength > 0 and len(guide.frames) > 1:
            conditions.insert(0, LTX2VideoCondition(frames=guide.frames, index=0, strength=request.guide_strength))
        return {"conditions": conditions}

    # -- latents ---------------------------------------------------------------------
    def to_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                        request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """Packed tokens (B, F*H*W, C), frames slowest and width fastest, as (B, C, F, H, W)."""
        _, channels, frames, height, width = geometry.latent_shape(request.num_frames, request.height, request.width)
        return latents.transpose(1, 2).reshape(latents.shape[0], channels, frames, height, width)

    def from_video_layout(self, latents: torch.Tensor, geometry: LatentGeometry,
                          request: GenerationRequest) -> torch.Tensor:  # fmt: skip
        """(B, C, F, H, W) as packed tokens (B, F*H*W, C), which the pipeline takes as already normalised."""
        return latents.flatten(2).transpose(1, 2)

    # -- the output ------------------------------------------------------------------
    def audio(self, pipe: Any, output: Any) -> PipelineAudio:
        """The vocoder's waveform of the first video: (channels, samples) -> (samples, channels) at its rate."""
        waveform = output.audio[0].detach().to("cpu", torch.float32).numpy().T
        return PipelineAudio(np.ascontiguousarray(waveform), int(pipe.vocoder.config.output_sampling_rate))


def h264_roundtrip(image: np.ndarray, crf: int) -> np.ndarray:
    """``image`` (uint8 H x W x 3) encoded as one H.264 frame at ``crf`` and decoded again.

    Odd sides are padded by one edge pixel for 4:2:0 chroma and cropped after.
    """
    import imageio_ffmpeg

    height, width = image.shape[:2]
    padded = np.pad(image, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    with tempfile.TemporaryDirectory(prefix="studio-crf-") as folder:
        path = str(Path(folder) / "frame.mp4")
        writer = imageio_ffmpeg.write_frames(path, (padded.shape[1], padded.shape[0]), fps=1, codec="libx264",
                                             quality=None, macro_block_size=1, output_params=["-crf", str(crf)],
                                             ffmpeg_log_level="error")  # fmt: skip
        writer.send(None)
        writer.send(np.ascontiguousarray(padded))
        writer.close()
        reader = imageio_ffmpeg.read_frames(path)
        meta = next(reader)
        frame = np.frombuffer(next(reader), dtype=np.uint8).reshape(meta["size"][1], meta["size"][0], 3)
        reader.close()
    return frame[:height, :width].copy()
