"""Wan 2.2 end to end on shrunk demos: TI2V (48 latent channels, 16x VAE) and A14B (two transformers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config import Settings
from studio.engine.adapters.wan import WanAdapter
from studio.engine.device import resolve_device
from studio.engine.manager import ModelManager
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError, JobCanceledError
from studio.types import GenerationRequest, Mode, Phase
from tests.engine.recording_sink import RecordingSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Previews at every step, however fast: these tests follow the per-step preview mechanics."""
    return settings.model_copy(update={"preview_min_interval_ms": 0.0})

W, H, F = 96, 64, 9


def _guide(request: GenerationRequest, with_maps: bool = True) -> GuideVideo:
    frames = np.random.default_rng(0).integers(0, 255, (request.num_frames, request.height, request.width, 3), np.uint8)
    ys, xs = np.mgrid[0 : request.height, 0 : request.width].astype(np.float32)
    maps = np.stack([np.stack([xs, ys], axis=-1)] * request.num_frames)
    return GuideVideo(frames=frames, maps=maps)


@pytest.fixture
def runner(settings: Settings) -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_guide)


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="waves at dusk", model="wan22-ti2v-demo", width=W, height=H, num_frames=F, steps=3, fps=8)
    values.update(overrides)
    return GenerationRequest(**values)


def test_ti2v_text_to_video_runs_with_48_channel_previews(runner: GenerationRunner) -> None:
    sink = RecordingSink()
    result = runner.run(_request(), seed=1, sink=sink)
    assert result.frames.shape == (F, H, W, 3) and not result.notes
    with runner._manager.use(runner._registry.resolve("wan22-ti2v-demo"), "t2v") as pipe:
        geometry = WanAdapter().geometry(pipe)
    assert (geometry.channels, geometry.temporal_compression, geometry.spatial_compression) == (48, 4, 16)
    previews = [e for e in sink.events if e[0] == "preview"]
    assert [p[1] for p in previews] == [1, 2, 3]
    _step, images, frames = previews[0][1:]
    assert frames == [0, 4, 8] and images[0].shape[:2] == (4 * 27, 6 * 27)  # 4x6 latent cells, x27 to reach 160 px


def test_ti2v_image_to_video_steers_48_channel_latents(runner: GenerationRunner, monkeypatch) -> None:
    request = _request(mode=Mode.I2V, guide_strength=0.5, steps=4)
    spec = runner._registry.resolve("wan22-ti2v-demo")
    seen = {}
    with runner._manager.use(spec, "i2v") as pipe:
        assert type(pipe).__name__ == "WanImageToVideoPipeline" and pipe.config.expand_timesteps
        original = type(pipe).__call__

        def spy(self, *args, **kwargs):
            seen.update(kwargs)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(type(pipe), "__call__", spy)
    sink = RecordingSink()
    result = runner.run(request, seed=2, sink=sink)
    assert result.frames.shape == (F, H, W, 3)
    assert seen["latents"].shape == (1, 48, 3, H // 16, W // 16)
    assert [e[1:] for e in sink.events if e[0] == "progress"] == [(1, 2), (2, 2)]  # the guide replaced half


def test_ti2v_sizes_must_be_whole_32_px_patches(runner: GenerationRunner) -> None:
    spec = runner._registry.resolve("wan22-ti2v-demo")
    with pytest.raises(InvalidRequestError, match="multiples of 32, got 48 and 96"):
        runner._registry.size_rules(spec).check(96, 48, 9, round_values=False)
    assert runner._registry.size_rules(spec).check(100, 50, 9, round_values=True)[:2] == (96, 64)
    with pytest.raises(InvalidRequestError, match="multiples of 32 for wan22-ti2v-demo, got 48 and 96"):
        runner.run(_request(height=48), seed=1, sink=RecordingSink())


def _calls_per_transformer(pipe) -> tuple[list[str], list]:
    calls: list[str] = []
    handles = [getattr(pipe, name).register_forward_hook(lambda *_a, name=name: calls.append(name))
               for name in ("transformer", "transformer_2")]  # fmt: skip
    return calls, handles


def test_a14b_switches_transformers_and_previews_every_step(runner: GenerationRunner) -> None:
    spec = runner._registry.resolve("wan22-a14b-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        assert pipe.config.boundary_ratio == 0.875
        calls, handles = _calls_per_transformer(pipe)
    sink = RecordingSink()
    try:
        runner.run(_request(model="wan22-a14b-demo", width=64, height=48, steps=6), seed=1, sink=sink)
    finally:
        for handle in handles:
            handle.remove()
    # cond + uncond per step; high noise first, then the low-noise transformer to the end
    assert calls[0] == "transformer" and calls[-1] == "transformer_2" and len(calls) == 12
    assert calls == sorted(calls, key=lambda name: name == "transformer_2")
    previews = [e for e in sink.events if e[0] == "preview"]
    assert [p[1] for p in previews] == [1, 2, 3, 4, 5, 6]
    assert not np.array_equal(previews[-1][2][0], previews[-2][2][0])  # the low-noise steps still update it


def test_a14b_cancel_stops_inside_the_second_transformer(runner: GenerationRunner) -> None:
    spec = runner._registry.resolve("wan22-a14b-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        pipe.scheduler.set_timesteps(6)
        low_from = next(i for i, t in enumerate(pipe.scheduler.timesteps) if t < 875)
        calls, handles = _calls_per_transformer(pipe)
    sink = RecordingSink(cancel_after_step=low_from + 1)
    try:
        with pytest.raises(JobCanceledError):
            runner.run(_request(model="wan22-a14b-demo", width=64, height=48, steps=6), seed=1, sink=sink)
    finally:
        for handle in handles:
            handle.remove()
    # step low_from ran on transformer_2 (2 calls); the next step's first call to it was stopped before running
    assert calls.count("transformer_2") == 2 and sink.last_step == low_from + 1
    assert Phase.DECODING not in sink.phases()
    assert torch.is_inference_mode_enabled() is False  # the run's inference mode ended with it
