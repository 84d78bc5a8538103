"""AnimateDiff and Stable Video Diffusion at full size on the meta device: sizes, registry facts, latent shapes."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from studio.engine.adapters.animatediff import AnimateDiffAdapter
from studio.engine.adapters.svd import SvdAdapter
from studio.engine.families import animatediff, svd
from studio.engine.families.animatediff import ANIMATEDIFF
from studio.engine.families.svd import SVD
from studio.engine.placement import measure
from studio.engine.registry import ModelRegistry
from studio.types import GenerationRequest

# Published sizes, in millions of parameters: SD 1.5's UNet (860M, 859.52M exactly), its VAE and CLIP ViT-L/14 text
# encoder; the motion adapters from their fp32 safetensors files (v1-5-2: 1.82 GB, v1-5-3: 1.67 GB, 4 bytes each);
# SVD's UNet from its fp16 file (3.05 GB), its CLIP ViT-H/14 image encoder (1.26 GB fp16) and VAE (196 MB fp16).
PUBLISHED_M = {
    ("v3", "unet_2d"): 859.5, ("v3", "motion_adapter"): 1670 / 4, ("v2", "motion_adapter"): 1820 / 4,
    ("v3", "vae"): 83.7, ("v3", "text_encoder"): 123.1,
    ("img2vid-xt", "unet"): 3050 / 2, ("img2vid-xt", "image_encoder"): 1260 / 2, ("img2vid-xt", "vae"): 196 / 2,
}  # fmt: skip


def _millions(module: torch.nn.Module) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


@pytest.fixture(scope="module")
def pipes() -> dict[str, Any]:
    with torch.device("meta"):
        return {"v3": animatediff.build_full_size("v3"), "v2": animatediff.build_full_size("v2"),
                "img2vid-xt": svd.build_full_size("img2vid-xt"), "img2vid": svd.build_full_size("img2vid")}  # fmt: skip


def test_parameter_counts_are_within_two_percent_of_the_published_ones(pipes: dict[str, Any]) -> None:
    for (key, part), published in PUBLISHED_M.items():
        pipe = pipes[key]
        if part == "unet_2d":  # SD 1.5's own UNet: the motion model less the motion modules it copied in
            counted = _millions(pipe.unet) - _millions(pipe.motion_adapter)
        else:
            counted = _millions(getattr(pipe, part))
        assert counted == pytest.approx(published, rel=0.02), (key, part, counted)


@pytest.mark.parametrize("key, model", [("v3", "animatediff-v3"), ("v2", "animatediff-v2"),
                                        ("img2vid-xt", "svd-xt"), ("img2vid", "svd")])  # fmt: skip
def test_registry_sizes_match_the_released_architectures(pipes: dict[str, Any], key: str, model: str) -> None:
    spec = ModelRegistry(offline=True).resolve(model)
    facts, _ = measure(pipes[key])
    assert set(spec.components) == set(facts.components)
    for name, registered in spec.components.items():
        assert registered.params_b == pytest.approx(facts.components[name].params_b, rel=0.02), name
        assert registered.unit_params_b == pytest.approx(facts.components[name].unit_params_b, rel=0.02), name
    float32 = ModelRegistry(offline=True).family(spec).float32_components or frozenset()  # the rest in bf16
    gb = sum(f.params_b * (4 if n in float32 else 2) for n, f in facts.components.items())
    assert spec.weights_gb == pytest.approx(gb, rel=0.02)


def test_animatediff_latent_shape_is_the_pipelines_own(pipes: dict[str, Any]) -> None:
    pipe, adapter = pipes["v3"], AnimateDiffAdapter()
    request = GenerationRequest(prompt="x", model="animatediff-v3", width=512, height=512, num_frames=16)
    geometry = adapter.geometry(pipe)
    ours = adapter.from_video_layout(torch.zeros(geometry.latent_shape(16, 512, 512)), geometry, request).shape
    theirs = pipe.prepare_latents(1, pipe.unet.config.in_channels, 16, 512, 512, torch.float32, "cpu", None).shape
    assert tuple(ours) == tuple(theirs) == (1, 4, 16, 64, 64)
    assert ANIMATEDIFF.preview_for(geometry) is not None
    assert pipe.unet.config.motion_max_seq_length == ANIMATEDIFF.size_rules.max_frames == 32


@pytest.mark.parametrize("key, frames", [("img2vid-xt", 25), ("img2vid", 14)])
def test_svd_latent_shape_is_the_pipelines_own_frames_first(pipes: dict[str, Any], key: str, frames: int) -> None:
    pipe, adapter = pipes[key], SvdAdapter()
    request = GenerationRequest(mode="i2v", prompt="", model="svd-xt", width=1024, height=576, num_frames=frames)
    geometry = adapter.geometry(pipe)
    ours = adapter.from_video_layout(torch.zeros(geometry.latent_shape(frames, 576, 1024)), geometry, request).shape
    theirs = pipe.prepare_latents(1, frames, pipe.unet.config.in_channels, 576, 1024, torch.float32, "cpu", None).shape
    assert tuple(ours) == tuple(theirs) == (1, frames, 4, 72, 128)
    assert pipe.unet.config.num_frames == frames and SVD.preview_for(geometry) is not None
