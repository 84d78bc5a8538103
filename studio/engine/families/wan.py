"""Wan 2.1 and 2.2: text-to-video, image-to-video (first-frame conditioning), VACE control video.

The facts (full-size configurations, latent statistics, preview tables, the
model cards' negative prompt) live in ``wan_facts``. This module declares the
family and builds its demo models: the real architectures with widths, depths
and vocabulary shrunk, keeping patch size, latent channels, VAE compression,
latent statistics and scheduler (UniPC, flow prediction).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, FlowShiftRule, LatentPreview, SizeRules
from studio.engine.families.wan_facts import (
    CLIP_VIT_H,
    UMT5_XXL,
    WAN21_I2V_14B_TRANSFORMER,
    WAN21_RGB_BIAS,
    WAN21_RGB_FACTORS,
    WAN21_T2V_1_3B_TRANSFORMER,
    WAN21_VACE_1_3B_TRANSFORMER,
    WAN21_VAE,
    WAN22_A14B_TRANSFORMER,
    WAN22_I2V_A14B_BOUNDARY_RATIO,
    WAN22_LATENTS_MEAN,
    WAN22_LATENTS_STD,
    WAN22_RGB_BIAS,
    WAN22_RGB_FACTORS,
    WAN22_T2V_A14B_BOUNDARY_RATIO,
    WAN22_TI2V_5B_TRANSFORMER,
    WAN22_VAE,
)

# Words the demo tokenizer learns merges from; any other text still tokenizes byte by byte.
_DEMO_CORPUS = (
    "a cat walks along the beach at sunset, cinematic lighting, slow push in, "
    "a drone shot over mountains and a river, close-up portrait of a woman smiling, "
    "the camera orbits around a red car in the rain at night, neon city street, "
    "low quality, blurry, static, watermark, text, distorted hands"
)


def _demo_tokenizer():
    """A byte-level BPE tokenizer trained in code on a fixed corpus (deterministic)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([_DEMO_CORPUS], trainer)
    eos_id = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", eos_id)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")


def build_wan_demo(folder: Path, scale: int = 1, kind: str = "t2v") -> None:
    """Write a random-weight Wan pipeline to ``folder`` with ``save_pretrained``.

    ``kind``: "t2v" / "i2v" (Wan 2.1; I2V with the 36 input channels, 16 noise +
    4 mask + 16 first-frame latent, and a CLIP image encoder feeding added
    key/value projections), "WanVACEPipeline" (Wan 2.1 VACE), "wan2.2-ti2v"
    (48 latent channels, 16x spatial compression, per-token timesteps) or
    "wan2.2-a14b" (two transformers switched at a boundary). ``scale`` grows
    width and depth (scale 1 runs a step in milliseconds; the overhead
    benchmark uses a larger one).
    """
    import torch

    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    parts = _DemoParts(tokenizer, scale)
    pipe: Any
    if kind == "WanVACEPipeline":
        pipe = _vace_demo(parts)
    elif kind == "wan2.2-ti2v":
        pipe = _ti2v_demo(parts)
    elif kind == "wan2.2-a14b":
        pipe = _a14b_demo(parts)
    elif kind in ("t2v", "i2v"):
        pipe = _wan21_demo(parts, i2v=kind == "i2v")
    else:
        raise ValueError(f"unknown Wan demo kind {kind!r}")
    pipe.save_pretrained(folder)


class _DemoParts:
    """Shrunk components every Wan demo shares: tokenizer, UMT5 encoder, transformer sizes, scheduler."""

    def __init__(self, tokenizer: Any, scale: int) -> None:
        from diffusers import UniPCMultistepScheduler
        from transformers import UMT5Config, UMT5EncoderModel

        self.tokenizer, self.scale = tokenizer, scale
        self.text_dim = 32 * scale
        self.text_encoder = UMT5EncoderModel(
            UMT5Config(
                vocab_size=len(tokenizer), d_model=self.text_dim, d_ff=2 * self.text_dim, d_kv=8, num_heads=4,
                num_layers=2, feed_forward_proj="gated-gelu", relative_attention_num_buckets=32,
                relative_attention_max_distance=128, pad_token_id=0, eos_token_id=1,
            )
        )  # fmt: skip
        self.heads, self.head_dim = 2 * scale, 12 * scale
        self.scheduler = UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=3.0
        )

    def transformer_kwargs(self, channels: int = 16, in_channels: int | None = None) -> dict[str, Any]:
        return dict(
            patch_size=(1, 2, 2), num_attention_heads=self.heads, attention_head_dim=self.head_dim,
            in_channels=in_channels or channels, out_channels=channels, text_dim=self.text_dim, freq_dim=256,
            ffn_dim=32 * self.scale, num_layers=2 * self.scale, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
            eps=1e-6, rope_max_seq_len=1024,
        )  # fmt: skip

    def pipeline_kwargs(self, **components: Any) -> dict[str, Any]:
        return dict(tokenizer=self.tokenizer, text_encoder=self.text_encoder, scheduler=self.scheduler, **components)


