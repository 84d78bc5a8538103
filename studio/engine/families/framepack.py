"""HunyuanVideo FramePack: image to video made section by section (long video).

``HunyuanVideoFramepackPipeline`` denoises ``latent_window_size`` latent frames
at a time (9 for the released checkpoint: 33 video frames), conditioned on the
source image and on a compressed history of what is already made (1x, 2x and 4x
downsampled latents). With "inverted anti-drifting" sampling (FramePackI2V_HY)
the sections are made from the clip's end back to its start; each finished
section is decoded by the VAE and blended into the video before the next one
starts, which is where the studio shows it (``PipelineAdapter.segments``).

The rest is HunyuanVideo's: Llama-3 hidden states and a CLIP-L pooled embedding
for the prompt, a SigLIP image encoder, the 16-channel causal VAE (8x spatial,
4x temporal), 2x2 patches (sides multiples of 16), distilled guidance embedded in
the transformer (no negative prompt). The whole clip is a whole number of
windows; the studio keeps the requested frame count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.hunyuan_facts import (
    CLIP_L_TEXT,
    FRAMEPACK_LATENT_WINDOW,
    FRAMEPACK_TRANSFORMER,
    HUNYUAN_VIDEO_RGB_BIAS,
    HUNYUAN_VIDEO_RGB_FACTORS,
    HUNYUAN_VIDEO_VAE,
    LLAMA3_8B,
    SIGLIP_SO400M,
)


def build_framepack_demo(folder: Path, scale: int = 1, kind: str = "i2v") -> None:
    """Write a random-weight FramePack pipeline (the real architecture shrunk) to ``folder``.

    Raises:
        ValueError: ``kind`` is not "i2v" (FramePack only animates an image).
    """
    import torch
    from diffusers import (
        AutoencoderKLHunyuanVideo,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideoFramepackPipeline,
        HunyuanVideoFramepackTransformer3DModel,
    )
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        LlamaConfig,
        LlamaModel,
        SiglipImageProcessor,
        SiglipVisionConfig,
        SiglipVisionModel,
    )

    from studio.engine.families.wan import _demo_tokenizer

    if kind != "i2v":
        raise ValueError(f"unknown FramePack demo kind {kind!r}")
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    width, image_dim = 32 * scale, 16
    text_encoder = LlamaModel(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=width, intermediate_size=2 * width, num_hidden_layers=3,
        num_attention_heads=2, num_key_value_heads=1, pad_token_id=0, eos_token_id=1, bos_token_id=1,
    ))  # fmt: skip
    # CLIP pools at the first end-of-text token: the demo tokenizer's "</s>" (id 1)
    text_encoder_2 = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=width, intermediate_size=2 * width, num_hidden_layers=1,
        num_attention_heads=2, max_position_embeddings=CLIP_L_TEXT["max_position_embeddings"], projection_dim=width,
        pad_token_id=0, bos_token_id=1, eos_token_id=1,
    ))  # fmt: skip
    transformer = HunyuanVideoFramepackTransformer3DModel(**{
        **FRAMEPACK_TRANSFORMER, "num_attention_heads": 2, "attention_head_dim": 16 * scale, "num_layers": 1,
        "num_single_layers": 1, "num_refiner_layers": 1, "text_embed_dim": width, "pooled_projection_dim": width,
        "rope_axes_dim": (4 * scale, 6 * scale, 6 * scale), "image_proj_dim": image_dim,
    })  # fmt: skip
    # 4 levels (8x spatial, 4x temporal) as released, 4 channels wide: its CPU conv3d decode is most of a demo job
    vae = AutoencoderKLHunyuanVideo(**{**HUNYUAN_VIDEO_VAE, "block_out_channels": (4, 4, 4, 4), "layers_per_block": 1},
                                    norm_num_groups=2)  # fmt: skip
    image_encoder = SiglipVisionModel(SiglipVisionConfig(
        hidden_size=image_dim, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=32,
        patch_size=8,
    ))  # fmt: skip
    pipe: Any = HunyuanVideoFramepackPipeline(
        text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer, vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=text_encoder_2, tokenizer_2=tokenizer,
        image_encoder=image_encoder, feature_extractor=SiglipImageProcessor(size={"height": 32, "width": 32}),
    )  # fmt: skip
    pipe.save_pretrained(folder)


def build_framepack_full_size() -> Any:
    """FramePackI2V_HY with HunyuanVideo's encoders and VAE at full size, random weights, on torch's default device
    (``with torch.device("meta")``: no memory). Tokenizers are the demo one (the real ones need a download)."""
    import diffusers
    import torch
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        LlamaConfig,
        LlamaModel,
        SiglipImageProcessor,
        SiglipVisionConfig,
        SiglipVisionModel,
    )

    from studio.engine.families.wan import _demo_tokenizer

    with torch.device("cpu"):
        scheduler = diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0)
    tokenizer = _demo_tokenizer()
    return diffusers.HunyuanVideoFramepackPipeline(
        text_encoder=LlamaModel(LlamaConfig(**LLAMA3_8B)), tokenizer=tokenizer,
        transformer=diffusers.HunyuanVideoFramepackTransformer3DModel(**FRAMEPACK_TRANSFORMER),
        vae=diffusers.AutoencoderKLHunyuanVideo(**HUNYUAN_VIDEO_VAE), scheduler=scheduler,
        text_encoder_2=CLIPTextModel(CLIPTextConfig(**CLIP_L_TEXT)), tokenizer_2=tokenizer,
        image_encoder=SiglipVisionModel(SiglipVisionConfig(**SIGLIP_SO400M)),
        feature_extractor=SiglipImageProcessor(size={"height": 384, "width": 384}),
    )  # fmt: skip


FRAMEPACK = Family(
    name="framepack",
    label="HunyuanVideo FramePack",
    pipelines={"i2v": "HunyuanVideoFramepackPipeline"},
    size_rules=SizeRules(side_multiple=16, temporal_step=4),
    previews=(LatentPreview(factors=HUNYUAN_VIDEO_RGB_FACTORS, bias=HUNYUAN_VIDEO_RGB_BIAS),),
    prediction="flow",
    pipeline_class_names=("HunyuanVideoFramepackPipeline",),
    build_demo=build_framepack_demo,
    # frame conditioning: a moving guide's last frame is the pipeline's ``last_image`` (the clip's end)
    steering=frozenset({"last_frame"}),
    call_kwargs={"latent_window_size": FRAMEPACK_LATENT_WINDOW, "sampling_type": "inverted_anti_drifting"},
    adapter="studio.engine.adapters.framepack:FramePackAdapter",
    inputs=frozenset({"prompt", "steps", "guidance_scale"}),
)
