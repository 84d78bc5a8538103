"""The LTX-2 adapter's pieces: packed-token previews with one-call guidance, the call, the first frame's compression."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from studio.engine.adapters.ltx2 import LTX2Adapter, h264_roundtrip
from studio.engine.families.base import LatentGeometry
from studio.engine.previews import CleanLatentTracker
from studio.engine.steering import GuideVideo
from studio.types import GenerationRequest

GEOMETRY = LatentGeometry(channels=128, temporal_compression=8, spatial_compression=32)
REQUEST = GenerationRequest(prompt="x", model="ltx2-demo", width=64, height=96, num_frames=17)  # latent 3 x 3 x 2


class _Velocity(torch.nn.Module):
    """A stand-in dual-stream denoiser: its video output depends on the prompt embedding, its audio output is ignored."""

    def forward(self, hidden_states, audio_hidden_states, timestep, encoder_hidden_states, return_dict=False):
        return hidden_states * 0 + encoder_hidden_states, audio_hidden_states


def test_one_call_guidance_batches_preview_the_guided_clean_latent() -> None:
    """LTX-2 runs [unconditional, conditional] as one batch, then extra passes (STG, modality) that previews ignore."""
    model, adapter = _Velocity(), LTX2Adapter()
    tracker = CleanLatentTracker([model], "flow")
    tokens = 3 * 3 * 2
    x = torch.arange(tokens * 128, dtype=torch.float32).reshape(1, tokens, 128).repeat(2, 1, 1)
    text = torch.tensor([1.0, 2.0]).view(2, 1, 1)  # unconditional -> 1, conditional -> 2
    frame0_held = torch.cat([torch.zeros(6), torch.full((12,), 700.0)]).repeat(2, 1)  # image to video: frame 0 kept
    model(hidden_states=x, audio_hidden_states=torch.zeros(2, 5, 128), timestep=frame0_held, encoder_hidden_states=text)
    model(hidden_states=x[:1], audio_hidden_states=torch.zeros(1, 5, 128), timestep=frame0_held[:1],
          encoder_hidden_states=torch.tensor(50.0))  # a perturbed pass: not guidance  # fmt: skip
    clean = tracker.predict(3.0, 0.5, lambda t: adapter.to_video_layout(t, GEOMETRY, REQUEST))
    video = adapter.to_video_layout(x[:1], GEOMETRY, REQUEST)
    assert clean.shape == (1, 128, 3, 3, 2)
    assert torch.equal(clean[:, :, 0], video[:, :, 0])  # the held first frame previews as given
    assert torch.allclose(clean[:, :, 1:], video[:, :, 1:] - 0.5 * (1 + 3.0 * (2 - 1)))  # x - sigma * guided v
    tracker.close()


def test_packed_tokens_are_frames_then_rows_then_columns() -> None:
    adapter = LTX2Adapter()
    video = torch.randn(1, 128, 3, 3, 2)
    packed = adapter.from_video_layout(video, GEOMETRY, REQUEST)
    assert packed.shape == (1, 18, 128)
    assert torch.equal(packed[0, 1 * 6 + 2 * 2 + 1], video[0, :, 1, 2, 1])  # token (frame 1, row 2, column 1)
    assert torch.equal(adapter.to_video_layout(packed, GEOMETRY, REQUEST), video)


class _Config(dict):
    """A diffusers config: a mapping whose keys read as attributes too."""

    __getattr__ = dict.__getitem__


def _pipe(num_layers: int, model_type: str = "gemma3") -> SimpleNamespace:
    return SimpleNamespace(transformer=SimpleNamespace(config=_Config(num_layers=num_layers, cross_attn_mod=False)),
                           text_encoder=SimpleNamespace(config=_Config(model_type=model_type)))  # fmt: skip


def test_the_call_takes_the_frame_rate_and_the_ltx2_0_guidance_recipe() -> None:
    request = REQUEST.model_copy(update={"fps": 12, "guidance_scale": 3.0})
    full = LTX2Adapter().call_kwargs(_pipe(48), request)
    assert full["frame_rate"] == 12.0 and full["guidance_scale"] == 3.0 and full["num_frames"] == 17
    assert full["use_cross_timestep"] is False and full["spatio_temporal_guidance_blocks"] == [29]
    shrunk = LTX2Adapter().call_kwargs(_pipe(2), request)  # the demo has no block 29: no spatio-temporal guidance
    assert shrunk["spatio_temporal_guidance_blocks"] == [] and shrunk["stg_scale"] == shrunk["audio_stg_scale"] == 0.0


@pytest.mark.parametrize(("model_type", "crf"), [("gemma3", 33), ("gemma4", 18)])
def test_the_first_frame_is_compressed_at_the_models_training_crf(monkeypatch, model_type: str, crf: int) -> None:
    seen = []
    monkeypatch.setattr("studio.engine.adapters.ltx2.h264_roundtrip", lambda image, value: seen.append(value) or image)
    frames = np.zeros((9, 64, 64, 3), dtype=np.uint8)
    (image,) = LTX2Adapter().image_kwargs(_pipe(2, model_type), REQUEST, GuideVideo(frames, np.zeros((9, 64, 64, 2))))[
        "conditions"
    ]
    assert seen == [crf] and image.crf == 0 and image.frames.size == (64, 64) and (image.index, image.strength) == (0, 1.0)


@pytest.mark.parametrize(("height", "width"), [(64, 96), (33, 47)])
def test_h264_roundtrip_keeps_the_size_and_the_picture(height: int, width: int) -> None:
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 128)], -1).astype(np.uint8)
    for crf, max_error in ((18, 6.0), (33, 16.0)):
        out = h264_roundtrip(image, crf)
        assert out.shape == image.shape and out.dtype == np.uint8
        assert np.abs(out.astype(int) - image).mean() < max_error
    assert np.abs(h264_roundtrip(image, 51).astype(int) - image).mean() > np.abs(h264_roundtrip(image, 18).astype(int) - image).mean()
