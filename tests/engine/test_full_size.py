"""The released Wan architectures at full size, on the meta device (no memory, no weights).

Parameter counts are checked against the known ones, the registry's weights
against those counts under the per-component dtypes, and the studio's shape
logic (latent geometry, size checks, keyframe previews, steering maps) runs on
the full-size pipelines.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.engine.adapters.wan import WanAdapter
from studio.engine.device import component_dtypes
from studio.engine.families.base import LatentGeometry
from studio.engine.families.wan import FULL_SIZE, WAN, build_full_size
from studio.engine.previews import PreviewProjector, keyframe_indices
from studio.engine.registry import ModelRegistry
from studio.engine.runner import _check_size
from studio.engine.steering import latent_sampling_maps, warp_noise
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest
from tests.engine.sizes import billions


@pytest.fixture(scope="module")
def pipes() -> dict:
    with torch.device("meta"):
        return {key: build_full_size(key) for key in FULL_SIZE}


@pytest.mark.parametrize(
    ("key", "component", "known_b"),
    [
        ("wan2.1-t2v-1.3b", "transformer", 1.419),
        ("wan2.1-i2v-14b-480p", "transformer", 16.40),
        ("wan2.1-vace-1.3b", "transformer", 2.154),
        ("wan2.2-ti2v-5b", "transformer", 5.00),
        ("wan2.2-t2v-a14b", "transformer_2", 14.29),
        ("wan2.1-t2v-1.3b", "text_encoder", 5.68),  # UMT5-XXL encoder
        ("wan2.1-i2v-14b-480p", "image_encoder", 0.631),  # CLIP ViT-H/14
        ("wan2.1-t2v-1.3b", "vae", 0.127),
        ("wan2.2-ti2v-5b", "vae", 0.705),
    ],
)
def test_parameter_counts_match_the_released_models(pipes: dict, key: str, component: str, known_b: float) -> None:
    module = getattr(pipes[key], component)
    assert next(module.parameters()).device.type == "meta"
    assert billions(module) == pytest.approx(known_b, rel=0.02)


@pytest.mark.parametrize("key", list(FULL_SIZE))
def test_registry_weights_are_the_parameter_counts_at_the_loading_dtypes(pipes: dict, key: str) -> None:
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    total_bytes = 0
    for name, module in pipes[key].components.items():
        if isinstance(module, torch.nn.Module):
            bytes_per_param = torch.finfo(dtypes.get(name, dtypes["default"])).bits // 8
            total_bytes += sum(p.numel() for p in module.parameters()) * bytes_per_param
    spec = ModelRegistry(offline=True).resolve(key)
    assert spec.weights_gb == pytest.approx(total_bytes / 1e9, rel=0.02)


@pytest.mark.parametrize(
    ("key", "geometry", "size", "latent_shape"),
    [
        ("wan2.1-t2v-1.3b", (16, 4, 8), (832, 480, 81), (1, 16, 21, 60, 104)),
        ("wan2.1-i2v-14b-480p", (16, 4, 8), (832, 480, 81), (1, 16, 21, 60, 104)),
        ("wan2.1-vace-1.3b", (16, 4, 8), (832, 480, 81), (1, 16, 21, 60, 104)),
        ("wan2.2-ti2v-5b", (48, 4, 16), (1280, 704, 121), (1, 48, 31, 44, 80)),
        ("wan2.2-t2v-a14b", (16, 4, 8), (1280, 720, 81), (1, 16, 21, 90, 160)),
    ],
)
def test_shape_logic_on_the_full_size_pipelines(pipes: dict, key: str, geometry: tuple, size: tuple,
                                                latent_shape: tuple) -> None:  # fmt: skip
    pipe = pipes[key]
    found = WanAdapter().geometry(pipe)
    assert (found.channels, found.temporal_compression, found.spatial_compression) == geometry
    width, height, frames = size
    _check_size(WanAdapter().side_multiple(pipe, found), GenerationRequest(prompt="x", model=key, width=width, height=height, num_frames=frames))
    shape = found.latent_shape(frames, height, width)
    assert shape == latent_shape
    # the transformer reads as many channels as the latent has (I2V: plus 4 mask + 16 image channels)
    in_channels = pipe.transformer.config.in_channels
    assert in_channels == found.channels or (in_channels == 36 and found.channels == 16)
    # keyframe previews of a full-size latent, with the factors of its latent space
    preview = WAN.preview_for(found)
    assert preview is not None
    latent = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    keys = keyframe_indices(shape[2], 4)
    images = PreviewProjector(preview).project(latent, keys)
    factor = -(-160 // shape[4])
    assert len(images) == 4 and images[0].shape == (shape[3] * factor, shape[4] * factor, 3)


def test_ti2v_refuses_sizes_that_are_not_whole_patches(pipes: dict) -> None:
    pipe = pipes["wan2.2-ti2v-5b"]
    request = GenerationRequest(prompt="x", model="wan2.2-ti2v-5b", width=1280, height=720, num_frames=121)
    with pytest.raises(InvalidRequestError, match="multiples of 32 for wan2.2-ti2v-5b, got 720 and 1280"):
        _check_size(WanAdapter().side_multiple(pipe, WanAdapter().geometry(pipe)), request)


@pytest.mark.parametrize(("geometry", "size"), [((16, 4, 8), (832, 480, 81)), ((48, 4, 16), (1280, 704, 121))])
def test_steering_maps_at_full_size(geometry: tuple, size: tuple) -> None:
    """A still camera's maps (every pixel from itself) carry frame 0's noise unchanged to every latent frame."""
    g = LatentGeometry(*geometry)
    width, height, frames = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    maps = np.broadcast_to(np.stack([xs, ys], axis=-1), (frames, height, width, 2))  # no copy per frame
    shape = g.latent_shape(frames, height, width)
    latent_maps = latent_sampling_maps(maps, g.temporal_compression, g.spatial_compression, shape[3:])
    assert latent_maps.shape == (shape[2], shape[3], shape[4], 2)
    noise = warp_noise(shape, latent_maps, torch.Generator().manual_seed(0), keep=1.0)
    assert noise.shape == shape and torch.equal(noise[:, :, -1], noise[:, :, 0])
