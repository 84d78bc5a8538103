"""HunyuanVideo 1.5 and FramePack at full size, on the meta device (no memory, no weights).

Parameter counts against the published sizes (8.3B, 13B), the registry's
weights against the counts at the loading dtypes, and the studio's latent
shapes (adapter geometry + ``LatentGeometry.latent_shape``) against the
pipelines' own ``prepare_latents``.
"""

from __future__ import annotations

import pytest
import torch

from studio.engine.adapters.framepack import FramePackAdapter
from studio.engine.adapters.hunyuan15 import HunyuanVideo15Adapter
from studio.engine.device import component_dtypes
from studio.engine.families.framepack import FRAMEPACK, build_framepack_full_size
from studio.engine.families.hunyuan15 import build_hunyuan15_full_size
from studio.engine.registry import ModelRegistry
from tests.engine.sizes import billions

META = torch.device("meta")


@pytest.fixture(scope="module")
def pipes() -> dict:
    with META:
        return {
            "hunyuanvideo1.5-480p-t2v": build_hunyuan15_full_size("t2v", 480),
            "hunyuanvideo1.5-720p-i2v": build_hunyuan15_full_size("i2v", 720),
            "framepack-i2v-hy": build_framepack_full_size(),
        }


@pytest.mark.parametrize(
    ("key", "component", "published_b"),
    [
        ("hunyuanvideo1.5-480p-t2v", "transformer", 8.3),  # "8.3 billion parameters" (model card, tech report)
        ("hunyuanvideo1.5-720p-i2v", "transformer", 8.3),
        ("framepack-i2v-hy", "transformer", 13.0),  # HunyuanVideo's 13B DiT, FramePack's additions included
        ("hunyuanvideo1.5-480p-t2v", "text_encoder", 7.07),  # Qwen2.5-VL-7B's language model (7.6B with LM head)
        ("framepack-i2v-hy", "text_encoder", 7.50),  # Llama-3-8B without its LM head
        ("framepack-i2v-hy", "image_encoder", 0.428),  # SigLIP so400m vision tower
    ],
)
def test_parameter_counts_match_the_published_sizes(pipes: dict, key: str, component: str, published_b: float) -> None:
    module = getattr(pipes[key], component)
    assert next(module.parameters()).device.type == "meta"
    assert billions(module) == pytest.approx(published_b, rel=0.02)


def test_vaes_have_the_published_latent_spaces(pipes: dict) -> None:
    """No parameter count is published for either VAE; their latent layout is: 32 ch x 16 x 4 and 16 ch x 8 x 4."""
    hy15 = HunyuanVideo15Adapter().geometry(pipes["hunyuanvideo1.5-480p-t2v"])
    hy = FramePackAdapter().geometry(pipes["framepack-i2v-hy"])
    assert (hy15.channels, hy15.spatial_compression, hy15.temporal_compression) == (32, 16, 4)
    assert (hy.channels, hy.spatial_compression, hy.temporal_compression) == (16, 8, 4)
    assert billions(pipes["hunyuanvideo1.5-480p-t2v"].vae) == pytest.approx(1.261, rel=0.01)
    assert billions(pipes["framepack-i2v-hy"].vae) == pytest.approx(0.246, rel=0.01)


@pytest.mark.parametrize("key", ["hunyuanvideo1.5-480p-t2v", "hunyuanvideo1.5-720p-i2v", "framepack-i2v-hy"])
def test_registry_weights_are_the_parameter_counts_at_the_loading_dtypes(pipes: dict, key: str) -> None:
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    total_bytes = 0
    spec = ModelRegistry(offline=True).resolve(key)
    for name, module in pipes[key].components.items():
        if isinstance(module, torch.nn.Module):
            params = sum(p.numel() for p in module.parameters())
            total_bytes += params * (torch.finfo(dtypes.get(name, dtypes["default"])).bits // 8)
            assert spec.components[name].params_b == pytest.approx(params / 1e9, rel=0.01), name
    assert spec.weights_gb == pytest.approx(total_bytes / 1e9, rel=0.02)


@pytest.mark.parametrize(("width", "height", "frames"), [(848, 480, 121), (1280, 720, 121), (640, 640, 33)])
def test_hunyuan15_latent_shapes_are_the_pipelines(pipes: dict, width: int, height: int, frames: int) -> None:
    pipe = pipes["hunyuanvideo1.5-480p-t2v"]
    ours = HunyuanVideo15Adapter().geometry(pipe).latent_shape(frames, height, width)
    theirs = pipe.prepare_latents(1, pipe.num_channels_latents, height, width, frames, torch.float32, META)
    assert tuple(theirs.shape) == ours
    assert HunyuanVideo15Adapter().side_multiple(pipe, HunyuanVideo15Adapter().geometry(pipe)) == 16


@pytest.mark.parametrize(("width", "height", "frames", "sections"), [(832, 480, 129, 4), (640, 640, 33, 1),
                                                                       (640, 640, 34, 2)])  # fmt: skip
def test_framepack_section_latents_are_the_pipelines(pipes: dict, width: int, height: int, frames: int,
                                                     sections: int) -> None:  # fmt: skip
    """One section's latents (a 33-frame window) from the studio's geometry equal the pipeline's, and the
    studio counts the pipeline's sections (``ceil(frames / 33)``)."""
    pipe, adapter = pipes["framepack-i2v-hy"], FramePackAdapter()
    window = FRAMEPACK.call_kwargs["latent_window_size"]
    window_frames = (window - 1) * 4 + 1
    ours = adapter.geometry(pipe).latent_shape(window_frames, height, width)
    theirs = pipe.prepare_latents(1, pipe.transformer.config.in_channels, height, width, window_frames,
                                  torch.float32, META)  # fmt: skip
    assert tuple(theirs.shape) == ours == (1, 16, window, height // 8, width // 8)
    assert adapter.sections(frames, window, pipe.vae_scale_factor_temporal) == sections
    assert adapter.side_multiple(pipe, adapter.geometry(pipe)) == 16  # 8x VAE x 2x2 patches
