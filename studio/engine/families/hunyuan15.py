"""HunyuanVideo 1.5: text to video and image to video (first-frame conditioning).

The pipeline encodes the prompt twice: Qwen2.5-VL's language model (a chat
template, 1000 tokens after the system prompt's 108) and a ByT5 glyph encoder
reading the quoted text of the prompt (256 bytes). The transformer reads 65
channels: 32 noisy latent, 32 first-frame latent (zeros for text to video) and
a mask; plus 729 SigLIP image tokens (zeros for text to video). Guidance is a
diffusers guider (classifier-free), not a call argument; the pipeline has no
step callback. The VAE has 32 channels, 16x spatial and 4x temporal
compression; sides are multiples of 16, frames 4k+1.

The demos keep all of that and shrink widths, depths and vocabularies. The
token counts (1000 + 256 + 729) are fixed by the pipeline, so a demo step
costs tens of milliseconds rather than a few, whatever its width.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, SizeRules
from studio.engine.families.hunyuan_facts import (
    BYT5_GLYPH,
    HUNYUAN15_TRANSFORMER,
    HUNYUAN15_VAE,
    QWEN25_VL_7B_TEXT,
    SIGLIP_SO400M,
)

# The Qwen chat layout the pipeline's ``apply_chat_template`` call needs (system + user turns, assistant prompt).
_CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_hunyuan15_demo(folder: Path, scale: int = 1, kind: str = "t2v") -> None:
    """Write a random-weight HunyuanVideo 1.5 pipeline (``kind`` "t2v" or "i2v") to ``folder``.

    Raises:
        ValueError: an unknown ``kind``.
    """
    import torch
    from diffusers import (
        AutoencoderKLHunyuanVideo15,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideo15ImageToVideoPipeline,
        HunyuanVideo15Pipeline,
        HunyuanVideo15Transformer3DModel,
    )
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import (
        ByT5Tokenizer,
        Qwen2_5_VLTextConfig,
        Qwen2_5_VLTextModel,
        T5Config,
        T5EncoderModel,
    )

    from studio.engine.families.wan import _demo_tokenizer

    if kind not in ("t2v", "i2v"):
        raise ValueError(f"unknown HunyuanVideo 1.5 demo kind {kind!r}")
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    tokenizer.chat_template = _CHAT_TEMPLATE
    width, image_dim = 32 * scale, 16
    text_encoder = Qwen2_5_VLTextModel(Qwen2_5_VLTextConfig(
        vocab_size=len(tokenizer), hidden_size=width, intermediate_size=2 * width, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, rope_parameters={"rope_type": "default", "mrope_section": [2 * scale, 3 * scale, 3 * scale]},
        pad_token_id=0, eos_token_id=1,
    ))  # fmt: skip
    tokenizer_2 = ByT5Tokenizer()
    text_encoder_2 = T5EncoderModel(T5Config(vocab_size=len(tokenizer_2), d_model=width, d_ff=2 * width, d_kv=8,
                                             num_heads=2, num_layers=1, feed_forward_proj="gated-gelu"))  # fmt: skip
    transformer = HunyuanVideo15Transformer3DModel(**{
        **HUNYUAN15_TRANSFORMER, "num_attention_heads": 2, "attention_head_dim": 16 * scale, "num_layers": 2,
        "num_refiner_layers": 1, "text_embed_dim": width, "text_embed_2_dim": width, "image_embed_dim": image_dim,
        "rope_axes_dim": (4 * scale, 6 * scale, 6 * scale), "task_type": kind,
    })  # fmt: skip
    # 32 latent channels and 5 levels (16x) as released; the last width must be a multiple of the channels
    vae = AutoencoderKLHunyuanVideo15(**{**HUNYUAN15_VAE, "block_out_channels": (8, 8, 16, 32, 64), "layers_per_block": 1})
    parts: dict[str, Any] = dict(
        text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer, vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=5.0), text_encoder_2=text_encoder_2, tokenizer_2=tokenizer_2,
        guider=ClassifierFreeGuidance(guidance_scale=6.0),
    )  # fmt: skip
    pipe: Any
    if kind == "t2v":
        pipe = HunyuanVideo15Pipeline(**parts)
        pipe.save_pretrained(folder)
        return
    from transformers import SiglipImageProcessor, SiglipVisionConfig, SiglipVisionModel

    image_encoder = SiglipVisionModel(SiglipVisionConfig(
        hidden_size=image_dim, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=32,
        patch_size=8,
    ))  # fmt: skip
    feature_extractor = SiglipImageProcessor(size={"height": 32, "width": 32})
    pipe = HunyuanVideo15ImageToVideoPipeline(**parts, image_encoder=image_encoder, feature_extractor=feature_extractor)
    pipe.save_pretrained(folder)


def build_hunyuan15_full_size(task_type: str = "t2v", target_size: int = 480) -> Any:
    """The released HunyuanVideo 1.5 architecture with random weights, on torch's current default device.

    Under ``with torch.device("meta")`` it costs no memory (parameter and shape
    checks). Tokenizers are the demo ones (the real ones need a download).
    """
    import diffusers
    import torch
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import (
        ByT5Tokenizer,
        Qwen2_5_VLTextConfig,
        Qwen2_5_VLTextModel,
        T5Config,
        T5EncoderModel,
    )

    from studio.engine.families.wan import _demo_tokenizer

    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = diffusers.FlowMatchEulerDiscreteScheduler(shift=5.0)
    parts: dict[str, Any] = dict(
        text_encoder=Qwen2_5_VLTextModel(Qwen2_5_VLTextConfig(**QWEN25_VL_7B_TEXT)), tokenizer=_demo_tokenizer(),
        transformer=diffusers.HunyuanVideo15Transformer3DModel(
            **{**HUNYUAN15_TRANSFORMER, "task_type": task_type, "target_size": target_size}),
        vae=diffusers.AutoencoderKLHunyuanVideo15(**HUNYUAN15_VAE), scheduler=scheduler,
        text_encoder_2=T5EncoderModel(T5Config(**BYT5_GLYPH)), tokenizer_2=ByT5Tokenizer(),
        guider=ClassifierFreeGuidance(guidance_scale=6.0),
    )  # fmt: skip
    if task_type == "t2v":
        return diffusers.HunyuanVideo15Pipeline(**parts)
    from transformers import SiglipImageProcessor, SiglipVisionConfig, SiglipVisionModel

    return diffusers.HunyuanVideo15ImageToVideoPipeline(
        **parts, image_encoder=SiglipVisionModel(SiglipVisionConfig(**SIGLIP_SO400M)),
        feature_extractor=SiglipImageProcessor(size={"height": 384, "width": 384}),
    )  # fmt: skip


HUNYUAN15 = Family(
    name="hunyuan15",
    label="HunyuanVideo 1.5",
    pipelines={"t2v": "HunyuanVideo15Pipeline", "i2v": "HunyuanVideo15ImageToVideoPipeline"},
    size_rules=SizeRules(side_multiple=16, temporal_step=4),
    previews=(),  # no published latent -> RGB table for its 32-channel latent space
    prediction="flow",
    pipeline_class_names=("HunyuanVideo15Pipeline", "HunyuanVideo15ImageToVideoPipeline"),
    build_demo=build_hunyuan15_demo,
    steering=frozenset({"v2v", "warped_noise"}),
    adapter="studio.engine.adapters.hunyuan15:HunyuanVideo15Adapter",
)
