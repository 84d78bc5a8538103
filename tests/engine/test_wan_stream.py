"""The Wan VAE's decode in pieces (``StreamingDecode``): the pieces joined are the decode of the whole clip."""

from __future__ import annotations

import pytest
import torch

from studio.engine.adapters.wan_stream import StreamingDecode
from studio.engine.families.wan import _wan21_vae


@pytest.fixture(scope="module")
def vae():
    torch.manual_seed(0)
    return _wan21_vae().eval()


def _latents(frames: int = 7) -> torch.Tensor:
    return torch.randn(1, 16, frames, 4, 6, generator=torch.Generator().manual_seed(1))


@torch.inference_mode()
def test_pieces_then_the_rest_equal_one_decode_of_the_whole(vae) -> None:
    z = _latents()
    whole = vae.decode(z, return_dict=False)[0]
    stream = StreamingDecode(vae)
    first, second = stream.piece(z[:, :, :3]), stream.piece(z[:, :, 3:5])
    assert (first.shape[2], second.shape[2]) == (1 + 2 * 4, 2 * 4)  # a later piece is not decoded as a first frame
    assert stream.latent_frames == 5
    joined = stream.whole(z)
    assert joined is not None and joined.shape == whole.shape
    assert torch.allclose(joined, whole, atol=1e-5)
    assert torch.equal(joined[:, :, : 9 + 8], torch.cat([first, second], 2))  # the sections are the clip's frames
    assert stream.latent_frames == 0  # spent: the next clip starts afresh


@torch.inference_mode()
def test_latents_that_do_not_begin_with_the_pieces_are_left_to_the_vae(vae) -> None:
    z = _latents()
    stream = StreamingDecode(vae)
    stream.piece(z[:, :, :3])
    assert stream.whole(z + 0.5) is None  # other latents: the caller decodes them as usual
    assert stream.whole(z[:, :, :2]) is None  # shorter than what was decoded


@torch.inference_mode()
def test_a_tiled_decode_is_not_streamed(vae) -> None:
    z = _latents(3)
    vae.enable_tiling(tile_sample_min_height=32, tile_sample_min_width=32, tile_sample_stride_height=24,
                      tile_sample_stride_width=24)  # fmt: skip
    try:
        stream = StreamingDecode(vae)
        assert not stream.streams(z)  # 48 px wide: two tiles, decoded tile by tile, not frame by frame
        piece = stream.piece(z[:, :, 1:2])  # decoded on its own, as the VAE does it: a first frame
        assert piece.shape[2] == 1 and stream.latent_frames == 0
        assert stream.whole(z) is None  # the pipeline's own decode
    finally:
        vae.disable_tiling()


def test_runner_frames_become_uint8_in_place_as_before() -> None:
    import numpy as np

    from studio.engine.runner import _to_uint8

    rng = np.random.default_rng(0)
    floats = rng.uniform(-0.2, 1.2, (3, 4, 5, 3)).astype(np.float32)
    expected = (np.clip(floats, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    read_only = floats.copy()
    read_only.flags.writeable = False
    assert np.array_equal(_to_uint8(read_only), expected) and not read_only.flags.writeable
    assert np.array_equal(_to_uint8(floats.astype(np.float64)), expected)
    assert np.array_equal(_to_uint8(floats[::-1].copy()[::-1]), expected)  # a reversed view
    halves = (np.arange(256, dtype=np.float32) + 0.5) / 255.0  # exact halves round to even, as numpy's rint
    assert np.array_equal(_to_uint8(halves.copy()), np.rint(halves * 255.0).clip(0, 255).astype(np.uint8))
    assert np.array_equal(_to_uint8(floats), expected)
