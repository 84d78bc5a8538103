"""The clean-latent preview for epsilon and v prediction equals the scheduler's own ``pred_original_sample``."""

from __future__ import annotations

import pytest
import torch
from diffusers import DDIMScheduler, EulerDiscreteScheduler

from studio.engine.families.unet_facts import ANIMATEDIFF_DDIM, SVD_EULER
from studio.engine.previews import CleanLatentTracker, step_sigma


class _Denoiser(torch.nn.Module):
    """A fixed random linear map over channels, called like a UNet (``sample``, ``timestep``) -> a tuple."""

    def __init__(self) -> None:
        super().__init__()
        self.mix = torch.nn.Conv3d(4, 4, 1)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.mix(sample),)


@pytest.fixture
def denoiser() -> _Denoiser:
    torch.manual_seed(0)
    return _Denoiser()


@pytest.mark.parametrize("step", [0, 4, 9])
def test_epsilon_prediction_with_ddim_matches_the_scheduler(denoiser: _Denoiser, step: int) -> None:
    scheduler = DDIMScheduler(**ANIMATEDIFF_DDIM)
    scheduler.set_timesteps(10)
    t = scheduler.timesteps[step]
    x_t = torch.randn(1, 4, 3, 6, 8)
    tracker = CleanLatentTracker([denoiser], "epsilon")
    with torch.no_grad():
        eps = denoiser(sample=x_t, timestep=t)[0]
        expected = scheduler.step(eps, t, x_t).pred_original_sample
        predicted = tracker.predict(1.0, step_sigma(scheduler, step), batch=1)
    assert predicted is not None and torch.allclose(predicted, expected, atol=1e-4)


def test_one_batched_guided_pass_is_split_unconditional_first(denoiser: _Denoiser) -> None:
    scheduler = DDIMScheduler(**ANIMATEDIFF_DDIM)
    scheduler.set_timesteps(10)
    t, x_t = scheduler.timesteps[3], torch.randn(1, 4, 3, 6, 8)
    tracker = CleanLatentTracker([denoiser], "epsilon")
    with torch.no_grad():
        both = torch.cat([x_t, x_t + 0.5])  # different halves, so the order matters
        uncond, cond = denoiser(sample=both, timestep=t)[0].chunk(2)
        expected = scheduler.step(uncond + 7.5 * (cond - uncond), t, x_t).pred_original_sample
        predicted = tracker.predict(7.5, step_sigma(scheduler, 3), batch=1)
    assert predicted is not None and torch.allclose(predicted, expected, atol=1e-4)


@pytest.mark.parametrize("step", [0, 12, 24])
def test_v_prediction_with_svds_euler_matches_the_scheduler(denoiser: _Denoiser, step: int) -> None:
    scheduler = EulerDiscreteScheduler(**SVD_EULER)
    scheduler.set_timesteps(25)
    t = scheduler.timesteps[step]
    sigma = float(scheduler.sigmas[step])
    x = torch.randn(1, 4, 3, 6, 8) * (sigma**2 + 1) ** 0.5
    scheduler._step_index = step  # as a pipeline that ran the steps before
    tracker = CleanLatentTracker([denoiser], "v")
    with torch.no_grad():
        v = denoiser(sample=scheduler.scale_model_input(x, t), timestep=t)[0]
        expected = scheduler.step(v, t, x).pred_original_sample
        predicted = tracker.predict(1.0, step_sigma(scheduler, step), batch=1)
    assert predicted is not None and torch.allclose(predicted, expected, rtol=1e-4, atol=1e-3)


def test_a_per_frame_guidance_tensor_is_applied_per_frame(denoiser: _Denoiser) -> None:
    tracker = CleanLatentTracker([denoiser], "v")
    x = torch.randn(1, 4, 3, 6, 8)
    guidance = torch.tensor([1.0, 2.0, 3.0]).view(1, 1, 3, 1, 1)
    with torch.no_grad():
        uncond, cond = denoiser(sample=torch.cat([x, 2 * x]), timestep=torch.tensor(1.0))[0].chunk(2)
        predicted = tracker.predict(guidance, 0.0, batch=1)  # sigma 0: the guided output drops out, x0 = x
        assert predicted is not None and torch.allclose(predicted, x)
        tracker.reset()
        uncond, cond = denoiser(sample=torch.cat([x, 2 * x]), timestep=torch.tensor(1.0))[0].chunk(2)
        predicted = tracker.predict(guidance, 1.0, batch=1)
    guided = uncond + guidance * (cond - uncond)
    assert predicted is not None and torch.allclose(predicted, (x - guided) / 2**0.5, atol=1e-5)


def test_a_zero_terminal_snr_step_has_a_finite_level_and_a_v_estimate_near_minus_v() -> None:
    from diffusers import DDIMScheduler

    from studio.engine.previews import CleanLatentTracker, step_sigma

    scheduler = DDIMScheduler(rescale_betas_zero_snr=True, prediction_type="v_prediction", timestep_spacing="trailing")
    scheduler.set_timesteps(4)
    assert float(scheduler.alphas_cumprod[int(scheduler.timesteps[0])]) == 0.0
    sigma = step_sigma(scheduler, 0)
    tracker = CleanLatentTracker([], "v")
    hidden = torch.randn(1, 4, 2, 3, 3)
    tracker._hidden, tracker._outputs = hidden, [hidden * 0 + 0.5]  # v = 0.5 everywhere
    clean = tracker.predict(1.0, sigma)
    assert sigma < float("inf") and clean is not None and torch.allclose(clean, torch.full_like(hidden, -0.5), atol=1e-2)
