"""HunyuanVideo 1.5 through the family end-to-end path (text to video, image to video, cancel, rules)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.engine.adapters.hunyuan15 import HunyuanVideo15Adapter
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.motion.specs import CameraSpec, MotionSpec, TrajectorySpec
from studio.types import GenerationRequest
from tests.families.harness import cancel_while_denoising, generate, source_image

# guidance 1 turns the guider's unconditional pass off: the pipeline pads every prompt to 1000 + 256 text tokens
# and adds 729 image tokens, so even the tiny demo's step costs tens of milliseconds per pass
SMALL = dict(width=64, height=48, num_frames=9, steps=2, fps=8, guidance_scale=1.0)


def test_text_to_video_has_no_live_preview_and_says_so(container: Container) -> None:
    job = generate(container, GenerationRequest(prompt='a sign that says "OPEN"', model="hunyuan15-demo", **SMALL),
                   expect_previews=False)  # fmt: skip
    assert any("no live preview" in note and "32 latent channels" in note for note in job.notes), job.notes


def test_image_to_video_steered_by_a_camera_move(container: Container, tmp_path: Path) -> None:
    # the pipeline picks its own size bucket from the image; the studio pins it to the request (64x48 is no bucket)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="hunyuan15-i2v-demo", image=source_image(tmp_path),
                                motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), guide_strength=0.5,
                                **SMALL)  # fmt: skip
    generate(container, request, expect_previews=False)


def test_image_to_video_steered_by_an_arrow_through_the_dual_clock(container: Container, tmp_path: Path) -> None:
    """The dragged region follows the guide longer than the rest; the pipeline has no step callback, so the
    anchoring goes through the scheduler's step (``step_callback``)."""
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="hunyuan15-i2v-demo", image=source_image(tmp_path),
                                motion=MotionSpec(trajectories=[arrow]), guide_strength=0.0, arrow_strength=0.5,
                                **{**SMALL, "steps": 4})  # fmt: skip
    job = generate(container, request, expect_previews=False)
    assert any(note.startswith("dual clock:") for note in job.notes), job.notes


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="hunyuan15-demo",
                                                        **{**SMALL, "steps": 30}))  # fmt: skip


@pytest.mark.parametrize(("field", "value", "rule"), [("num_frames", 10, "4k+1"), ("width", 70, "multiples of 16")])
def test_sizes_off_the_rules_are_rounded_with_a_note(container: Container, field: str, value: int, rule: str) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="hunyuan15-demo", **{**SMALL, field: value}))
    assert rule in (job.message or "")
    container.jobs.cancel(job.id)


def test_an_image_model_refuses_text_to_video(container: Container) -> None:
    from studio.errors import StudioError

    with pytest.raises(StudioError, match="t2v"):
        container.jobs.submit(GenerationRequest(prompt="a fox", model="hunyuan15-i2v-demo", **SMALL))


def test_start_latents_are_the_noised_encoded_guide(container: Container) -> None:
    """Video-to-video strength reaches the pipeline: start latents = the guide encoded in the pipeline's latent
    space (mode x scaling factor), noised to the pipeline's own schedule at the skipped step."""
    runner = GenerationRunner(container.settings, container.registry, container.manager, container.device)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="hunyuan15-i2v-demo", image="x.png",
                                guide_strength=0.5, warped_noise=False, **{**SMALL, "steps": 4})  # fmt: skip
    frames = np.zeros((9, 48, 64, 3), np.uint8)
    frames[:, 10:30, 20:40] = 200
    guide = GuideVideo(frames=frames, maps=np.zeros((9, 48, 64, 2), np.float32))
    adapter = HunyuanVideo15Adapter()
    spec = container.registry.resolve("hunyuan15-i2v-demo")
    with torch.inference_mode(), runner._manager.use(spec, "i2v") as pipe:
        extra, skip, _ = runner._steering_inputs(adapter, pipe, adapter.geometry(pipe), container.registry.steering(spec),
                                              request, guide, torch.Generator().manual_seed(3), [])  # fmt: skip
        raw = pipe.vae.encode(torch.from_numpy(frames).permute(3, 0, 1, 2)[None].float() / 127.5 - 1).latent_dist.mode()
        sigma = adapter.start_noise_level(pipe, 4, skip, torch.device("cpu"))
        sigmas = pipe.scheduler.sigmas
    latent = raw * pipe.vae.config.scaling_factor
    noise = torch.randn(latent.shape, generator=torch.Generator().manual_seed(3))
    assert skip == 2 and 0.0 < sigma < 1.0 and sigma == pytest.approx(float(sigmas[2]))
    assert extra["latents"].shape == (1, 32, 3, 3, 4)
    assert torch.allclose(extra["latents"], (1 - sigma) * latent + sigma * noise, atol=1e-5)
