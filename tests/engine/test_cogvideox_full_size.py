"""The released CogVideoX architectures at full size, on the meta device (no memory, no weights).

Parameter counts against the published ones, the registry's weights against
those counts at the loading dtypes, and the studio's latent shapes (adapter
geometry, layout and padding) against the pipelines' own ``prepare_latents``.
"""

from __future__ import annotations

import pytest
import torch

from studio.engine.adapters.cogvideox import CogVideoXAdapter
from studio.engine.device import component_dtypes
from studio.engine.families.cogvideox import COGVIDEOX, FULL_SIZE, build_full_size
from studio.engine.previews import PreviewProjector, keyframe_indices
from studio.engine.registry import ModelRegistry
from studio.engine.runner import _check_size
from studio.types import GenerationRequest
from tests.engine.fake_models import FakeDevice
from tests.engine.sizes import billions

ADAPTER = CogVideoXAdapter()


@pytest.fixture(scope="module")
def pipes() -> dict:
    with torch.device("meta"):
        return {key: build_full_size(key) for key in FULL_SIZE}


@pytest.mark.parametrize(
    ("key", "component", "published_b"),
    [
        ("cogvideox-2b", "transformer", 1.69),  # CogVideoX-2B
        ("cogvideox-5b", "transformer", 5.57),  # CogVideoX-5B
        ("cogvideox-5b-i2v", "transformer", 5.57),
        ("cogvideox1.5-5b", "transformer", 5.57),
        ("cogvideox1.5-5b-i2v", "transformer", 5.57),
        ("cogvideox-2b", "vae", 0.2156),  # the 3D causal VAE
        ("cogvideox-2b", "text_encoder", 4.76),  # T5 v1.1 XXL encoder
    ],
)
def test_parameter_counts_match_the_released_models(pipes: dict, key: str, component: str, published_b: float) -> None:
    module = getattr(pipes[key], component)
    assert next(module.parameters()).device.type == "meta"
    assert billions(module) == pytest.approx(published_b, rel=0.02)


@pytest.mark.parametrize("key", list(FULL_SIZE))
def test_registry_weights_are_the_parameter_counts_at_the_loading_dtypes(pipes: dict, key: str) -> None:
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    spec = ModelRegistry(offline=True).resolve(key)
    total_bytes = 0
    for name, module in pipes[key].components.items():
        if isinstance(module, torch.nn.Module):
            count = sum(p.numel() for p in module.parameters())
            total_bytes += count * (torch.finfo(dtypes.get(name, dtypes["default"])).bits // 8)
            assert spec.components[name].params_b == pytest.approx(count / 1e9, rel=0.002)
    assert spec.weights_gb == pytest.approx(total_bytes / 1e9, rel=0.01)


def _pipeline_latent_shape(pipe, num_frames: int, height: int, width: int) -> tuple[int, ...]:
    """The pipeline's own start latents for a request, with its own 1.5 frame padding (``__call__`` step 5)."""
    latent_frames = (num_frames - 1) // pipe.vae_scale_factor_temporal + 1
    patch_t = pipe.transformer.config.patch_size_t
    if patch_t is not None and latent_frames % patch_t:
        num_frames += (patch_t - latent_frames % patch_t) * pipe.vae_scale_factor_temporal
    generator = torch.Generator().manual_seed(0)
    if "image" not in pipe.prepare_latents.__code__.co_varnames:
        latents = pipe.prepare_latents(1, 16, num_frames, height, width, torch.float32, torch.device("meta"), None)
        return tuple(latents.shape)
    image = torch.zeros(1, 3, height, width, device="meta")
    latents, image_latents = pipe.prepare_latents(image, 1, 16, num_frames, height, width, torch.float32,
                                                  torch.device("meta"), generator)  # fmt: skip
    assert image_latents.shape == latents.shape  # the image latent, padded to the same frames
    return tuple(latents.shape)


@pytest.mark.parametrize(
    ("key", "size", "video_shape"),
    [
        ("cogvideox-2b", (720, 480, 49), (1, 16, 13, 60, 90)),
        ("cogvideox-5b", (720, 480, 49), (1, 16, 13, 60, 90)),
        ("cogvideox-5b-i2v", (720, 480, 49), (1, 16, 13, 60, 90)),
        ("cogvideox1.5-5b", (1360, 768, 81), (1, 16, 21, 96, 170)),  # 21 latent frames, the pipeline holds 22
        ("cogvideox1.5-5b-i2v", (1360, 768, 161), (1, 16, 41, 96, 170)),
    ],
)
def test_latent_shapes_match_the_pipelines_prepare_latents(pipes: dict, key: str, size: tuple, video_shape: tuple) -> None:
    pipe = pipes[key]
    width, height, frames = size
    request = GenerationRequest(prompt="x", model=key, width=width, height=height, num_frames=frames)
    geometry = ADAPTER.geometry(pipe)
    _check_size(ADAPTER.side_multiple(pipe, geometry), request)
    assert geometry.latent_shape(frames, height, width) == video_shape
    studio = torch.zeros(video_shape)
    as_pipeline = ADAPTER.from_video_layout(studio, geometry, request)
    assert tuple(as_pipeline.shape) == _pipeline_latent_shape(pipe, frames, height, width)
    assert torch.equal(ADAPTER.to_video_layout(as_pipeline, geometry, request), studio)
    # keyframe previews of a full-size latent with the family's table
    preview = COGVIDEOX.preview_for(geometry)
    assert preview is not None
    images = PreviewProjector(preview).project(torch.randn(video_shape), keyframe_indices(video_shape[2], 4))
    factor = -(-160 // video_shape[4])  # narrow previews are upscaled for display
    assert len(images) == 4 and images[0].shape[:2] == (video_shape[3] * factor, video_shape[4] * factor)


@pytest.mark.parametrize("key", list(FULL_SIZE))
def test_the_estimator_plans_every_released_checkpoint(settings, key: str) -> None:
    from studio.engine.manager import ModelManager

    registry = ModelRegistry(offline=True)
    spec = registry.resolve(key)
    d = spec.defaults
    manager = ModelManager(settings.model_copy(update={"vram_budget_gb": 80.0}), registry, FakeDevice())
    request = GenerationRequest(mode=spec.modes[0], prompt="x", model=key, width=d.width, height=d.height,
                                num_frames=d.num_frames, steps=d.steps, guidance_scale=d.guidance_scale)  # fmt: skip
    estimate = manager.estimate(request)
    assert estimate.weights_source == "registry" and estimate.fits
    assert estimate.component_gb["text_encoder"] == pytest.approx(2 * 4.762, rel=0.01)
