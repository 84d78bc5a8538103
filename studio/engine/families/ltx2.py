"""LTX-2: text and image to video with a generated sound track (one dual-stream transformer, audio and video).

The facts (full-size configurations, the preview table, model card values)
live in ``ltx2_facts``. This module declares the family and builds its demo:
every component of the real pipeline with widths and depths shrunk, keeping
what fixes shapes and timing: 128 video latent channels behind 32x spatial and
8x temporal compression, the audio path (16 kHz mel, 64 bins, hop 160, 8 latent
channels, a vocoder to 24 kHz stereo), a Gemma 3 text encoder whose stacked
hidden states feed the connectors, and the flow-matching scheduler with
resolution-dependent shift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.ltx2_facts import (
    GEMMA3_12B,
    LTX2_AUDIO_VAE,
    LTX2_CONNECTORS,
    LTX2_RGB_BIAS,
    LTX2_RGB_FACTORS,
    LTX2_SCHEDULER,
    LTX2_TRANSFORMER,
    LTX2_VIDEO_VAE,
    LTX2_VOCODER,
)

#: Gemma's special tokens (ids 0-4, as in the released tokenizer), then its 256 byte-fallback tokens.
_GEMMA_SPECIAL_TOKENS = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"] + [f"<0x{i:02X}>" for i in range(256)]


def _demo_tokenizer() -> Any:
    """A ``GemmaTokenizer`` (the class the pipeline requires) trained in code on the Wan demo corpus.

    Gemma's tokenizer is a SentencePiece-style BPE: spaces become "▁" and any
    character without a merge falls back to its UTF-8 bytes, so every prompt
    tokenizes. Wan's demo tokenizer is byte-level BPE (another alphabet), so
    only its corpus is shared.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import GemmaTokenizer

    from studio.engine.families.wan import _DEMO_CORPUS

    bpe = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    bpe.normalizer = normalizers.Replace(" ", "▁")
    bpe.pre_tokenizer = pre_tokenizers.Split(pattern="▁", behavior="merged_with_next")
    bpe.train_from_iterator([_DEMO_CORPUS], trainers.BpeTrainer(vocab_size=512, special_tokens=_GEMMA_SPECIAL_TOKENS,
                                                                 show_progress=False))  # fmt: skip
    model = json.loads(bpe.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    return GemmaTokenizer(vocab=model["vocab"], merges=merges)  # type: ignore[arg-type]  # BPE takes pairs


def build_ltx2_demo(folder: Path, scale: int = 1, kind: str = "t2v") -> None:
    """Write a random-weight LTX-2 pipeline to ``folder`` with ``save_pretrained``.

    One folder serves both modes: the manager loads it as ``LTX2Pipeline`` for
    text to video and as ``LTX2ConditionPipeline`` for image to video (the same
    components). ``scale`` grows the widths and depths.

    Raises:
        ValueError: an unknown ``kind``.
    """
    import diffusers
    import torch
    from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    if kind not in ("t2v", "i2v"):
        raise ValueError(f"unknown LTX-2 demo kind {kind!r}")
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    text_dim, layers = 32 * scale, 2 * scale
    text_encoder = Gemma3ForConditionalGeneration(Gemma3Config(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=text_dim, intermediate_size=2 * text_dim,
                         num_hidden_layers=layers, num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                         sliding_window=64, max_position_embeddings=2048),
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=28, patch_size=14),
        mm_tokens_per_image=4,
    ))  # fmt: skip
    # the connectors read every hidden state of the text encoder (its layers + the embeddings)
    connectors = LTX2TextConnectors(**{
        **LTX2_CONNECTORS, "caption_channels": text_dim, "text_proj_in_factor": layers + 1,
        "video_connector_num_attention_heads": 2, "video_connector_attention_head_dim": text_dim // 2,
        "video_connector_num_layers": 1, "audio_connector_num_attention_heads": 2,
        "audio_connector_attention_head_dim": text_dim // 2, "audio_connector_num_layers": 1,
    })  # fmt: skip
    transformer = diffusers.LTX2VideoTransformer3DModel(**{
        **LTX2_TRANSFORMER, "num_attention_heads": 2, "attention_head_dim": 8 * scale, "cross_attention_dim": 16 * scale,
        "audio_num_attention_heads": 2, "audio_attention_head_dim": 4 * scale, "audio_cross_attention_dim": 8 * scale,
        "num_layers": layers, "caption_channels": text_dim,
    })  # fmt: skip
    vae = diffusers.AutoencoderKLLTX2Video(**{
        **LTX2_VIDEO_VAE, "block_out_channels": tuple(8 * scale * m for m in (1, 2, 4, 8)),
        "decoder_block_out_channels": tuple(8 * scale * m for m in (1, 2, 4)), "layers_per_block": (1, 1, 1, 1, 1),
        "decoder_layers_per_block": (1, 1, 1, 1),
    })  # fmt: skip
    # base_channels stays 128: the audio latent statistics have that many entries (8 channels x 16 mel bins)
    audio_vae = diffusers.AutoencoderKLLTX2Audio(**{**LTX2_AUDIO_VAE, "ch_mult": (1, 1, 1), "num_res_blocks": 1})
    vocoder = LTX2Vocoder(**{**LTX2_VOCODER, "hidden_channels": 32 * scale, "resnet_kernel_sizes": [3],
                                       "resnet_dilations": [[1]]})  # fmt: skip
    pipe: Any = diffusers.LTX2Pipeline(
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(**LTX2_SCHEDULER), vae=vae, audio_vae=audio_vae,
        text_encoder=text_encoder, tokenizer=tokenizer, connectors=connectors, transformer=transformer, vocoder=vocoder,
    )  # fmt: skip
    pipe.save_pretrained(folder)


