"""The registry's per-component sizes match the released configurations, counted on the meta device."""

from __future__ import annotations

import pytest
import torch

from studio.engine.families import wan_facts as f
from studio.engine.memory import DenoiserShape, VaeShape
from studio.engine.model_files import facts_from_tensors
from studio.engine.registry import ModelRegistry

TRANSFORMERS = {
    "wan2.1-t2v-1.3b": ("WanTransformer3DModel", f.WAN21_T2V_1_3B_TRANSFORMER),
    "wan2.1-vace-1.3b": ("WanVACETransformer3DModel", f.WAN21_VACE_1_3B_TRANSFORMER),
    "wan2.1-i2v-14b-480p": ("WanTransformer3DModel", f.WAN21_I2V_14B_TRANSFORMER),
    "wan2.1-flf2v-14b-720p": ("WanTransformer3DModel", f.WAN21_I2V_14B_TRANSFORMER),
    "wan2.1-t2v-14b": ("WanTransformer3DModel", f.WAN22_A14B_TRANSFORMER),
    "wan2.2-t2v-a14b": ("WanTransformer3DModel", f.WAN22_A14B_TRANSFORMER),
    "wan2.2-i2v-a14b": ("WanTransformer3DModel", {**f.WAN22_A14B_TRANSFORMER, "in_channels": 36}),
    "wan2.2-ti2v-5b": ("WanTransformer3DModel", f.WAN22_TI2V_5B_TRANSFORMER),
}


def _facts(module: torch.nn.Module, *, leaf_level: bool):
    return facts_from_tensors(((n, p.numel()) for n, p in module.named_parameters()), leaf_level=leaf_level)


@pytest.mark.parametrize("key", sorted(TRANSFORMERS))
def test_transformer_sizes_and_shapes(key: str) -> None:
    import diffusers

    class_name, config = TRANSFORMERS[key]
    with torch.device("meta"):
        model = getattr(diffusers, class_name)(**config)
    spec = ModelRegistry(offline=True).resolve(key)
    counted = _facts(model, leaf_level=False)
    for name in ("transformer", "transformer_2"):
        if name in spec.components:
            assert spec.components[name].params_b == pytest.approx(counted.params_b, rel=0.002)
            assert spec.components[name].unit_params_b == pytest.approx(counted.unit_params_b, rel=0.002)
    assert spec.denoiser == DenoiserShape.from_config(config, per_token_timestep=key == "wan2.2-ti2v-5b")


def test_encoder_and_vae_sizes() -> None:
    from diffusers import AutoencoderKLWan
    from transformers import CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    registry = ModelRegistry(offline=True)
    with torch.device("meta"):
        umt5 = _facts(UMT5EncoderModel(UMT5Config(**f.UMT5_XXL)), leaf_level=True)
        clip = _facts(CLIPVisionModel(CLIPVisionConfig(**f.CLIP_VIT_H)), leaf_level=True)
        vae21 = _facts(AutoencoderKLWan(**f.WAN21_VAE), leaf_level=False)
        vae22 = _facts(AutoencoderKLWan(**f.WAN22_VAE), leaf_level=False)
    i2v = registry.resolve("wan2.1-i2v-14b-480p").components
    for spec_facts, counted in ((i2v["text_encoder"], umt5), (i2v["image_encoder"], clip), (i2v["vae"], vae21),
                                (registry.resolve("wan2.2-ti2v-5b").components["vae"], vae22)):  # fmt: skip
        assert spec_facts.params_b == pytest.approx(counted.params_b, rel=0.01)
        assert spec_facts.unit_params_b == pytest.approx(counted.unit_params_b, rel=0.01)
    assert registry.resolve("wan2.2-ti2v-5b").vae == VaeShape(base_dim=256, spatial_compression=16, patch_size=2)
