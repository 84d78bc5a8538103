from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.engine.families.wan import WAN
from studio.engine.previews import (
    CleanLatentTracker,
    PreviewProjector,
    keyframe_indices,
    latent_to_video_frame,
)


@pytest.mark.parametrize(
    ("frames", "count", "expected"),
    [(5, 4, [0, 1, 3, 4]), (21, 4, [0, 7, 13, 20]), (1, 4, [0]), (3, 1, [0]), (2, 8, [0, 1])],
)
def test_keyframes_spread_over_the_clip(frames: int, count: int, expected: list[int]) -> None:
    assert keyframe_indices(frames, count) == expected
    assert latent_to_video_frame(5, 4) == 20


def test_projection_matches_the_wan_factors_on_a_denormalised_latent() -> None:
    projector = PreviewProjector(WAN.preview)
    latents = torch.randn(1, 16, 3, 4, 5)
    images = projector.project(latents, [0, 2], min_width_px=5)
    assert len(images) == 2 and images[0].shape == (4, 5, 3) and images[0].dtype == np.uint8
    mean = torch.tensor(WAN.preview.latents_mean)[:, None, None]
    std = torch.tensor(WAN.preview.latents_std)[:, None, None]
    raw = latents[0, :, 2] * std + mean
    expected = torch.einsum("chw,cr->hwr", raw, torch.tensor(WAN.preview.factors)) + torch.tensor(WAN.preview.bias)
    expected = ((expected.clamp(-1, 1) + 1) * 127.5).round().numpy()
    assert np.abs(images[1].astype(float) - expected).max() <= 1.0


def test_small_previews_are_upscaled_for_display() -> None:
    images = PreviewProjector(WAN.preview).project(torch.zeros(1, 16, 1, 6, 10), [0], min_width_px=40)
    assert images[0].shape == (24, 40, 3)


class _Velocity(torch.nn.Module):
    """A stand-in denoiser whose output depends on the conditioning, like a real one."""

    def forward(self, hidden_states, timestep, encoder_hidden_states, return_dict=False):
        return (hidden_states * 0 + encoder_hidden_states,)


def test_clean_latent_is_x_minus_sigma_times_guided_velocity() -> None:
    model = _Velocity()
    tracker = CleanLatentTracker([model], "flow", num_train_timesteps=1000)
    x = torch.full((1, 16, 2, 2, 2), 3.0)
    t = torch.tensor([250.0])
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(2.0))  # conditional
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(1.0))  # unconditional
    clean = tracker.predict(guidance_scale=5.0)
    # v = 1 + 5 * (2 - 1) = 6; sigma = 0.25; x0 = 3 - 1.5
    assert torch.allclose(clean, torch.full_like(x, 1.5))
    tracker.reset()
    assert tracker.predict(5.0) is None
    tracker.close()
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(2.0))
    assert tracker.predict(5.0) is None  # hooks removed