def build_full_size(key: str = "ltx-2") -> Any:
    """LTX-2 at full size with random weights, on torch's current default device.

    Under ``with torch.device("meta")`` it costs no memory (shape and parameter
    checks). The tokenizer is the demo one, as the real one needs a download.

    Raises:
        KeyError: ``key`` is not a released LTX-2 architecture this module knows.
    """
    import diffusers
    import torch
    from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    if key != "ltx-2":
        raise KeyError(key)
    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = diffusers.FlowMatchEulerDiscreteScheduler(**LTX2_SCHEDULER)
    return diffusers.LTX2Pipeline(
        scheduler=scheduler, vae=diffusers.AutoencoderKLLTX2Video(**LTX2_VIDEO_VAE),
        audio_vae=diffusers.AutoencoderKLLTX2Audio(**LTX2_AUDIO_VAE),
        text_encoder=Gemma3ForConditionalGeneration(Gemma3Config(**GEMMA3_12B)), tokenizer=_demo_tokenizer(),
        connectors=LTX2TextConnectors(**LTX2_CONNECTORS),
        transformer=diffusers.LTX2VideoTransformer3DModel(**LTX2_TRANSFORMER),
        vocoder=LTX2Vocoder(**LTX2_VOCODER),
    )  # fmt: skip


LTX2 = Family(
    name="ltx2",
    label="LTX-2",
    # image to video through frame conditions (first frame + the motion guide); the same components as
    # ``LTX2ImageToVideoPipeline``, which can only hold the first frame
    pipelines={"t2v": "LTX2Pipeline", "i2v": "LTX2ConditionPipeline"},
    # the pipeline refuses sides that are not multiples of 32; the VAE keeps the first frame, then 8 per latent
    size_rules=SizeRules(side_multiple=32, temporal_step=8, min_side_px=32),
    previews=(LatentPreview(factors=LTX2_RGB_FACTORS, bias=LTX2_RGB_BIAS),),
    prediction="flow",
    pipeline_class_names=("LTX2Pipeline", "LTX2ConditionPipeline"),
    build_demo=build_ltx2_demo,
    # "frames": the guide video as a frame condition of strength ``guide_strength`` (the adapter's image_kwargs)
    steering=frozenset({"frames"}),
    adapter="studio.engine.adapters.ltx2:LTX2Adapter",
)
