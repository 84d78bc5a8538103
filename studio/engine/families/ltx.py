"""LTX-Video (0.9.x): text to video, image to video, and conditioning on frames at chosen indices.

Three diffusers pipelines share one checkpoint layout (T5-XXL text encoder,
``LTXVideoTransformer3DModel`` over packed tokens, ``AutoencoderKLLTXVideo``
with 32x spatial and 8x temporal compression into 128 channels):
``LTXPipeline`` (text), ``LTXImageToVideoPipeline`` (first frame kept clean
through a conditioning mask) and ``LTXConditionPipeline`` (0.9.5 on: images
or clips at any frame index, each with a strength). The facts live in
``ltx_facts``; the request mapping in ``engine/adapters/ltx.py``.

Demo models keep the real latent channels (128), VAE compression (32x, 8x),
patch sizes, scheduler settings and timestep-conditioned decoder, with widths,
depths and vocabulary shrunk: ``ltx-demo`` is 0.9.1 shaped (dynamic-shift
scheduler; text and image to video), ``ltx-condition-demo`` 0.9.5 shaped
(``LTXConditionPipeline``, no dynamic shift).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.ltx_facts import (
    LTX_091_SCHEDULER,
    LTX_091_VAE,
    LTX_095_SCHEDULER,
    LTX_095_VAE,
    LTX_2B_TRANSFORMER,
    LTX_13B_TRANSFORMER,
    LTXV_RGB_BIAS,
    LTXV_RGB_FACTORS,
    T5_V1_1_XXL,
)

#: Demo kinds: the released version whose shapes a demo keeps, and the pipeline it is written as.
DEMO_KINDS = {"ltx-0.9.1": "LTXPipeline", "ltx-0.9.5": "LTXConditionPipeline"}


def build_ltx_demo(folder: Path, scale: int = 1, kind: str = "ltx-0.9.1") -> None:
    """Write a random-weight LTX-Video pipeline to ``folder`` with ``save_pretrained``.

    ``kind``: "ltx-0.9.1" (``LTXPipeline``; its image-to-video mode loads the same
    folder as ``LTXImageToVideoPipeline``) or "ltx-0.9.5" (``LTXConditionPipeline``).
    ``scale`` grows widths and depth. The tokenizer is the studio's demo one (a
    byte-level BPE trained in code), the text encoder a two-layer T5.

    Raises:
        ValueError: ``kind`` is not one of ``DEMO_KINDS``.
    """
    import diffusers
    import torch
    from transformers import T5Config, T5EncoderModel

    from studio.engine.families.wan import _demo_tokenizer

    if kind not in DEMO_KINDS:
        raise ValueError(f"unknown LTX-Video demo kind {kind!r}; known: {', '.join(DEMO_KINDS)}")
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    text_dim = 16 * scale
    text_encoder = T5EncoderModel(T5Config(
        vocab_size=len(tokenizer), d_model=text_dim, d_ff=2 * text_dim, d_kv=8, num_heads=2, num_layers=2,
        feed_forward_proj="gated-gelu", relative_attention_num_buckets=32, relative_attention_max_distance=128,
        pad_token_id=0, eos_token_id=1,
    ))  # fmt: skip
    transformer = diffusers.LTXVideoTransformer3DModel(**{
        **LTX_2B_TRANSFORMER, "num_attention_heads": 2, "attention_head_dim": 8 * scale,
        "cross_attention_dim": 16 * scale, "num_layers": 2 * scale, "caption_channels": text_dim,
    })  # fmt: skip
    released = LTX_091_VAE if kind == "ltx-0.9.1" else LTX_095_VAE
    vae = diffusers.AutoencoderKLLTXVideo(**_shrunk_vae(released, 8 * scale))
    scheduler = diffusers.FlowMatchEulerDiscreteScheduler(
        **(LTX_091_SCHEDULER if kind == "ltx-0.9.1" else LTX_095_SCHEDULER)
    )
    pipeline_cls = getattr(diffusers, DEMO_KINDS[kind])
    pipe = pipeline_cls(scheduler=scheduler, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                        transformer=transformer)  # fmt: skip
    pipe.save_pretrained(folder)


def _shrunk_vae(config: dict[str, Any], width: int) -> dict[str, Any]:
    """A released VAE config with one layer per block and widths ``width`` x the released ratios
    (block counts, down/upsampling kinds, patch size, latent channels and timestep conditioning kept)."""
    smallest = config["block_out_channels"][0]
    return {
        **config,
        "block_out_channels": tuple(width * c // smallest for c in config["block_out_channels"]),
        "decoder_block_out_channels": tuple(width * c // smallest // 2 for c in config["decoder_block_out_channels"]),
        "layers_per_block": (1,) * len(config["layers_per_block"]),
        "decoder_layers_per_block": (1,) * len(config["decoder_layers_per_block"]),
    }


#: Full-size architectures ``build_full_size`` knows: (pipeline class, transformer config, VAE config,
#: scheduler config).
FULL_SIZE: dict[str, tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "ltx-video-2b-0.9.1": ("LTXPipeline", LTX_2B_TRANSFORMER, LTX_091_VAE, LTX_091_SCHEDULER),
    "ltx-video-2b-0.9.5": ("LTXConditionPipeline", LTX_2B_TRANSFORMER, LTX_095_VAE, LTX_095_SCHEDULER),
    "ltx-video-13b-0.9.7": ("LTXConditionPipeline", LTX_13B_TRANSFORMER, LTX_095_VAE, LTX_095_SCHEDULER),
}


def build_full_size(key: str) -> Any:
    """A released LTX-Video architecture at full size with random weights, on torch's current default device.

    Under ``with torch.device("meta")`` it costs no memory (shape and parameter
    checks). The tokenizer is the demo one, as the real one needs a download.

    Raises:
        KeyError: ``key`` is not one of ``FULL_SIZE``.
    """
    import diffusers
    import torch
    from transformers import T5Config, T5EncoderModel

    from studio.engine.families.wan import _demo_tokenizer

    class_name, transformer, vae, scheduler = FULL_SIZE[key]
    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        flow = diffusers.FlowMatchEulerDiscreteScheduler(**scheduler)
    return getattr(diffusers, class_name)(
        scheduler=flow, vae=diffusers.AutoencoderKLLTXVideo(**vae), text_encoder=T5EncoderModel(T5Config(**T5_V1_1_XXL)),
        tokenizer=_demo_tokenizer(), transformer=diffusers.LTXVideoTransformer3DModel(**transformer),
    )  # fmt: skip


LTX = Family(
    name="ltx",
    label="LTX-Video",
    pipelines={"t2v": "LTXPipeline", "i2v": "LTXImageToVideoPipeline"},
    # 32x VAE x 1x1 patches; 8x temporal compression: frames 8k+1
    size_rules=SizeRules(side_multiple=32, temporal_step=8, min_side_px=32),
    previews=(LatentPreview(factors=LTXV_RGB_FACTORS, bias=LTXV_RGB_BIAS),),
    prediction="flow",
    pipeline_class_names=("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline"),
    build_demo=build_ltx_demo,
    # LTXImageToVideoPipeline: the guide as start latents (its first latent frame kept clean); specs running
    # LTXConditionPipeline declare "frames" (guide frames as conditions at their indices) instead, and
    # "keyframes" (keyframe mode's model fill-in: the keyframes as conditions at their frames).
    steering=frozenset({"v2v"}),
    # the cards decode timestep-conditioned VAEs (0.9.1 on) at this timestep and noise; others ignore them
    call_kwargs={"decode_timestep": 0.03, "decode_noise_scale": 0.025},
    pipeline_steering={"LTXConditionPipeline": ("frames", "keyframes")},
    adapter="studio.engine.adapters.ltx:LtxAdapter",
)
