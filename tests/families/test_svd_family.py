"""Stable Video Diffusion through the family end-to-end path: no prompt, its own controls, EDM steering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.engine.adapters.animatediff import encode_frames
from studio.engine.adapters.svd import SvdAdapter
from studio.engine.families.svd import SVD
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError
from studio.jobs.defaults import request_with_defaults
from studio.motion.specs import CameraSpec, MotionSpec, TrajectorySpec
from studio.types import GenerationRequest
from tests.engine.recording_sink import RecordingSink
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=64, height=48, num_frames=9, steps=3, fps=8)


def _request(folder: Path, **overrides) -> GenerationRequest:
    values = dict(mode="i2v", prompt="", model="svd-demo", image=source_image(folder),
                  motion=MotionSpec(camera=CameraSpec(presets=["zoom_in"])), **SMALL)  # fmt: skip
    return GenerationRequest(**{**values, **overrides})


def test_image_to_video_steered_by_a_camera_move(container: Container, tmp_path: Path) -> None:
    generate(container, _request(tmp_path, guide_strength=0.3), expect_previews=True)


def test_cancel(container: Container, tmp_path: Path) -> None:
    cancel_while_denoising(container, _request(tmp_path, steps=30))


def test_a_prompt_is_refused_naming_the_model(container: Container, tmp_path: Path) -> None:
    for values in ({"prompt": "a fox"}, {"negative_prompt": "blurry"}):
        with pytest.raises(InvalidRequestError, match="model 'svd-demo' takes no prompt"):
            container.jobs.submit(_request(tmp_path, **values))


def test_text_to_video_and_a_missing_image_are_refused(container: Container, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="'svd-demo' cannot do t2v; it supports i2v"):
        container.jobs.submit(GenerationRequest(prompt="", model="svd-demo", **SMALL))
    with pytest.raises(InvalidRequestError, match="image-to-video needs a source image"):
        container.jobs.submit(_request(tmp_path, image=None))


def test_front_end_defaults_leave_the_prompt_empty_and_the_card_conditioning(container: Container) -> None:
    request = request_with_defaults({"mode": "i2v", "model": "svd-demo"}, container.settings, container.registry)
    assert request.prompt == "" and (request.motion_bucket_id, request.noise_aug_strength) == (127, 0.02)
    wan = request_with_defaults({"mode": "i2v", "model": "wan-i2v-demo"}, container.settings, container.registry)
    assert wan.prompt == "animate the image"


@pytest.mark.parametrize("field, value", [("motion_bucket_id", 0), ("motion_bucket_id", 256),
                                          ("noise_aug_strength", -0.1), ("noise_aug_strength", 1.5)])  # fmt: skip
def test_conditioning_out_of_range_is_refused_naming_the_field(container: Container, field: str, value: float) -> None:
    with pytest.raises(InvalidRequestError, match=field):
        request_with_defaults({"mode": "i2v", "model": "svd-demo", field: value}, container.settings, container.registry)


def test_the_call_carries_svd_conditioning_and_no_prompt_or_guidance() -> None:
    request = GenerationRequest(mode="i2v", prompt="", model="svd-demo", motion_bucket_id=40, noise_aug_strength=0.1,
                                **SMALL)  # fmt: skip
    kwargs = SvdAdapter().call_kwargs(None, request)
    assert kwargs == {"height": 48, "width": 64, "num_frames": 9, "num_inference_steps": 3, "fps": 8,
                      "motion_bucket_id": 40, "noise_aug_strength": 0.1}  # fmt: skip
    assert "prompt" not in SVD.inputs and "guidance_scale" not in SVD.inputs


def test_motion_bucket_changes_the_clip(runner: GenerationRunner, tmp_path: Path) -> None:
    low = runner.run(_request(tmp_path, motion_bucket_id=1), seed=3, sink=RecordingSink()).frames
    high = runner.run(_request(tmp_path, motion_bucket_id=255), seed=3, sink=RecordingSink()).frames
    assert low.shape == (9, 48, 64, 3) and not np.array_equal(low, high)


def test_start_latents_are_the_edm_noised_guide_divided_by_the_initial_noise_level(runner: GenerationRunner) -> None:
    adapter = SvdAdapter()
    request = GenerationRequest(mode="i2v", prompt="", model="svd-demo", guide_strength=0.5, warped_noise=False,
                                **{**SMALL, "steps": 4})  # fmt: skip
    frames = np.random.default_rng(0).integers(0, 255, (9, 48, 64, 3), dtype=np.uint8)
    guide = GuideVideo(frames=frames, maps=np.zeros((9, 48, 64, 2), np.float32))
    spec = runner._registry.resolve("svd-demo")
    with runner._manager.use(spec, "i2v") as pipe, torch.inference_mode():
        geometry = adapter.geometry(pipe)
        extra, skip, _dual = runner._steering_inputs(adapter, pipe, geometry, SVD.steering, request, guide,
                                              torch.Generator().manual_seed(3), [])  # fmt: skip
        latent = encode_frames(pipe.vae, frames, torch.device("cpu"))
        pipe.scheduler.set_timesteps(4)
        sigma = float(pipe.scheduler.sigmas[skip])
        # what prepare_latents multiplies by once the runner has truncated the schedule to start at sigma
        pipe.scheduler.sigmas = pipe.scheduler.sigmas[skip:]
        initial = float(pipe.scheduler.init_noise_sigma)
    noise = torch.randn(latent.shape, generator=torch.Generator().manual_seed(3))
    assert skip == 2 and extra["latents"].shape == (1, 9, 4, 6, 8)  # frames first, as the pipeline keeps them
    expected = (latent + sigma * noise) / initial
    assert torch.allclose(extra["latents"], expected.permute(0, 2, 1, 3, 4), atol=1e-5)


def test_runs_in_bf16_as_on_cuda(bf16_runner: GenerationRunner, tmp_path: Path) -> None:
    # image latents go from the VAE to the UNet uncast: the family keeps no component in float32
    result = bf16_runner.run(_request(tmp_path, guide_strength=0.3), seed=1, sink=RecordingSink())
    assert result.frames.shape == (9, 48, 64, 3)


def test_motion_arrows_steer_through_the_dual_clock(container: Container, tmp_path: Path) -> None:
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = _request(tmp_path, motion=MotionSpec(trajectories=[arrow]), steps=4)
    job = generate(container, request, expect_previews=True)
    assert "dual clock: the arrows' regions" in (job.message or "")
