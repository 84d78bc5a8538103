"""LTX-2 at full size on the meta device: parameter counts, registry sizes, and the studio's latent shapes.

Published counts: the transformer is the "19B" of the model card and paper
(arXiv:2601.03233: a 14B video stream and a 5B audio stream), the text encoder
Gemma 3 12B. No parameter count is published for the video VAE, the audio VAE or
the vocoder; theirs are pinned to the configuration of diffusers' conversion
script for the checkpoint (the registry's ``components``).
"""

from __future__ import annotations

import pytest
import torch

from studio.engine.adapters.ltx2 import LTX2Adapter
from studio.engine.device import component_dtypes
from studio.engine.families.ltx2 import LTX2, build_full_size
from studio.engine.families.ltx2_facts import GEMMA3_12B_PUBLISHED_B, LTX2_TRANSFORMER_PUBLISHED_B
from studio.engine.memory import bytes_per_param
from studio.engine.registry import ModelRegistry
from studio.engine.runner import _check_size
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest
from tests.engine.sizes import billions


@pytest.fixture(scope="module")
def pipe():
    with torch.device("meta"):
        return build_full_size("ltx-2")


@pytest.mark.parametrize(("component", "published_b"),
                         [("transformer", LTX2_TRANSFORMER_PUBLISHED_B), ("text_encoder", GEMMA3_12B_PUBLISHED_B)])  # fmt: skip
def test_parameter_counts_match_the_published_ones(pipe, component: str, published_b: float) -> None:
    module = getattr(pipe, component)
    assert next(module.parameters()).device.type == "meta"
    assert billions(module) == pytest.approx(published_b, rel=0.02)


def test_the_registry_components_are_the_full_size_counts(pipe) -> None:
    spec = ModelRegistry().resolve("ltx-2")
    assert set(spec.components) == {name for name, c in pipe.components.items() if isinstance(c, torch.nn.Module)}
    for name, facts in spec.components.items():
        assert facts.params_b == pytest.approx(billions(getattr(pipe, name)), rel=0.002), name
    block = pipe.transformer.transformer_blocks[0]
    assert spec.components["transformer"].unit_params_b == pytest.approx(billions(block), rel=0.002)


def test_registry_weights_are_the_parameter_counts_at_the_loading_dtypes(pipe) -> None:
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    spec = ModelRegistry().resolve("ltx-2")
    total_gb = sum(billions(getattr(pipe, name)) * bytes_per_param(name, 2) for name in spec.components)
    assert spec.weights_gb == pytest.approx(total_gb, rel=0.01)


@pytest.mark.parametrize(("width", "height", "frames"), [(768, 512, 121), (1280, 704, 97), (512, 768, 9)])
def test_latent_shapes_match_the_pipeline(pipe, width: int, height: int, frames: int) -> None:
    adapter = LTX2Adapter()
    geometry = adapter.geometry(pipe)
    request = GenerationRequest(prompt="x", model="ltx-2", width=width, height=height, num_frames=frames)
    packed = pipe.prepare_latents(1, pipe.transformer.config.in_channels, height, width, frames,
                                  dtype=torch.float32, device=torch.device("cpu"), generator=torch.Generator().manual_seed(0))  # fmt: skip
    video = torch.randn(geometry.latent_shape(frames, height, width))
    assert adapter.from_video_layout(video, geometry, request).shape == packed.shape
    # packing is the pipeline's own: the studio's unpacking inverts it exactly
    unpacked = pipe._unpack_latents(packed, geometry.latent_frames(frames), height // 32, width // 32)
    assert torch.equal(adapter.to_video_layout(packed, geometry, request), unpacked)
    assert torch.equal(adapter.from_video_layout(unpacked, geometry, request), packed)
    assert LTX2.preview_for(geometry) is not None  # the published table covers the 128-channel latent


def test_sizes_must_be_whole_latent_cells(pipe) -> None:
    multiple = LTX2Adapter().side_multiple(pipe, LTX2Adapter().geometry(pipe))
    assert multiple == 32 == LTX2.size_rules.side_multiple
    with pytest.raises(InvalidRequestError, match="multiples of 32"):
        _check_size(multiple, GenerationRequest(prompt="x", model="ltx-2", width=784, height=512))


@pytest.mark.parametrize(("class_name", "mode"), [("LTX2Pipeline", "t2v"), ("LTX2ConditionPipeline", "i2v")])
def test_an_ltx2_pipeline_folder_resolves_to_the_family(tmp_path, class_name: str, mode: str) -> None:
    (tmp_path / "model_index.json").write_text(f'{{"_class_name": "{class_name}"}}')
    spec = ModelRegistry().resolve(str(tmp_path))
    assert (spec.family, spec.modes) == ("ltx2", (mode,))
    assert ModelRegistry().steering(spec) == frozenset({"frames"})
