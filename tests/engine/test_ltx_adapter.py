"""The LTX-Video adapter on the demos: token layout, guide encoding, v2v start level, frame conditioning."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config import Settings
from studio.engine.adapters.ltx import LtxAdapter, PackedGeometry, guide_frame_indices
from studio.engine.demo import ensure_demo
from studio.engine.device import resolve_device
from studio.engine.families.base import LatentGeometry
from studio.engine.manager import ModelManager
from studio.engine.previews import CleanLatentTracker
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink

W, H = 96, 64
ADAPTER = LtxAdapter()


def _guide(request: GenerationRequest, with_maps: bool = False) -> GuideVideo:
    """A textured image sliding left 4 px per frame (maps unused: LTX declares no warped noise)."""
    image = np.random.default_rng(0).integers(0, 255, (H, W + 4 * request.num_frames, 3), dtype=np.uint8)
    frames = np.stack([image[:, 4 * f : 4 * f + W] for f in range(request.num_frames)])
    return GuideVideo(frames=frames, maps=np.zeros((*frames.shape[:3], 2), np.float32))


def _request(model: str, frames: int = 9, **overrides) -> GenerationRequest:
    values = dict(mode=Mode.I2V, prompt="the camera pans", model=model, width=W, height=H, num_frames=frames, steps=4,
                  guidance_scale=3.0, fps=24)  # fmt: skip
    return GenerationRequest(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def runner(settings: Settings) -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_guide)


@pytest.fixture(scope="module")
def pipe(shared_model_dir):
    """The 0.9.1-shaped demo, loaded on its own (its buffers may be changed by a test)."""
    import diffusers

    spec = ModelRegistry(offline=True).resolve("ltx-demo")
    return diffusers.LTXPipeline.from_pretrained(ensure_demo(shared_model_dir, spec))


def test_packed_latents_are_the_pipelines_own(pipe) -> None:
    request = _request("ltx-demo", frames=17, mode=Mode.T2V)
    geometry = ADAPTER.geometry(pipe)
    shape = geometry.latent_shape(17, H, W)
    assert shape == (1, 128, 3, 2, 3)
    own = pipe.prepare_latents(1, 128, H, W, 17, torch.float32, torch.device("cpu"), torch.Generator().manual_seed(5))
    video = torch.randn(shape, generator=torch.Generator().manual_seed(5))
    assert torch.equal(ADAPTER.from_video_layout(video, geometry, request), own)
    assert torch.equal(ADAPTER.to_video_layout(own, geometry, request), video)


def test_unpacking_drops_leading_condition_tokens_and_inverts_any_patch() -> None:
    request = _request("ltx-demo", frames=17)
    geometry = PackedGeometry(channels=4, temporal_compression=8, spatial_compression=16, patch_size=2, patch_size_t=1)
    video = torch.randn(geometry.latent_shape(17, H, W))  # (1, 4, 3, 4, 6): 3 x 2 x 3 tokens of 16 features
    packed = ADAPTER.from_video_layout(video, geometry, request)
    assert packed.shape == (1, 18, 16)
    extra = torch.randn(1, 6, 16)  # LTXConditionPipeline's extra conditioning tokens come first
    assert torch.equal(ADAPTER.to_video_layout(torch.cat([extra, packed], 1), geometry, request), video)
    with pytest.raises(TypeError, match="PackedGeometry"):
        ADAPTER.to_video_layout(packed, LatentGeometry(channels=4, temporal_compression=8, spatial_compression=16), request)


def test_the_guide_is_normalised_with_the_vaes_own_statistics(pipe) -> None:
    vae = pipe.vae
    vae.latents_mean.copy_(torch.linspace(-1, 1, 128))
    vae.latents_std.copy_(torch.linspace(0.5, 2, 128))
    frames = np.random.default_rng(1).integers(0, 255, (9, H, W, 3), dtype=np.uint8)
    with torch.inference_mode():
        latent = ADAPTER.encode_video(pipe, frames, torch.device("cpu"))
        video = torch.from_numpy(frames).float().permute(3, 0, 1, 2)[None] / 127.5 - 1
        raw = vae.encode(video).latent_dist.mode()
    expected = pipe._normalize_latents(raw, vae.latents_mean, vae.latents_std, vae.config.scaling_factor)
    assert latent.shape == (1, 128, 2, 2, 3) and torch.allclose(latent, expected, atol=1e-5)


def test_v2v_start_latents_and_level_are_what_the_pipeline_runs(runner: GenerationRunner) -> None:
    """The first transformer call sees the packed noised guide (latent frame 0 clean) at the start level."""
    request = _request("ltx-demo", steps=4, guide_strength=0.5)
    spec = runner._registry.resolve("ltx-demo")
    guide = _guide(request)
    with runner._manager.use(spec, "i2v") as pipe, torch.inference_mode():
        geometry = ADAPTER.geometry(pipe)
        extra, skip, _clock = runner._steering_inputs(ADAPTER, pipe, geometry, runner._registry.steering(spec), request,
                                                      guide, torch.Generator().manual_seed(7), [])  # fmt: skip
        latent = ADAPTER.encode_video(pipe, guide.frames, torch.device("cpu"))
        level = ADAPTER.start_noise_level(pipe, 4, skip, torch.device("cpu"), request=request)
        seen: list[tuple[torch.Tensor, torch.Tensor]] = []
        hook = pipe.transformer.register_forward_pre_hook(
            lambda _m, _a, kw: seen.append((kw["hidden_states"].clone(), kw["timestep"].clone())), with_kwargs=True)
        try:
            runner.run(request, seed=7, sink=RecordingSink())
        finally:
            hook.remove()
    noise = torch.randn(latent.shape, generator=torch.Generator().manual_seed(7))
    expected = (1 - level) * latent + level * noise
    expected[:, :, 0] = latent[:, :, 0]
    assert skip == 2 and 0.0 < level < 1.0
    assert torch.allclose(extra["latents"], ADAPTER.from_video_layout(expected, geometry, request), atol=1e-5)
    hidden, timestep = seen[0]
    assert len(seen) == 2 and torch.allclose(hidden[1], extra["latents"][0], atol=1e-5)  # [uncond, cond] batch
    assert float(timestep.max()) / 1000 == pytest.approx(level, abs=1e-4)
    assert float(timestep[1, :6].max()) == 0.0  # latent frame 0 (2 x 3 tokens) is kept clean


def test_the_start_level_needs_the_request(runner: GenerationRunner) -> None:
    with (
        runner._manager.use(runner._registry.resolve("ltx-demo"), "i2v") as pipe,
        pytest.raises(ValueError, match="token count"),
    ):
        ADAPTER.start_noise_level(pipe, 4, 2, torch.device("cpu"))


@pytest.mark.parametrize(("frames", "strength", "indices"), [(17, 0.5, [0, 8, 16]), (9, 0.0, [0])])
def test_guide_frames_reach_the_condition_pipeline_at_their_indices(runner: GenerationRunner, monkeypatch,
                                                                    frames: int, strength: float, indices: list) -> None:  # fmt: skip
    import diffusers

    calls: list[dict] = []
    original = diffusers.LTXConditionPipeline.prepare_latents

    def recording(self, conditions=None, condition_strength=None, condition_frame_index=None, **kwargs):
        calls.append({"tensors": [c.clone() for c in conditions], "strength": list(condition_strength),
                      "index": list(condition_frame_index)})  # fmt: skip
        return original(self, conditions, condition_strength, condition_frame_index, **kwargs)

    monkeypatch.setattr(diffusers.LTXConditionPipeline, "prepare_latents", recording)
    request = _request("ltx-condition-demo", frames=frames, guide_strength=strength, steps=2)
    result = runner.run(request, seed=3, sink=RecordingSink())
    assert result.frames.shape == (frames, H, W, 3)
    (call,) = calls
    assert call["index"] == indices and indices == guide_frame_indices(frames, 8)[: len(indices)]
    assert call["strength"] == [1.0] + [strength] * (len(indices) - 1)
    guide = _guide(request)
    for tensor, index in zip(call["tensors"], indices, strict=True):
        expected = torch.from_numpy(guide.frames[index]).float().permute(2, 0, 1) / 127.5 - 1
        assert tensor.shape == (1, 3, 1, H, W) and torch.allclose(tensor[0, :, 0], expected, atol=1e-5)


def test_batched_guidance_is_combined_for_previews() -> None:
    """Pipelines that batch [uncond, cond] in one denoiser call get the guided clean-latent estimate."""

    class Denoiser(torch.nn.Module):
        def forward(self, hidden_states, timestep):
            return (torch.stack([hidden_states[0] * 0.5, hidden_states[1] * 2.0]),)

    denoiser = Denoiser()
    tracker = CleanLatentTracker([denoiser], "flow")
    hidden = torch.randn(2, 1, 3, 2, 2)
    hidden[1] = hidden[0]  # the pipeline feeds the same latents twice
    denoiser(hidden_states=hidden, timestep=torch.tensor([500.0, 500.0]))
    velocity = hidden[0] * 0.5 + 3.0 * (hidden[0] * 2.0 - hidden[0] * 0.5)
    assert torch.allclose(tracker.predict(3.0, 0.5), hidden[:1] - 0.5 * velocity)
    tracker.close()


def test_unit_gaussian_latents_preview_in_range_with_the_tables_spread(pipe) -> None:
    """The LTXV table applies to the normalised latent the transformer sees (about unit Gaussian per channel)."""
    from studio.engine.families.ltx import LTX
    from studio.engine.previews import PreviewProjector

    preview = LTX.preview_for(ADAPTER.geometry(pipe))
    assert preview is not None and preview.channels == 128
    latents = torch.randn(1, 128, 1, 96, 96, generator=torch.Generator().manual_seed(0))
    pixels = PreviewProjector(preview).project(latents, [0], min_width_px=1)[0].reshape(-1, 3).astype(float) / 127.5 - 1
    spread = torch.tensor(preview.factors).norm(dim=0).numpy()
    assert np.mean((pixels > -1.0) & (pixels < 1.0)) > 0.9
    q25, q50, q75 = np.percentile(pixels, [25, 50, 75], axis=0)
    np.testing.assert_allclose((q75 - q25) / 1.349, spread, rtol=0.1)
    np.testing.assert_allclose(q50, preview.bias, atol=0.05)


def test_previews_keep_frames_held_clean_behind_leading_condition_tokens() -> None:
    """Per-token timesteps are unpacked like the tokens: frame 0 (hard condition, timestep 0) keeps its latent
    even with extra condition tokens in front (whose count alone would mislead a per-frame split)."""
    request = _request("ltx-condition-demo", frames=17)
    geometry = PackedGeometry(channels=4, temporal_compression=8, spatial_compression=16)
    video = torch.randn(1, 4, 3, 4, 6).repeat(2, 1, 1, 1, 1)  # [uncond, cond] halves see the same latents
    tokens = torch.cat([torch.randn(1, 24, 4).repeat(2, 1, 1), ADAPTER.from_video_layout(video, geometry, request)], 1)

    class Denoiser(torch.nn.Module):
        def forward(self, hidden_states, timestep):
            return (hidden_states * 0.25,)

    timestep = torch.full((2, 96), 600.0)
    timestep[:, 24:48] = 0.0  # the tokens of latent frame 0
    denoiser = Denoiser()
    tracker = CleanLatentTracker([denoiser], "flow")
    denoiser(hidden_states=tokens, timestep=timestep)
    clean = tracker.predict(3.0, 0.6, lambda t: ADAPTER.to_video_layout(t, geometry, request))
    assert clean is not None
    assert clean.shape == (1, 4, 3, 4, 6)
    assert torch.allclose(clean[:, :, 0], video[:1, :, 0])  # held clean: the input itself
    assert torch.allclose(clean[:, :, 1:], video[:1, :, 1:] * (1 - 0.6 * 0.25))  # x - sigma * v
    tracker.close()
