"""Dual-clock denoising (the training-free Time-to-Move method), written once for every family.

Image to video with motion arrows: the regions the arrows drag follow the
guide video from a lower noise level than the rest of the frame. Denoising
starts at the background's level (``guide_strength``: the whole frame is the
guide noised to it, or pure noise at 0); after each step, while the schedule
is above the moving regions' level (``arrow_strength``), those regions are
replaced by the guide noised to the level of the next step. They so start
their free denoising at the lower level and move as drawn, while the
background, free from the higher level, is the model's own.

Works for every family whose steering includes ``v2v``: levels, noising and
latent layouts come from the family's adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import torch

from studio.engine.adapters.base import PipelineAdapter
from studio.engine.families.base import LatentGeometry
from studio.types import GenerationRequest


def latent_mask(moving: np.ndarray, geometry: LatentGeometry, latent_hw: tuple[int, int]) -> torch.Tensor:
    """The moving regions (F, H, W) on the latent grid, (1, 1, T, h, w) of 0/1.

    Latent frame ``i`` stands for video frame ``temporal_compression * i``; a
    latent cell is moving when at least half of the pixels it covers are.
    """
    h, w = latent_hw
    count = geometry.latent_frames(len(moving))
    frames = np.minimum(np.arange(count) * geometry.temporal_compression, len(moving) - 1)
    cells = np.stack([cv2.resize(moving[f], (w, h), interpolation=cv2.INTER_AREA) for f in frames])
    return torch.from_numpy((cells >= 0.5).astype(np.float32))[None, None]


@dataclass
class DualClock:
    """The moving regions' anchor to the guide during the steps above their own noise level.

    ``levels[j]`` is the noise level entering step ``j`` of the (truncated) schedule;
    the last one is the moving regions' level, where they go free.
    """

    adapter: PipelineAdapter
    pipe: Any
    geometry: LatentGeometry
    request: GenerationRequest
    mask: torch.Tensor  # (1, 1, T, h, w), studio layout
    guide: torch.Tensor  # clean guide latent (1, C, T, h, w)
    noise: torch.Tensor  # the noise the guide is noised with at every level (same shape)
    levels: list[float]

    def start_latents(self) -> torch.Tensor:
        """The whole frame noised to the background's level (studio layout)."""
        return self.adapter.noised(self.pipe, self.guide, self.noise, self.levels[0])

    def after_step(self, step: int, latents: torch.Tensor) -> torch.Tensor | None:
        """Latents for the next step with the moving regions put back on the guide; None once they are free.

        ``step`` counts every step of the call from 0 (a long clip's later windows never reach here);
        a first window shorter than the clip is anchored on the clip's first frames.
        """
        following = step + 1
        if following >= len(self.levels):
            return None
        video = self.adapter.to_video_layout(latents, self.geometry, self.request)
        frames = video.shape[2]
        if video.shape[3:] != self.guide.shape[3:] or frames > self.guide.shape[2]:
            return None
        guide, noise = self.guide[:, :, :frames], self.noise[:, :, :frames]
        anchored = self.adapter.noised(self.pipe, guide, noise, self.levels[following])
        mask = self.mask[:, :, :frames].to(video.device, video.dtype)
        mixed = mask * anchored.to(video.device, video.dtype) + (1.0 - mask) * video
        return self.adapter.from_video_layout(mixed, self.geometry, self.request)


def build_dual_clock(adapter: PipelineAdapter, pipe: Any, geometry: LatentGeometry, request: GenerationRequest,
                     moving: np.ndarray, guide_latent: torch.Tensor, noise: torch.Tensor, skip: int,
                     strong_skip: int, device: torch.device) -> DualClock:  # fmt: skip
    """A dual clock from step ``skip`` (the background's start) to ``strong_skip`` (the moving regions' start)."""
    levels = [adapter.start_noise_level(pipe, request.steps, k, device, request=request)
              for k in range(skip, strong_skip + 1)]
    mask = latent_mask(moving, geometry, tuple(guide_latent.shape[3:]))  # type: ignore[arg-type]
    return DualClock(adapter, pipe, geometry, request, mask, guide_latent, noise.to(guide_latent.device), levels)
