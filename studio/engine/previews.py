"""Live keyframe previews: the predicted clean latent, projected to RGB.

During denoising, the pipeline's own latent is still mostly noise. The
predicted clean latent (flow matching: ``x0 = x_t - sigma * v``; epsilon and v
prediction from the variance-preserving ``x_t`` the denoiser sees) shows
where the video is heading from the first step on. It is projected to RGB with
the family's linear factors: no VAE call, cost ~ a small matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from studio.engine.families.base import LatentPreview, PredictionType


def keyframe_indices(num_latent_frames: int, count: int) -> list[int]:
    """``count`` latent frame indices spread over the clip, first and last included."""
    count = max(1, min(count, num_latent_frames))
    if count == 1:
        return [0]
    return sorted({round(i * (num_latent_frames - 1) / (count - 1)) for i in range(count)})


def latent_to_video_frame(latent_index: int, temporal_compression: int) -> int:
    """The video frame a latent frame stands for (latent 0 is frame 0; latent i ends at frame i*c)."""
    return latent_index * temporal_compression


def step_sigma(scheduler: Any, step: int) -> float:
    """The noise level of ``step`` of the scheduler's current schedule: its ``sigmas`` where it keeps them
    (flow matching, Euler), else (DDIM, PNDM) ``sqrt((1 - a) / a)`` for ``a = alphas_cumprod[timestep]``."""
    sigmas = getattr(scheduler, "sigmas", None)
    if sigmas is not None:
        return float(sigmas[step])
    # zero-terminal-SNR schedules (CogVideoX) reach a = 0 at their first step: a finite, very large level there
    # keeps the v-prediction estimate (-> -v) finite
    alpha = max(float(scheduler.alphas_cumprod[int(scheduler.timesteps[step])]), 1e-6)
    return ((1.0 - alpha) / alpha) ** 0.5


class PreviewProjector:
    """Projects the normalised latents of one latent space to small RGB images."""

    def __init__(self, preview: LatentPreview) -> None:
        self._weight = torch.tensor(preview.factors, dtype=torch.float32)  # (C, 3)
        self._bias = torch.tensor(preview.bias, dtype=torch.float32)

    def project(self, latents: torch.Tensor, latent_frames: list[int], min_width_px: int = 160) -> list[np.ndarray]:
        """RGB uint8 images of the chosen latent frames of the first video in the batch.

        Args:
            latents: (batch, channels, frames, height, width), the pipeline's normalised latent.
            latent_frames: which latent frames to show.
            min_width_px: images narrower than this are upscaled (nearest) for display.
        """
        picked = latents[0, :, latent_frames].detach().to("cpu", torch.float32)  # (C, K, H, W)
        rgb = torch.einsum("ckhw,cr->khwr", picked, self._weight) + self._bias
        images = ((rgb.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
        factor = max(1, -(-min_width_px // images.shape[2]))
        if factor > 1:
            images = images.repeat(factor, axis=1).repeat(factor, axis=2)
        return list(images)


def _noised_frames(timestep: torch.Tensor | None, latent_shape: torch.Size) -> torch.Tensor | float:
    """1 for latent frames the step denoises, 0 for frames held clean, shaped (B, 1, F, 1, 1).

    Per-token timesteps (Wan 2.2 TI2V image to video: shape (batch, tokens),
    tokens in frame order) are 0 on the frames kept as given; the denoiser's
    output there is ignored by the pipeline, so the preview keeps the input.
    A timestep per sample means every frame is noised: 1. A timestep per latent
    cell, (batch, 1, F, H, W), counts a frame clean where all its cells are.
    """
    frames = latent_shape[2]
    if timestep is not None and timestep.ndim == 5:
        per_cell = timestep.amax(dim=(1, 3, 4))
        return (per_cell > 0).float().view(timestep.shape[0], 1, frames, 1, 1)
    if timestep is None or timestep.ndim != 2 or timestep.shape[1] % frames:
        return 1.0
    per_frame = timestep.reshape(timestep.shape[0], frames, -1)[:, :, 0]
    return (per_frame > 0).float().view(timestep.shape[0], 1, frames, 1, 1).to(timestep.device)


def _per_cell(timestep: torch.Tensor, to_video: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """One timestep per packed token, laid out like the tokens it goes with: (B, 1, F, H, W).

    LTX-Video's condition pipeline puts extra condition tokens first, which the
    adapter's layout drops. A layout tied to the latent channel count cannot take
    a one-feature tensor: the timesteps are then returned as given.
    """
    try:
        return to_video(timestep[..., None].float())
    except (RuntimeError, ValueError):
        return timestep


class CleanLatentTracker:
    """Captures the denoiser's input and outputs of the current step to predict the clean latent.

    Hooks on every denoiser module (Wan 2.2 A14B has two, one per noise range)
    record the ``hidden_states`` of the first call of a step and the output of
    each call (conditional first, then unconditional when guidance is on; or
    one call on the stacked [unconditional, conditional] batch).
    ``predict`` combines them as the pipeline does and returns the clean-latent
    estimate; ``reset`` starts the next step. Nothing is copied: only
    references are kept until the step ends.
    """

    def __init__(self, denoisers: list[torch.nn.Module], prediction: PredictionType) -> None:
        self._prediction = prediction
        self._hidden: torch.Tensor | None = None
        self._timestep: torch.Tensor | None = None
        self._outputs: list[torch.Tensor] = []
        self._handles = []
        for module in denoisers:
            self._handles.append(module.register_forward_pre_hook(self._pre_hook, with_kwargs=True))
            self._handles.append(module.register_forward_hook(self._post_hook))

    def _pre_hook(self, _module, args, kwargs):
        if self._hidden is None:
            # transformers name it ``hidden_states``, UNets ``sample``
            self._hidden = kwargs.get("hidden_states", kwargs.get("sample", args[0] if args else None))
            self._timestep = kwargs.get("timestep", args[1] if len(args) > 1 else None)
        return None

    def _post_hook(self, _module, _args, output):
        self._outputs.append(output[0] if isinstance(output, tuple) else output.sample)
        return None

    def predict(self, guidance_scale: float | torch.Tensor, sigma: float,
                to_video: Callable[[torch.Tensor], torch.Tensor] | None = None,
                batch: int | None = None) -> torch.Tensor | None:  # fmt: skip
        """The clean-latent estimate for this step, (B, C, F, H, W), or None when nothing was captured.

        Args:
            guidance_scale: the classifier-free guidance the pipeline applied (a tensor where it
                varies, e.g. per frame in Stable Video Diffusion, shaped to broadcast over the output).
            sigma: the noise level of this step (``step_sigma``): flow matching's sigma, or for
                epsilon and v prediction the variance-exploding one, ``sqrt((1 - a) / a)`` for
                ``a = alphas_cumprod[t]`` (the timestep a denoiser gets can be per token, e.g. 0
                on a kept first frame).
            to_video: the family adapter's conversion of the denoiser's latent layout to
                (B, C, F, H, W) (frames-first and packed-token pipelines); None: already so.
            batch: the pipeline's latent batch; a denoiser output twice that size is one batched
                pass over (unconditional, conditional) inputs, as diffusers' UNet pipelines make.
        """
        if self._hidden is None or not self._outputs:
            return None
        batch = 1 if batch is None else batch  # the studio generates one video per call
        hidden, timestep, output = self._hidden, self._timestep, self._guided(guidance_scale, batch)
        if hidden.shape[0] == 2 * batch:  # one batched pass: the halves share x_t
            hidden = hidden[:batch]
            if timestep is not None and timestep.ndim >= 1 and timestep.shape[0] == 2 * batch:
                timestep = timestep[:batch]
        if to_video is not None:
            if timestep is not None and timestep.ndim == 2 and hidden.ndim == 3 and timestep.shape[1] == hidden.shape[1]:
                timestep = _per_cell(timestep, to_video)
            hidden, output = to_video(hidden), to_video(output)
        # image-to-video denoisers see the noisy latent with conditioning channels appended
        hidden, output = hidden[:, : output.shape[1]].float(), output.float()
        if self._prediction == "flow":
            return hidden - sigma * _noised_frames(timestep, hidden.shape) * output
        # epsilon / v: the denoiser's input is the variance-preserving x_t = a^0.5 x0 + (1 - a)^0.5 noise
        # (DDIM's latent, or Euler's latent divided by (sigma^2 + 1)^0.5), with a = 1 / (1 + sigma^2)
        scale = (1.0 + sigma * sigma) ** 0.5
        if self._prediction == "epsilon":
            return hidden * scale - sigma * output
        return (hidden - sigma * output) / scale

    def _guided(self, guidance_scale: float | torch.Tensor, batch: int | None) -> torch.Tensor:
        """The guided output: two passes (conditional first), or one batched pass (unconditional half first)."""
        outputs = self._outputs
        guided = float(guidance_scale.max()) > 1.0 if isinstance(guidance_scale, torch.Tensor) else guidance_scale > 1.0
        if batch is not None and outputs[0].shape[0] == 2 * batch:  # LTX and UNet pipelines; later passes
            uncond, cond = outputs[0].chunk(2)  # (LTX-2's perturbed ones) are not guidance
        elif len(outputs) >= 2 and guided:
            cond, uncond = outputs[0], outputs[1]
        else:
            return outputs[0]
        if isinstance(guidance_scale, torch.Tensor):
            guidance_scale = guidance_scale.to(cond.device, cond.dtype)
        return uncond + guidance_scale * (cond - uncond)

    def reset(self) -> None:
        self._hidden = None
        self._timestep = None
        self._outputs = []

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
