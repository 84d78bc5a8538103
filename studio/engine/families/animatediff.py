"""AnimateDiff: a Stable Diffusion 1.5 UNet with motion modules (diffusers ``MotionAdapter``).

Text to video (``AnimateDiffPipeline``) and, for image to video, video to
video (``AnimateDiffVideoToVideoPipeline``) from the motion engine's guide:
AnimateDiff has no image conditioning, so the guide (the image moved along the
camera path and arrows) is encoded and noised to ``guide_strength`` and the
rest is denoised. Epsilon prediction, DDIM as the card configures it; latents
(B, 4, F, H/8, W/8): no temporal compression, any frame count up to the
motion modules' 32 positions. Camera presets map to guoyww's motion LoRAs.

The facts (full-size configs, preview table) live in ``unet_facts``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.unet_facts import (
    ANIMATEDIFF_DDIM,
    CLIP_L_TEXT,
    MOTION_ADAPTER_V2,
    MOTION_ADAPTER_V3,
    SD15_UNET,
    SD_RGB_FACTORS,
    SD_VAE,
)

#: The studio's camera presets with a guoyww motion LoRA (AnimateDiff v2), by registered LoRA key.
CAMERA_LORAS: dict[str, str] = {
    "zoom_in": "animatediff-motion-lora-zoom-in",
    "zoom_out": "animatediff-motion-lora-zoom-out",
    "pan_left": "animatediff-motion-lora-pan-left",
    "pan_right": "animatediff-motion-lora-pan-right",
    "tilt_up": "animatediff-motion-lora-tilt-up",
    "tilt_down": "animatediff-motion-lora-tilt-down",
    "roll_cw": "animatediff-motion-lora-rolling-clockwise",
    "roll_ccw": "animatediff-motion-lora-rolling-anticlockwise",
}


def clip_demo_tokenizer() -> Any:
    """A CLIP BPE tokenizer over the byte-level alphabet (each byte alone and word-final), no merges.

    A real CLIPTokenizer (start/end tokens, ``</w>`` word ends, 77 positions) whose
    vocabulary is 514 tokens: any text tokenizes, one token per byte.
    """
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for piece in [*alphabet, *(c + "</w>" for c in alphabet)]:
        vocab.setdefault(piece, len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def build_animatediff_demo(folder: Path, scale: int = 1, kind: str = "t2v") -> None:
    """Write a random-weight ``AnimateDiffPipeline`` to ``folder`` with ``save_pretrained``.

    Both modes load this folder (video to video with ``AnimateDiffVideoToVideoPipeline``).
    """
    from diffusers import AnimateDiffPipeline

    del kind  # one demo serves both modes
    pipe: Any = AnimateDiffPipeline(**demo_components(scale))
    pipe.save_pretrained(folder)


def demo_components(scale: int = 1) -> dict[str, Any]:
    """The demo's components, the UNet still a plain SD ``UNet2DConditionModel`` beside its ``motion_adapter``.

    SD 1.5's architecture shrunk: the UNet's block types with two levels and narrow
    widths, a four-level VAE (the real 8x compression, 4 latent channels), a
    two-layer CLIP text encoder, a motion adapter matching the UNet (32 frame
    positions, mid-block module as in v2), the card's DDIM scheduler.
    """
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, MotionAdapter, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    widths = (16 * scale, 32 * scale)
    tokenizer = clip_demo_tokenizer()
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=2, block_out_channels=widths,
        cross_attention_dim=16 * scale, attention_head_dim=4, norm_num_groups=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    )  # fmt: skip
    adapter = MotionAdapter(block_out_channels=widths, motion_layers_per_block=2, motion_num_attention_heads=2,
                            motion_norm_num_groups=4, motion_max_seq_length=32, use_motion_mid_block=True)  # fmt: skip
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1,
                        block_out_channels=(8, 8, 16, 16), norm_num_groups=4, sample_size=64,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)  # fmt: skip
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=16 * scale, intermediate_size=32 * scale, num_hidden_layers=2,
        num_attention_heads=2, max_position_embeddings=77, bos_token_id=0, eos_token_id=1, pad_token_id=1,
    ))  # fmt: skip
    return dict(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, motion_adapter=adapter,
                scheduler=DDIMScheduler(**ANIMATEDIFF_DDIM))  # fmt: skip


def build_full_size(version: str = "v3") -> Any:
    """AnimateDiff at full size (SD 1.5 UNet, VAE, CLIP ViT-L text encoder, motion adapter ``v2``/``v3``)
    with random weights on torch's current device (``meta`` in the tests). The tokenizer is the demo one.
    """
    import torch
    from diffusers import (
        AnimateDiffPipeline,
        AutoencoderKL,
        DDIMScheduler,
        MotionAdapter,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = DDIMScheduler(**ANIMATEDIFF_DDIM)
    adapter = MotionAdapter(**(MOTION_ADAPTER_V3 if version == "v3" else MOTION_ADAPTER_V2))
    return AnimateDiffPipeline(
        vae=AutoencoderKL(**SD_VAE), text_encoder=CLIPTextModel(CLIPTextConfig(**CLIP_L_TEXT)),
        tokenizer=clip_demo_tokenizer(), unet=UNet2DConditionModel(**SD15_UNET), motion_adapter=adapter,
        scheduler=scheduler,
    )  # fmt: skip


ANIMATEDIFF = Family(
    name="animatediff",
    label="AnimateDiff",
    pipelines={"t2v": "AnimateDiffPipeline", "i2v": "AnimateDiffVideoToVideoPipeline"},
    size_rules=SizeRules(side_multiple=8, temporal_step=1, max_frames=32),
    previews=(LatentPreview(factors=SD_RGB_FACTORS),),
    prediction="epsilon",
    pipeline_class_names=("AnimateDiffPipeline", "AnimateDiffVideoToVideoPipeline"),
    build_demo=build_animatediff_demo,
    steering=frozenset({"v2v", "warped_noise"}),
    adapter="studio.engine.adapters.animatediff:AnimateDiffAdapter",
    camera_loras=CAMERA_LORAS,
    # the pipeline hands the UNet's latents to the VAE (and image latents to the UNet) without a cast:
    # one dtype for all components (in bf16 the SD VAE decodes fine)
    float32_components=frozenset(),
)
