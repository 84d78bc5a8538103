"""The runner on the real Wan pipeline class with the demo model (random weights, shrunk sizes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.errors import JobCanceledError, OutOfMemoryError
from studio.types import GenerationRequest, Phase
from tests.engine.recording_sink import RecordingSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Previews at every step, however fast: these tests follow the per-step preview mechanics."""
    return settings.model_copy(update={"preview_min_interval_ms": 0.0})


@pytest.fixture
def engine(settings: Settings):
    registry = ModelRegistry(offline=True)
    _device, manager, runner = build_engine(settings, registry)
    return manager, runner


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=3, guidance_scale=5.0, fps=8)
    values.update(overrides)
    return GenerationRequest(**values)


def test_output_shape_and_phases(engine) -> None:
    _manager, runner = engine
    sink = RecordingSink()
    result = runner.run(_request(), seed=1, sink=sink)
    assert result.frames.shape == (9, 48, 64, 3) and result.frames.dtype == np.uint8
    assert (result.num_frames, result.width, result.height, result.seed) == (9, 64, 48, 1)
    assert sink.phases() == [Phase.LOADING, Phase.LOADING, Phase.LOADING, Phase.ENCODING, Phase.DENOISING, Phase.DECODING]
    assert [e[1] for e in sink.events if e[0] == "progress"] == [1, 2, 3]


def test_same_seed_same_video_other_seed_other_video(engine) -> None:
    _manager, runner = engine
    first = runner.run(_request(), seed=7, sink=RecordingSink()).frames
    again = runner.run(_request(), seed=7, sink=RecordingSink()).frames
    other = runner.run(_request(), seed=8, sink=RecordingSink()).frames
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_previews_come_after_the_first_step_and_cover_the_clip(engine) -> None:
    _manager, runner = engine
    sink = RecordingSink()
    runner.run(_request(num_frames=17, steps=4), seed=3, sink=sink)
    kinds = sink.kinds()
    first_preview = kinds.index("preview")
    assert kinds[:first_preview].count("progress") == 1  # right after step 1
    previews = [e for e in sink.events if e[0] == "preview"]
    assert [p[1] for p in previews] == [1, 2, 3, 4]
    step, images, frames = previews[0][1:]
    assert frames == [0, 4, 12, 16] and len(images) == 4  # spread over 17 frames, not only the first
    assert all(img.dtype == np.uint8 and img.shape[-1] == 3 for img in images)
    assert not np.array_equal(images[0], images[-1])


def test_preview_is_the_predicted_clean_latent_not_the_noisy_one(engine, monkeypatch) -> None:
    manager, runner = engine
    captured = {}
    from studio.engine import previews as previews_module

    original = previews_module.PreviewProjector.project

    def spy(self, latents, frames, min_width_px=160):
        captured.setdefault("latents", latents.clone())
        return original(self, latents, frames, min_width_px)

    monkeypatch.setattr(previews_module.PreviewProjector, "project", spy)

    def grab(pipe, step, timestep, kwargs):
        captured.setdefault("noisy", kwargs["latents"].clone())
        return {}

    sink = RecordingSink()
    runner.run(_request(steps=2), seed=5, sink=sink)
    spec = runner._registry.resolve("wan-demo")
    with manager.use(spec, "t2v") as pipe:
        pipe(prompt="a red fox in snow", height=48, width=64, num_frames=9, num_inference_steps=2, guidance_scale=5.0,
             generator=torch.Generator().manual_seed(5), output_type="latent", callback_on_step_end=grab)
    assert captured["latents"].shape == captured["noisy"].shape
    assert not torch.allclose(captured["latents"], captured["noisy"])


def test_cancel_stops_within_a_step_and_never_decodes(engine, monkeypatch) -> None:
    manager, runner = engine
    spec = runner._registry.resolve("wan-demo")
    with manager.use(spec, "t2v") as pipe:
        decode_calls = []
        original = pipe.vae.decode
        monkeypatch.setattr(pipe.vae, "decode", lambda *a, **k: decode_calls.append(1) or original(*a, **k))
    sink = RecordingSink(cancel_after_step=2)
    with pytest.raises(JobCanceledError):
        runner.run(_request(steps=6), seed=1, sink=sink)
    assert sink.last_step == 2
    assert decode_calls == []
    assert Phase.DECODING not in sink.phases()
    # the next run is normal and decodes
    result = runner.run(_request(steps=2), seed=1, sink=RecordingSink())
    assert decode_calls == [1] and result.frames.shape[0] == 9


def test_out_of_memory_frees_idle_pipelines_and_says_what_to_try(engine, monkeypatch) -> None:
    manager, runner = engine
    spec = runner._registry.resolve("wan-demo")
    with manager.use(spec, "t2v") as pipe:
        def boom(*args, **kwargs):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

        monkeypatch.setattr(pipe.transformer, "forward", boom)
    with pytest.raises(OutOfMemoryError, match="out of memory.*9 frames at 64x48.*fewer frames"):
        runner.run(_request(), seed=1, sink=RecordingSink())
    assert manager.loaded() == []  # freed
    monkeypatch.undo()
    assert runner.run(_request(steps=1), seed=1, sink=RecordingSink()).frames.shape[0] == 9
