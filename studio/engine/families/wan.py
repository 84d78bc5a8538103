"""Wan 2.1: text-to-video and image-to-video (first-frame conditioning).

Facts carried over from the released model: the 1.3B transformer configuration
(30 layers, 12 heads of 128, ffn 8960, text_dim 4096), the Wan VAE (z_dim 16,
8x spatial and 4x temporal compression, per-channel latent mean/std, which are
diffusers' ``AutoencoderKLWan`` defaults), UniPC with flow prediction and
flow_shift 3.0 at 480p, and the community's linear latent -> RGB factors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules

# Per-channel statistics of the Wan VAE latent space (diffusers' defaults).
WAN_LATENTS_MEAN = (
    -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
    0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921,
)  # fmt: skip
WAN_LATENTS_STD = (
    2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
    3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160,
)  # fmt: skip
# Least-squares fit of decoded RGB on raw Wan 2.1 latents (16 x 3), widely used for previews.
WAN_RGB_FACTORS = (
    (-0.1299, -0.1692, 0.2932), (0.0671, 0.0406, 0.0442), (0.3568, 0.2548, 0.1747),
    (0.0372, 0.2344, 0.1420), (0.0313, 0.0189, -0.0328), (0.0296, -0.0956, -0.0665),
    (-0.3477, -0.4059, -0.2925), (0.0166, 0.1902, 0.1975), (-0.0412, 0.0267, -0.1364),
    (-0.1293, 0.0740, 0.1636), (0.0680, 0.3019, 0.1128), (0.0032, 0.0581, 0.0639),
    (-0.1251, 0.0927, 0.1699), (0.0060, -0.0633, 0.0005), (0.3477, 0.2275, 0.2950),
    (0.1984, 0.0913, 0.1861),
)  # fmt: skip
WAN_RGB_BIAS = (-0.1835, -0.0868, -0.3360)

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


def build_wan_demo(folder: Path, scale: int = 1, mode: str = "t2v") -> None:
    """Write a random-weight Wan 2.1 pipeline (T2V or I2V) to ``folder`` with ``save_pretrained``.

    The architecture is the real one with the sizes shrunk: same patch size,
    latent channels, VAE compression factors, scheduler and latent statistics;
    for I2V also the 36 input channels (16 noise + 4 mask + 16 first-frame
    latent) and a CLIP image encoder feeding added key/value projections.
    ``scale`` grows width and depth (scale 1 runs a step in milliseconds; the
    overhead benchmark uses a larger one).
    """
    import torch
    from diffusers import (
        AutoencoderKLWan,
        UniPCMultistepScheduler,
        WanImageToVideoPipeline,
        WanPipeline,
        WanTransformer3DModel,
    )
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        CLIPVisionModel,
        UMT5Config,
        UMT5EncoderModel,
    )

    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    text_dim = 32 * scale
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer), d_model=text_dim, d_ff=2 * text_dim, d_kv=8, num_heads=4,
            num_layers=2, feed_forward_proj="gated-gelu", relative_attention_num_buckets=32,
            relative_attention_max_distance=128, pad_token_id=0, eos_token_id=1,
        )
    )  # fmt: skip
    i2v = mode == "i2v"
    heads, head_dim, image_dim = 2 * scale, 12 * scale, 8
    if mode == "WanVACEPipeline":
        _save_vace_demo(folder, tokenizer, text_encoder, text_dim, heads, head_dim, scale)
        return
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=heads, attention_head_dim=head_dim,
        in_channels=36 if i2v else 16, out_channels=16, text_dim=text_dim, freq_dim=256, ffn_dim=32 * scale,
        num_layers=2 * scale, cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6,
        rope_max_seq_len=1024, image_dim=image_dim if i2v else None,
        added_kv_proj_dim=heads * head_dim if i2v else None,
    )  # fmt: skip
    vae = AutoencoderKLWan(
        base_dim=3 * scale if scale > 1 else 3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )  # fmt: skip
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=3.0
    )
    pipe: Any
    if i2v:
        image_encoder = CLIPVisionModel(CLIPVisionConfig(
            hidden_size=image_dim, projection_dim=image_dim, num_hidden_layers=2, num_attention_heads=2,
            image_size=32, intermediate_size=16, patch_size=4,
        ))  # fmt: skip
        pipe = WanImageToVideoPipeline(
            tokenizer=tokenizer, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler,
            image_processor=CLIPImageProcessor(crop_size=32, size=32), image_encoder=image_encoder,
        )  # fmt: skip
    else:
        pipe = WanPipeline(
            tokenizer=tokenizer, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler
        )
    pipe.save_pretrained(folder)  # type: ignore[attr-defined]


def _shared_vae_and_scheduler():
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler

    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True])
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=3.0)
    return vae, scheduler


def _save_vace_demo(folder: Path, tokenizer: Any, text_encoder: Any, text_dim: int, heads: int, head_dim: int, scale: int) -> None:
    """Wan 2.1 VACE: the T2V transformer plus VACE blocks reading 96 control channels
    (16 inactive + 16 reactive latent channels + 64 for the 8x8-packed mask)."""
    from diffusers import WanVACEPipeline, WanVACETransformer3DModel

    transformer = WanVACETransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=heads, attention_head_dim=head_dim, in_channels=16, out_channels=16,
        text_dim=text_dim, freq_dim=256, ffn_dim=32 * scale, num_layers=2 * scale, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024, vace_layers=[0, 1], vace_in_channels=96,
    )  # fmt: skip
    vae, scheduler = _shared_vae_and_scheduler()
    pipe = WanVACEPipeline(tokenizer=tokenizer, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler)
    pipe.save_pretrained(folder)  # type: ignore[attr-defined]


WAN = Family(
    name="wan",
    label="Wan 2.1",
    pipelines={"t2v": "WanPipeline", "i2v": "WanImageToVideoPipeline"},
    size_rules=SizeRules(side_multiple=16, temporal_step=4),
    preview=LatentPreview(
        factors=WAN_RGB_FACTORS,
        bias=WAN_RGB_BIAS,
        latents_mean=WAN_LATENTS_MEAN,
        latents_std=WAN_LATENTS_STD,
        temporal_compression=4,
    ),
    prediction="flow",
    pipeline_class_names=("WanPipeline", "WanImageToVideoPipeline", "WanVACEPipeline"),
    build_demo=build_wan_demo,
    steering=frozenset({"v2v", "warped_noise"}),
)
