from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.engine.families.base import LatentGeometry
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


def test_projection_applies_the_factors_to_the_normalised_latent() -> None:
    preview = WAN.preview_for(LatentGeometry(16, 4, 8))
    assert preview is not None
    latents = torch.randn(1, 16, 3, 4, 5)
    images = PreviewProjector(preview).project(latents, [0, 2], min_width_px=5)
    assert len(images) == 2 and images[0].shape == (4, 5, 3) and images[0].dtype == np.uint8
    expected = torch.einsum("chw,cr->hwr", latents[0, :, 2], torch.tensor(preview.factors)) + torch.tensor(preview.bias)
    expected = ((expected.clamp(-1, 1) + 1) * 127.5).round().numpy()
    assert np.abs(images[1].astype(float) - expected).max() <= 1.0


@pytest.mark.parametrize("channels", [16, 48])
def test_unit_gaussian_latents_preview_in_range_with_the_expected_spread(channels: int) -> None:
    """What the denoiser sees is about unit Gaussian per channel; its preview must not clip or drift."""
    preview = WAN.preview_for(LatentGeometry(channels, 4, 16 if channels == 48 else 8))
    assert preview is not None and preview.channels == channels
    latents = torch.randn(1, channels, 1, 96, 96, generator=torch.Generator().manual_seed(0))
    image = PreviewProjector(preview).project(latents, [0], min_width_px=1)[0].astype(float) / 127.5 - 1.0
    spread = torch.tensor(preview.factors).norm(dim=0).numpy()  # std of rgb = |column| for unit-Gaussian channels
    assert np.all((spread > 0.3) & (spread < 0.8))
    pixels = image.reshape(-1, 3)
    # most of the image inside [-1, 1] (de-normalising first, as the studio once did, clipped over half of it)
    assert np.mean((pixels > -1.0) & (pixels < 1.0)) > 0.75
    q25, q50, q75 = np.percentile(pixels, [25, 50, 75], axis=0)  # robust to the clipped tails
    np.testing.assert_allclose((q75 - q25) / 1.349, spread, rtol=0.1)
    np.testing.assert_allclose(q50, preview.bias, atol=0.05)


def test_previews_are_chosen_by_latent_channels() -> None:
    assert WAN.preview_for(LatentGeometry(16, 4, 8)).channels == 16  # type: ignore[union-attr]
    assert WAN.preview_for(LatentGeometry(48, 4, 16)).channels == 48  # type: ignore[union-attr]
    assert WAN.preview_for(LatentGeometry(32, 4, 8)) is None
    assert LatentGeometry(48, 4, 16).latent_shape(121, 704, 1280) == (1, 48, 31, 44, 80)


def test_small_previews_are_upscaled_for_display() -> None:
    images = PreviewProjector(WAN.previews[0]).project(torch.zeros(1, 16, 1, 6, 10), [0], min_width_px=40)
    assert images[0].shape == (24, 40, 3)


class _Velocity(torch.nn.Module):
    """A stand-in denoiser whose output depends on the conditioning, like a real one."""

    def forward(self, hidden_states, timestep, encoder_hidden_states, return_dict=False):
        return (hidden_states * 0 + encoder_hidden_states,)


def test_clean_latent_is_x_minus_sigma_times_guided_velocity() -> None:
    model = _Velocity()
    tracker = CleanLatentTracker([model], "flow")
    x = torch.full((1, 16, 2, 2, 2), 3.0)
    t = torch.tensor([250.0])
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(2.0))  # conditional
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(1.0))  # unconditional
    # v = 1 + 5 * (2 - 1) = 6; x0 = 3 - sigma * 6, with sigma as given (not the timestep the model got)
    assert torch.allclose(tracker.predict(guidance_scale=5.0, sigma=0.25), torch.full_like(x, 1.5))
    assert torch.allclose(tracker.predict(guidance_scale=5.0, sigma=0.5), torch.full_like(x, 0.0))
    tracker.reset()
    assert tracker.predict(5.0, 0.25) is None
    tracker.close()
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(2.0))
    assert tracker.predict(5.0, 0.25) is None  # hooks removed


def test_frames_held_clean_by_per_token_timesteps_keep_their_latent() -> None:
    """Wan 2.2 TI2V image to video: frame 0's tokens get timestep 0 and stay the encoded image."""
    model = _Velocity()
    tracker = CleanLatentTracker([model], "flow")
    x = torch.full((1, 48, 3, 4, 4), 3.0)
    tokens_per_frame = 2 * 2  # (4 / 2) x (4 / 2) patches
    t = torch.cat([torch.zeros(tokens_per_frame), torch.full((2 * tokens_per_frame,), 500.0)])[None]
    model(hidden_states=x, timestep=t, encoder_hidden_states=torch.tensor(2.0))
    clean = tracker.predict(guidance_scale=1.0, sigma=0.5)
    assert torch.equal(clean[:, :, 0], x[:, :, 0])  # held frame: unchanged
    assert torch.allclose(clean[:, :, 1:], torch.full_like(x[:, :, 1:], 2.0))  # 3 - 0.5 * 2
