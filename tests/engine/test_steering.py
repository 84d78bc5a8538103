from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import UniPCMultistepScheduler

from studio.engine.steering import (
    latent_sampling_maps,
    noised_guide,
    start_sigma,
    steps_to_skip,
    truncated_schedule,
    warp_noise,
)


def _scheduler() -> UniPCMultistepScheduler:
    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)


@pytest.mark.parametrize(("strength", "skip"), [(0.0, 0), (0.5, 5), (1.0, 9), (0.04, 0)])
def test_guide_strength_maps_to_skipped_steps(strength: float, skip: int) -> None:
    assert steps_to_skip(10, strength) == skip


def test_guide_strength_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="within 0..1, got 1.5"):
        steps_to_skip(10, 1.5)


def test_truncated_schedule_starts_later_and_is_restored() -> None:
    scheduler = _scheduler()
    scheduler.set_timesteps(10)
    full = scheduler.timesteps.clone()
    with truncated_schedule(scheduler, 4):
        scheduler.set_timesteps(10)
        assert torch.equal(scheduler.timesteps, full[4:])
        assert len(scheduler.sigmas) == len(scheduler.timesteps) + 1
    scheduler.set_timesteps(10)
    assert torch.equal(scheduler.timesteps, full)
    sigma = start_sigma(scheduler, 10, 4, torch.device("cpu"))
    assert 0 < sigma < 1 and sigma == pytest.approx(float(full[4]) / 1000, abs=1e-3)


def test_warped_noise_moves_with_the_guide_and_stays_unit_gaussian() -> None:
    frames, h, w = 3, 16, 24
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    # frame t shows frame-0 content shifted right by 2*t cells: it samples from x - 2t
    maps = np.stack([np.stack([xs - 2 * t, ys], axis=-1) for t in range(frames)])
    noise = warp_noise((1, 16, frames, h, w), maps, torch.Generator().manual_seed(0), keep=1.0)
    assert torch.equal(noise[0, :, 2, :, 4:], noise[0, :, 0, :, :-4])
    assert not torch.equal(noise[0, :, 2, :, :4], noise[0, :, 0, :, :4])  # uncovered: fresh noise
    ys, xs = np.mgrid[0:32, 0:32].astype(np.float32)
    drift = np.stack([np.stack([xs - t, ys + t], axis=-1) for t in range(8)])
    mixed = warp_noise((1, 16, 8, 32, 32), drift, torch.Generator().manual_seed(1))
    assert abs(float(mixed.std()) - 1.0) < 0.05 and abs(float(mixed.mean())) < 0.05


def test_warp_noise_checks_shapes() -> None:
    with pytest.raises(ValueError, match="do not match"):
        warp_noise((1, 16, 3, 8, 8), np.zeros((2, 8, 8, 2), np.float32), torch.Generator())


def test_latent_maps_subsample_time_and_space() -> None:
    frames, height, width = 9, 32, 48
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    maps = np.stack([np.stack([xs - 8 * t, ys], axis=-1) for t in range(frames)])
    latent = latent_sampling_maps(maps, temporal=4, spatial=8, latent_hw=(4, 6))
    assert latent.shape == (3, 4, 6, 2)
    np.testing.assert_allclose(latent[0, :, :, 0], np.tile(np.arange(6), (4, 1)), atol=0.07)
    np.testing.assert_allclose(latent[1, :, :, 0] - latent[0, :, :, 0], -4.0, atol=1e-5)  # frame 4: 32 px = 4 cells


def test_noised_guide_interpolates() -> None:
    x0, eps = torch.ones(1, 2, 1, 2, 2), torch.zeros(1, 2, 1, 2, 2)
    assert torch.allclose(noised_guide(x0, eps, 0.25), torch.full_like(x0, 0.75))
