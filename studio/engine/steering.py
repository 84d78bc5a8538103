"""Steering a generation with a guide video, written once for every family.

A guide video (frames, plus per-frame backward sampling maps from the motion
engine) steers a model in the ways its family declares:

* ``v2v``: the guide is encoded by the family's VAE, noised to the level
  where denoising starts, and only the remaining steps run
  (``guide_strength`` 0 = ignore the guide, 1 = keep it as is);
* ``warped_noise``: the initial noise of frame 0 is carried along the guide's
  motion, so the model's noise moves the way the camera does.

Both work with any diffusers pipeline that takes ``latents`` and a scheduler
with ``set_timesteps``/``timesteps`` (and ``sigmas`` where it keeps them: the
flow-matching ones do, DDIM-style ones over discrete timesteps do not); the
family's adapter says what the noise level is and how a latent is noised to it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuideVideo:
    """What the motion engine hands the engine for one image-to-video request (or, for video to video, the
    source clip fitted to the request, with no maps: ``engine/guide.GuideRenderer``).

    ``frames``: uint8 (F, H, W, 3) at the requested size, frame 0 the source image (or the clip's first frame).
    ``maps``: float32 (F, H, W, 2) backward sampling maps: pixel (x, y) of frame ``f``
    shows the content of frame 0 at ``maps[f, y, x]`` (pixel index coordinates).
    ``notes``: corrections made to the inputs (downscaled image, clamped arrows, ...).
``moving``: the arrows' dragged region per frame (``studio.motion.moving``), for dual-clock denoising.
    """

    frames: np.ndarray
    maps: np.ndarray
    notes: tuple[str, ...] = ()
    #: float32 (F, H, W) in [0, 1]: where the content the motion arrows drag is in each frame; None without arrows.
    moving: np.ndarray | None = None


#: Renders the guide of a request (the container wires the motion engine in).
GuideBuilder = Callable[..., GuideVideo]


def steps_to_skip(num_steps: int, guide_strength: float) -> int:
    """How many of ``num_steps`` the guide replaces; at least one step always runs."""
    if not 0.0 <= guide_strength <= 1.0:
        raise ValueError(f"guide_strength must be within 0..1, got {guide_strength}")
    return min(num_steps - 1, int(round(guide_strength * num_steps)))


@contextmanager
def truncated_schedule(scheduler: Any, skip: int) -> Iterator[None]:
    """Make the pipeline's ``scheduler.set_timesteps`` drop the first ``skip`` steps.

    The pipeline still asks for ``num_inference_steps``; the schedule it gets
    starts at the ``skip``-th noise level, as an image-to-image pipeline does.
    """
    if skip <= 0:
        yield
        return
    original = scheduler.set_timesteps

    # wraps: pipelines check the signature for ``sigmas`` / ``timesteps`` support before passing them
    @functools.wraps(original)
    def set_timesteps(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        scheduler.timesteps = scheduler.timesteps[skip:]
        sigmas = getattr(scheduler, "sigmas", None)
        if sigmas is not None:
            scheduler.sigmas = sigmas[skip:]
        if hasattr(scheduler, "set_begin_index"):
            scheduler.set_begin_index(0)

    scheduler.set_timesteps = set_timesteps
    try:
        yield
    finally:
        del scheduler.set_timesteps  # back to the class method


def start_sigma(scheduler: Any, num_steps: int, skip: int, device: torch.device) -> float:
    """The noise level at which a schedule truncated by ``skip`` starts."""
    scheduler.set_timesteps(num_steps, device=device)
    return float(scheduler.sigmas[skip])


def encode_guide(vae: Any, frames: np.ndarray, device: torch.device) -> torch.Tensor:
    """Encode uint8 frames (F, H, W, 3) to the pipeline's normalised latent (1, C, T, h, w), float32.

    Args:
        vae: the pipeline's VAE; the frames go in its own dtype (float32 on CUDA, see
            ``device.component_dtypes``) and are normalised with its ``latents_mean``/``latents_std``.
        device: the pipeline's execution device. Under offloading the VAE's weights
            sit on the CPU or on ``meta`` and its hooks move them here for the call.
    Call it under ``torch.inference_mode()``: the encoder's graph at full size is hundreds of GB.
    """
    video = torch.from_numpy(frames).to(device, torch.float32).permute(3, 0, 1, 2)[None] / 127.5 - 1.0
    latent = vae.encode(video.to(vae.dtype)).latent_dist.mode().float()
    config = vae.config
    mean = torch.tensor(config.latents_mean, device=latent.device).view(1, -1, 1, 1, 1)
    std = torch.tensor(config.latents_std, device=latent.device).view(1, -1, 1, 1, 1)
    return (latent - mean) / std


def latent_sampling_maps(maps_px: np.ndarray, temporal: int, spatial: int, latent_hw: tuple[int, int]) -> np.ndarray:
    """Pixel backward maps (F, H, W, 2: x, y of the source pixel in frame 0) -> latent ones (T, h, w, 2).

    Latent frame ``i`` stands for video frame ``temporal * i``; coordinates are
    sampled at latent cell centres and divided by ``spatial``.
    """
    num_frames, height, width, _ = maps_px.shape
    h, w = latent_hw
    count = (num_frames - 1) // temporal + 1
    ys = np.clip(((np.arange(h) + 0.5) * spatial - 0.5).round().astype(int), 0, height - 1)
    xs = np.clip(((np.arange(w) + 0.5) * spatial - 0.5).round().astype(int), 0, width - 1)
    picked = maps_px[np.minimum(np.arange(count) * temporal, num_frames - 1)][:, ys][:, :, xs]
    return ((picked + 0.5) / spatial - 0.5).astype(np.float32)


def warp_noise(shape: tuple[int, ...], maps: np.ndarray, generator: torch.Generator, keep: float = 0.9) -> torch.Tensor:
    """Initial noise (1, C, T, h, w) whose frames follow the guide's motion.

    Frame ``t`` samples frame 0's noise where the guide says its content came
    from (nearest neighbour, so each value stays a unit Gaussian), mixed with
    fresh noise as ``sqrt(keep) * warped + sqrt(1 - keep) * fresh`` so the
    variance stays 1; cells whose source lies outside frame 0 get fresh noise.
    """
    _, channels, frames, h, w = shape
    if maps.shape[:3] != (frames, h, w):
        raise ValueError(f"sampling maps {maps.shape[:3]} do not match the latent (frames, h, w) {(frames, h, w)}")
    base = torch.randn((1, channels, 1, h, w), generator=generator)
    fresh = torch.randn((1, channels, frames, h, w), generator=generator)
    grid = torch.from_numpy(maps).clone()
    inside = (grid[..., 0] >= -0.5) & (grid[..., 0] <= w - 0.5) & (grid[..., 1] >= -0.5) & (grid[..., 1] <= h - 0.5)
    grid[..., 0] = (grid[..., 0] + 0.5) / w * 2 - 1  # align_corners=False convention
    grid[..., 1] = (grid[..., 1] + 0.5) / h * 2 - 1
    source = base[0, :, 0][None].expand(frames, -1, -1, -1)  # (T, C, h, w)
    warped = F.grid_sample(source, grid, mode="nearest", padding_mode="border", align_corners=False)
    warped = warped.permute(1, 0, 2, 3)[None]  # (1, C, T, h, w)
    mixed = keep**0.5 * warped + (1 - keep) ** 0.5 * fresh[:, :, :]
    mask = inside[None, None]
    return torch.where(mask, mixed, fresh)


def noised_guide(guide_latent: torch.Tensor, noise: torch.Tensor, sigma: float) -> torch.Tensor:
    """Flow-matching forward process: ``(1 - sigma) * x0 + sigma * noise``."""
    return (1.0 - sigma) * guide_latent + sigma * noise.to(guide_latent.device, guide_latent.dtype)