def _wan21_vae(scale: int = 1) -> Any:
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(base_dim=3 * scale, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True])  # fmt: skip


def _wan21_demo(parts: _DemoParts, *, i2v: bool) -> Any:
    from diffusers import WanImageToVideoPipeline, WanPipeline, WanTransformer3DModel
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    image_dim = 8
    kwargs = parts.transformer_kwargs(in_channels=36 if i2v else 16)
    if i2v:
        kwargs.update(image_dim=image_dim, added_kv_proj_dim=parts.heads * parts.head_dim)
    transformer = WanTransformer3DModel(**kwargs)
    vae = _wan21_vae(parts.scale)
    if not i2v:
        return WanPipeline(**parts.pipeline_kwargs(transformer=transformer, vae=vae))
    image_encoder = CLIPVisionModel(CLIPVisionConfig(
        hidden_size=image_dim, projection_dim=image_dim, num_hidden_layers=2, num_attention_heads=2,
        image_size=32, intermediate_size=16, patch_size=4,
    ))  # fmt: skip
    return WanImageToVideoPipeline(**parts.pipeline_kwargs(
        transformer=transformer, vae=vae, image_processor=CLIPImageProcessor(crop_size=32, size=32),
        image_encoder=image_encoder,
    ))  # fmt: skip


def _vace_demo(parts: _DemoParts) -> Any:
    """Wan 2.1 VACE: the T2V transformer plus VACE blocks reading 96 control channels
    (16 inactive + 16 reactive latent channels + 64 for the 8x8-packed mask)."""
    from diffusers import WanVACEPipeline, WanVACETransformer3DModel

    transformer = WanVACETransformer3DModel(**parts.transformer_kwargs(), vace_layers=[0, 1], vace_in_channels=96)
    return WanVACEPipeline(**parts.pipeline_kwargs(transformer=transformer, vae=_wan21_vae()))


def _ti2v_demo(parts: _DemoParts) -> Any:
    """Wan 2.2 TI2V 5B: a 48-channel residual VAE behind 2x2 pixel patches (16x spatial), the same
    transformer reading 48 channels, and per-token timesteps (``expand_timesteps``) so that for
    image to video the first latent frame can stay clean."""
    from diffusers import AutoencoderKLWan, WanPipeline, WanTransformer3DModel

    vae = AutoencoderKLWan(
        base_dim=8, decoder_base_dim=8, z_dim=48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True], is_residual=True, in_channels=12, out_channels=12, patch_size=2,
        scale_factor_spatial=16, scale_factor_temporal=4, latents_mean=list(WAN22_LATENTS_MEAN),
        latents_std=list(WAN22_LATENTS_STD),
    )  # fmt: skip
    transformer = WanTransformer3DModel(**parts.transformer_kwargs(channels=48))
    return WanPipeline(**parts.pipeline_kwargs(transformer=transformer, vae=vae), expand_timesteps=True)


def _a14b_demo(parts: _DemoParts) -> Any:
    """Wan 2.2 A14B (text to video): ``transformer`` denoises the high-noise steps, ``transformer_2``
    the rest, switched where the timestep falls below ``boundary_ratio`` x 1000."""
    from diffusers import WanPipeline, WanTransformer3DModel

    high = WanTransformer3DModel(**parts.transformer_kwargs())
    low = WanTransformer3DModel(**parts.transformer_kwargs())
    return WanPipeline(**parts.pipeline_kwargs(transformer=high, transformer_2=low, vae=_wan21_vae()),
                       boundary_ratio=WAN22_T2V_A14B_BOUNDARY_RATIO)  # fmt: skip


