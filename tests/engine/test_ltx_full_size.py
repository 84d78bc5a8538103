"""The released LTX-Video architectures at full size, on the meta device (no memory, no weights).

Parameter counts against the published ones, the registry's sizes against the
counts, and the studio's latent shapes (adapter geometry, token packing)
against the pipelines' own ``prepare_latents``.
"""

from __future__ import annotations

import pytest
import torch

from studio.engine.adapters.ltx import LtxAdapter
from studio.engine.device import component_dtypes
from studio.engine.families.ltx import FULL_SIZE, LTX, build_full_size
from studio.engine.model_files import facts_from_tensors
from studio.engine.registry import ModelRegistry
from studio.types import GenerationRequest
from tests.engine.fake_models import FakeDevice
from tests.engine.sizes import billions

#: registry key -> the full-size architecture it loads
RELEASED = {"ltx-video": "ltx-video-2b-0.9.1", "ltx-video-0.9.5": "ltx-video-2b-0.9.5",
            "ltx-video-0.9.7-dev": "ltx-video-13b-0.9.7"}  # fmt: skip


@pytest.fixture(scope="module")
def pipes() -> dict:
    with torch.device("meta"):
        return {key: build_full_size(key) for key in FULL_SIZE}


@pytest.mark.parametrize(
    ("key", "component", "published_b"),
    [
        ("ltx-video-2b-0.9.1", "transformer", 1.9),  # "LTX-Video 2B": 1.9 B in the technical report
        ("ltx-video-13b-0.9.7", "transformer", 13.0),  # "LTXV-13B"
        ("ltx-video-2b-0.9.1", "text_encoder", 4.7),  # the T5-XXL (v1.1) encoder
    ],
)
def test_parameter_counts_match_the_published_ones(pipes: dict, key: str, component: str, published_b: float) -> None:
    module = getattr(pipes[key], component)
    assert next(module.parameters()).device.type == "meta"
    assert billions(module) == pytest.approx(published_b, rel=0.02)


@pytest.mark.parametrize("key", sorted(RELEASED))
def test_registry_sizes_are_the_counted_ones(pipes: dict, key: str) -> None:
    spec = ModelRegistry(offline=True).resolve(key)
    pipe = pipes[RELEASED[key]]
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    total_gb = 0.0
    for name in ("transformer", "text_encoder", "vae"):
        module = getattr(pipe, name)
        counted = facts_from_tensors(((n, p.numel()) for n, p in module.named_parameters()), leaf_level=name == "text_encoder")
        assert spec.components[name].params_b == pytest.approx(counted.params_b, rel=0.002), name
        assert spec.components[name].unit_params_b == pytest.approx(counted.unit_params_b, rel=0.002), name
        total_gb += counted.params_b * torch.finfo(dtypes.get(name, dtypes["default"])).bits / 8
    assert spec.weights_gb == pytest.approx(total_gb, abs=0.06)
    config = pipe.transformer.config
    assert spec.denoiser is not None and spec.denoiser.num_layers == config.num_layers
    assert spec.denoiser.hidden_size == config.num_attention_heads * config.attention_head_dim
    assert spec.denoiser.ffn_dim == pipe.transformer.transformer_blocks[0].ff.net[2].in_features


@pytest.mark.parametrize("key", sorted(FULL_SIZE))
@pytest.mark.parametrize(("width", "height", "frames"), [(768, 512, 161), (704, 480, 121), (1216, 704, 97)])
def test_latent_shapes_equal_the_pipelines_own(pipes: dict, key: str, width: int, height: int, frames: int) -> None:
    pipe, adapter = pipes[key], LtxAdapter()
    request = GenerationRequest(prompt="x", model="ltx-video", width=width, height=height, num_frames=frames)
    geometry = adapter.geometry(pipe)
    assert (geometry.channels, geometry.temporal_compression, geometry.spatial_compression) == (128, 8, 32)
    assert adapter.side_multiple(pipe, geometry) == LTX.size_rules.side_multiple == 32
    shape = geometry.latent_shape(frames, height, width)
    studio = adapter.from_video_layout(torch.empty(shape, device="meta"), geometry, request)
    if type(pipe).__name__ == "LTXConditionPipeline":
        own = pipe.prepare_latents([], [], [], 1, 128, height, width, frames, device=torch.device("meta"),
                                   dtype=torch.float32)[0]  # fmt: skip
    else:
        own = pipe.prepare_latents(1, 128, height, width, frames, torch.float32, torch.device("meta"))
    assert studio.shape == own.shape
    assert adapter.to_video_layout(own, geometry, request).shape == shape


@pytest.mark.parametrize("key", sorted(RELEASED))
def test_the_estimator_plans_the_released_models(settings, key: str) -> None:
    from studio.engine.manager import ModelManager

    manager = ModelManager(settings.model_copy(update={"vram_budget_gb": 80.0}), ModelRegistry(offline=True), FakeDevice())
    estimate = manager.estimate(GenerationRequest(prompt="x", model=key, width=768, height=512, num_frames=161))
    assert estimate.weights_source == "registry" and estimate.fits
    assert estimate.tokens == 21 * 16 * 24  # latent frames x latent height x latent width, 1x1 patches
