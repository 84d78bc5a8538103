"""Image-to-video on the Wan I2V demo, steered by a guide video (plumbing; geometry is tested on the motion engine)."""

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
from studio.engine.steering import GuideVideo, encode_guide, start_sigma
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink

W, H, F = 64, 48, 9


def _pan_guide(request: GenerationRequest, with_maps: bool = True) -> GuideVideo:
    """A textured image sliding left 2 px per frame, with its exact backward maps."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    maps = np.stack([np.stack([np.clip(xs + 2 * f, 0, W - 1), ys], axis=-1) for f in range(F)])
    frames = np.stack([image[ys.astype(int), maps[f, ..., 0].astype(int)] for f in range(F)])
    return GuideVideo(frames=frames, maps=maps, notes=("test guide",))


@pytest.fixture
def runner(settings: Settings) -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_pan_guide)


def _request(**overrides) -> GenerationRequest:
    values = dict(mode=Mode.I2V, prompt="the camera pans", model="wan-i2v-demo", width=W, height=H, num_frames=F, steps=4)
    values.update(overrides)
    return GenerationRequest(**values)


def test_image_to_video_runs_and_is_deterministic(runner: GenerationRunner) -> None:
    first = runner.run(_request(), seed=2, sink=RecordingSink())
    again = runner.run(_request(), seed=2, sink=RecordingSink())
    assert first.frames.shape == (F, H, W, 3) and first.notes == ["test guide"]
    assert np.array_equal(first.frames, again.frames)


def test_guide_strength_replaces_steps(runner: GenerationRunner) -> None:
    sink = RecordingSink()
    runner.run(_request(steps=4, guide_strength=0.5), seed=1, sink=sink)
    assert [e[1:] for e in sink.events if e[0] == "progress"] == [(1, 2), (2, 2)]
    full = RecordingSink()
    runner.run(_request(steps=4, guide_strength=0.0), seed=1, sink=full)
    assert [e[2] for e in full.events if e[0] == "progress"] == [4, 4, 4, 4]


def test_start_latents_are_the_noised_encoded_guide(runner: GenerationRunner) -> None:
    request = _request(steps=4, guide_strength=0.5, warped_noise=False)
    spec = runner._registry.resolve("wan-i2v-demo")
    guide = _pan_guide(request)
    with runner._manager.use(spec, "i2v") as pipe:
        steering = runner._registry.steering(spec)
        extra, skip, _dual = runner._steering_inputs(WanAdapter(), pipe, WanAdapter().geometry(pipe), steering, request, guide,
                                              torch.Generator().manual_seed(3), [])  # fmt: skip
        latent = encode_guide(pipe.vae, guide.frames, torch.device("cpu"))
        sigma = start_sigma(pipe.scheduler, 4, skip, torch.device("cpu"))
    noise = torch.randn(latent.shape, generator=torch.Generator().manual_seed(3))
    assert skip == 2 and extra["image"].size == (W, H)
    assert torch.allclose(extra["latents"], (1 - sigma) * latent + sigma * noise, atol=1e-5)


def test_warped_noise_changes_the_start_and_follows_the_pan(runner: GenerationRunner) -> None:
    request = _request(warped_noise=True)
    spec = runner._registry.resolve("wan-i2v-demo")
    with runner._manager.use(spec, "i2v") as pipe:
        extra, skip, _dual = runner._steering_inputs(WanAdapter(), pipe, WanAdapter().geometry(pipe), runner._registry.steering(spec), request,
                                              _pan_guide(request), torch.Generator().manual_seed(0), [])  # fmt: skip
    latents = extra["latents"]
    assert skip == 0 and latents.shape == (1, 16, 3, H // 8, W // 8)
    # latent frame 1 = video frame 4: content moved 8 px = 1 latent cell left, mostly the same noise
    def corr(a: torch.Tensor, b: torch.Tensor) -> float:
        return float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])

    assert corr(latents[0, :, 1, :, :-1], latents[0, :, 0, :, 1:]) > 0.85  # sqrt(0.9) expected
    assert abs(corr(latents[0, :, 1], latents[0, :, 0])) < 0.3  # unshifted: unrelated
    plain = runner.run(_request(warped_noise=False), seed=4, sink=RecordingSink()).frames
    warped = runner.run(_request(warped_noise=True), seed=4, sink=RecordingSink()).frames
    assert not np.array_equal(plain, warped)


def test_image_to_video_without_a_motion_engine_is_a_clear_error(settings: Settings) -> None:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    bare = GenerationRunner(settings, registry, ModelManager(settings, registry, device), device)
    with pytest.raises(InvalidRequestError, match="needs the motion engine"):
        bare.run(_request(), seed=1, sink=RecordingSink())


def test_vace_gets_the_guide_as_a_control_video_with_the_first_frame_kept(runner: GenerationRunner, monkeypatch) -> None:
    request = _request(model="wan-vace-demo", control_scale=0.7)
    spec = runner._registry.resolve("wan-vace-demo")
    seen = {}
    with runner._manager.use(spec, "i2v") as pipe:
        assert type(pipe).__name__ == "WanVACEPipeline"
        original = type(pipe).__call__

        def spy(self, *args, **kwargs):
            seen.update(kwargs)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(type(pipe), "__call__", spy)
    result = runner.run(request, seed=1, sink=RecordingSink())
    assert result.frames.shape == (F, H, W, 3)
    guide = _pan_guide(request)
    assert len(seen["video"]) == F and np.array_equal(np.asarray(seen["video"][3]), guide.frames[3])
    masks = [np.asarray(m) for m in seen["mask"]]
    assert masks[0].max() == 0 and all(m.min() == 255 for m in masks[1:])
    assert seen["conditioning_scale"] == 0.7 and "image" not in seen and seen["latents"].shape[2] == 3
