"""Video to video end to end on demo models of several families: the clip reaches the pipeline and shapes the output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.engine.adapters import load_adapter
from studio.engine.guide import GuideRenderer
from studio.engine.runner import GenerationRunner
from studio.media.reading import read_video
from studio.types import GenerationRequest, Job
from tests.engine.recording_sink import RecordingSink
from tests.families.harness import generate

SMALL = dict(width=64, height=48, num_frames=9, fps=8, steps=3, seed=7)
#: (model, size overrides): a t2v pipeline with start latents (Wan, HunyuanVideo 1.5), a dedicated
#: video-to-video pipeline taking the clip itself (CogVideoX), and an SD UNet one with DDIM noise (AnimateDiff).
FAMILIES = ["wan-demo", "hunyuan15-demo", "cogvideox-demo", "animatediff-demo"]


def _request(model: str, clip: Path, **overrides) -> GenerationRequest:
    values = {**SMALL, "guide_strength": 0.7, **overrides}
    return GenerationRequest(mode="v2v", prompt="a fox", model=model, video=str(clip), **values)


def _frames(container: Container, job: Job) -> np.ndarray:
    assert job.outputs.video is not None
    return read_video(container.jobs.output_dir(job.id) / job.outputs.video).frames.astype(np.float64)


@pytest.mark.parametrize("model", FAMILIES)
def test_the_output_depends_on_the_source_clip(container: Container, clips: dict[str, Path], model: str) -> None:
    spec = container.registry.resolve(model)
    first = generate(container, _request(model, clips["a"]), expect_previews=model != "hunyuan15-demo")  # no factors
    other = container.jobs.wait(container.jobs.submit(_request(model, clips["b"])).id, timeout_s=120)
    # seeded, no watermark: the clip is all that differs (a clip ignored would give the same frames)
    assert np.abs(_frames(container, first) - _frames(container, other)).mean() > 2.0
    assert any("noise not warped" in n for n in first.notes) == ("warped_noise" in container.registry.steering(spec))


@pytest.fixture(scope="module")
def runner(container: Container) -> GenerationRunner:
    c = container
    return GenerationRunner(c.settings, c.registry, c.manager, c.device, guide_builder=GuideRenderer(c.settings))


def _start_latents(runner: GenerationRunner, request: GenerationRequest) -> tuple[dict, int, torch.Tensor, object]:
    """The runner's steering inputs for ``request`` and the clip's encoded latent (the family's own encoder)."""
    registry = runner._registry
    spec = registry.resolve(request.model)
    adapter = load_adapter(registry.adapter_path(spec))
    guide = GuideRenderer(runner._settings)(request)
    mode = registry.pipeline_mode(spec, "v2v")
    with torch.inference_mode(), runner._manager.use(spec, mode) as pipe:
        geometry = adapter.geometry(pipe)
        extra, skip, _dual = runner._steering_inputs(adapter, pipe, geometry, registry.steering(spec), request, guide,
                                                     torch.Generator().manual_seed(3), [], mode)  # fmt: skip
        encoded = adapter.encode_video(pipe, guide.frames, torch.device("cpu"))
        level = adapter.start_noise_level(pipe, request.steps, skip, torch.device("cpu"), request=request)
        noise = torch.randn(encoded.shape, generator=torch.Generator().manual_seed(3))
        expected = adapter.from_video_layout(adapter.noised(pipe, encoded, noise, level), geometry, request)
    return extra, skip, encoded, expected


@pytest.mark.parametrize("model", ["wan-demo", "hunyuan15-demo"])
def test_start_latents_are_the_noised_encoded_clip(runner: GenerationRunner, clips: dict[str, Path], model: str) -> None:
    request = _request(model, clips["a"], steps=4, guide_strength=0.5)
    extra, skip, _encoded, expected = _start_latents(runner, request)
    assert skip == 2 and "image" not in extra  # a text-to-video pipeline: the clip comes in as latents only
    assert torch.allclose(extra["latents"], expected.to(extra["latents"].dtype), atol=1e-5)


@pytest.mark.parametrize("strength, steps_run", [(0.25, 3), (0.5, 2), (1.0, 1)])
def test_strength_is_the_share_of_denoising_the_clip_replaces(runner: GenerationRunner, clips: dict[str, Path],
                                                             strength: float, steps_run: int) -> None:  # fmt: skip
    sink = RecordingSink()
    runner.run(_request("wan-demo", clips["a"], steps=4, guide_strength=strength), seed=1, sink=sink)
    assert [e[1:] for e in sink.events if e[0] == "progress"] == [(i, steps_run) for i in range(1, steps_run + 1)]
    assert "reading the source video" in sink.phase_messages


def test_an_image_to_video_pipeline_gets_the_clips_first_frame(runner: GenerationRunner, clips: dict[str, Path]) -> None:
    request = _request("wan22-ti2v-demo", clips["a"], width=64, height=64)
    assert runner._registry.pipeline_mode(runner._registry.resolve("wan22-ti2v-demo"), "v2v") == "i2v"
    guide = GuideRenderer(runner._settings)(request)
    assert guide.notes == ("source clip 64x48 scaled to 85x64 and centre-cropped to 64x64",)
    extra, skip, _encoded, expected = _start_latents(runner, request)
    assert np.array_equal(np.asarray(extra["image"]), guide.frames[0]) and skip == 2
    assert torch.allclose(extra["latents"], expected.to(extra["latents"].dtype), atol=1e-5)