#: Full-size architectures ``build_full_size`` knows: (pipeline class, transformer config, second
#: transformer config or None, VAE config, boundary ratio, with a CLIP image encoder, expand_timesteps).
FULL_SIZE: dict[str, tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any], float | None, bool, bool]] = {
    "wan2.1-t2v-1.3b": ("WanPipeline", WAN21_T2V_1_3B_TRANSFORMER, None, WAN21_VAE, None, False, False),
    "wan2.1-i2v-14b-480p": ("WanImageToVideoPipeline", WAN21_I2V_14B_TRANSFORMER, None, WAN21_VAE, None, True, False),
    "wan2.1-vace-1.3b": ("WanVACEPipeline", WAN21_VACE_1_3B_TRANSFORMER, None, WAN21_VAE, None, False, False),
    "wan2.2-ti2v-5b": ("WanPipeline", WAN22_TI2V_5B_TRANSFORMER, None, WAN22_VAE, None, False, True),
    "wan2.2-t2v-a14b": ("WanPipeline", WAN22_A14B_TRANSFORMER, WAN22_A14B_TRANSFORMER, WAN21_VAE,
                        WAN22_T2V_A14B_BOUNDARY_RATIO, False, False),
    "wan2.2-i2v-a14b": ("WanImageToVideoPipeline", {**WAN22_A14B_TRANSFORMER, "in_channels": 36},
                        {**WAN22_A14B_TRANSFORMER, "in_channels": 36}, WAN21_VAE, WAN22_I2V_A14B_BOUNDARY_RATIO,
                        False, False),
}  # fmt: skip


def build_full_size(key: str) -> Any:
    """A released Wan architecture at full size with random weights, on torch's current default device.

    Under ``with torch.device("meta")`` it costs no memory (shape and parameter
    checks); on a GPU it is what ``benchmarks/gpu.py`` times. The tokenizer is
    the demo one (its ids are valid UMT5 ids), as the real one needs a download.

    Raises:
        KeyError: ``key`` is not one of ``FULL_SIZE``.
    """
    import diffusers
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    class_name, transformer, transformer_2, vae, boundary, with_clip, expand = FULL_SIZE[key]
    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = diffusers.UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                                      num_train_timesteps=1000, flow_shift=3.0)  # fmt: skip
    transformer_cls = diffusers.WanVACETransformer3DModel if "vace_layers" in transformer else diffusers.WanTransformer3DModel
    components: dict[str, Any] = {
        "tokenizer": _demo_tokenizer(),
        "text_encoder": UMT5EncoderModel(UMT5Config(**UMT5_XXL)),
        "transformer": transformer_cls(**transformer),
        "vae": diffusers.AutoencoderKLWan(**vae),
        "scheduler": scheduler,
    }
    if transformer_2 is not None:
        components.update(transformer_2=diffusers.WanTransformer3DModel(**transformer_2), boundary_ratio=boundary)
    if with_clip:
        from transformers import CLIPImageProcessor

        components.update(image_encoder=CLIPVisionModel(CLIPVisionConfig(**CLIP_VIT_H)),
                          image_processor=CLIPImageProcessor(crop_size=224, size=224))  # fmt: skip
    if expand:
        components["expand_timesteps"] = True
    return getattr(diffusers, class_name)(**components)


#: Shifts the Wan cards give: 3.0 for 480p, 5.0 for 720p (from 1280x704 pixels per frame on).
WAN_FLOW_SHIFT = FlowShiftRule(low=3.0, high=5.0, high_from_px=1280 * 704)

WAN = Family(
    name="wan",
    label="Wan",
    pipelines={"t2v": "WanPipeline", "i2v": "WanImageToVideoPipeline"},
    size_rules=SizeRules(side_multiple=16, temporal_step=4),
    previews=(
        LatentPreview(factors=WAN21_RGB_FACTORS, bias=WAN21_RGB_BIAS),  # Wan 2.1 VAE (also Wan 2.2 A14B)
        LatentPreview(factors=WAN22_RGB_FACTORS, bias=WAN22_RGB_BIAS),  # Wan 2.2 VAE (TI2V 5B)
    ),
    prediction="flow",
    pipeline_class_names=("WanPipeline", "WanImageToVideoPipeline", "WanVACEPipeline"),
    build_demo=build_wan_demo,
    steering=frozenset({"v2v", "warped_noise"}),
    flow_shift=WAN_FLOW_SHIFT,
    adapter="studio.engine.adapters.wan:WanAdapter",
)
