"""CogVideoX 1.0 and 1.5: text to video, image to video (first-frame latent), video to video.

The facts (full-size configurations, preview table, card rules) live in
``cogvideox_facts``; the pipeline call, the frames-first latent layout and the
v-prediction noise process live in ``studio.engine.adapters.cogvideox``. This
module declares the family and builds its demo models: the real architectures
with widths, depths and vocabulary shrunk, keeping latent channels, VAE
compression, patch sizes, positional-embedding kind and scheduler.

Image to video: the I2V checkpoints condition on the source image's latent
and the guide steers them by video-to-video strength and warped noise. The
text-to-video checkpoints of 1.0 animate an image by re-rendering the camera
guide with ``CogVideoXVideoToVideoPipeline`` (``video`` = guide frames,
``strength`` from ``guide_strength``): for them the guide *is* the source video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.cogvideox_facts import (
    COGVIDEOX10_MAX_FRAMES,
    COGVIDEOX10_VAE,
    COGVIDEOX15_5B_I2V_TRANSFORMER,
    COGVIDEOX15_5B_TRANSFORMER,
    COGVIDEOX15_MAX_FRAMES,
    COGVIDEOX15_VAE,
    COGVIDEOX_2B_TRANSFORMER,
    COGVIDEOX_5B_I2V_TRANSFORMER,
    COGVIDEOX_5B_TRANSFORMER,
    COGVIDEOX_RGB_FACTORS,
    SCHEDULER_COMMON,
    T5_V1_1_XXL,
)

#: Demo kinds ``build_cogvideox_demo`` knows: 1.0 text to video (the 2B design: sin-cos positions, DDIM with
#: SNR shift 3) and 1.5 image to video (2-frame temporal patches, "ofs" embedding, DPM scheduler).
DEMO_KINDS = ("cogvideox-1.0-t2v", "cogvideox-1.5-i2v")


def build_cogvideox_demo(folder: Path, scale: int = 1, kind: str = "cogvideox-1.0-t2v") -> None:
    """Write a random-weight CogVideoX pipeline to ``folder`` with ``save_pretrained``.

    ``kind`` is one of ``DEMO_KINDS``; ``scale`` grows width and depth (scale 1
    runs a step in milliseconds).

    Raises:
        ValueError: an unknown ``kind``.
    """
    import diffusers
    import torch
    from transformers import T5Config, T5EncoderModel

    from studio.engine.families.wan import _demo_tokenizer  # one demo tokenizer for every T5-style encoder

    if kind not in DEMO_KINDS:
        raise ValueError(f"unknown CogVideoX demo kind {kind!r}; known: {', '.join(DEMO_KINDS)}")
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    text_dim = 32 * scale
    text_encoder = T5EncoderModel(T5Config(
        vocab_size=len(tokenizer), d_model=text_dim, d_ff=2 * text_dim, d_kv=8, num_heads=4, num_layers=2,
        feed_forward_proj="gated-gelu", pad_token_id=0, eos_token_id=1,
    ))  # fmt: skip
    v15 = kind == "cogvideox-1.5-i2v"
    full = COGVIDEOX15_5B_I2V_TRANSFORMER if v15 else COGVIDEOX_2B_TRANSFORMER
    transformer = diffusers.CogVideoXTransformer3DModel(**{
        **full, "num_attention_heads": 2 * scale, "attention_head_dim": 16, "num_layers": 2 * scale,
        "text_embed_dim": text_dim, "time_embed_dim": 16, **({"ofs_embed_dim": 16} if v15 else {}),
    })  # fmt: skip
    vae = diffusers.AutoencoderKLCogVideoX(**{
        **(COGVIDEOX15_VAE if v15 else COGVIDEOX10_VAE), "block_out_channels": (8, 8, 16, 16),
        "layers_per_block": 1, "norm_num_groups": 4,
    })  # fmt: skip
    scheduler: Any
    if v15:
        scheduler = diffusers.CogVideoXDPMScheduler(**SCHEDULER_COMMON, snr_shift_scale=1.0)
        pipe: Any = diffusers.CogVideoXImageToVideoPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae,
                                                            transformer=transformer, scheduler=scheduler)  # fmt: skip
    else:
        scheduler = diffusers.CogVideoXDDIMScheduler(**SCHEDULER_COMMON, snr_shift_scale=3.0)
        pipe = diffusers.CogVideoXPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae,
                                           transformer=transformer, scheduler=scheduler)  # fmt: skip
    pipe.save_pretrained(folder)


#: Full-size architectures ``build_full_size`` knows: (pipeline class, transformer config, VAE config, SNR shift).
FULL_SIZE: dict[str, tuple[str, dict[str, Any], dict[str, Any], float]] = {
    "cogvideox-2b": ("CogVideoXPipeline", COGVIDEOX_2B_TRANSFORMER, COGVIDEOX10_VAE, 3.0),
    "cogvideox-5b": ("CogVideoXPipeline", COGVIDEOX_5B_TRANSFORMER, COGVIDEOX10_VAE, 1.0),
    "cogvideox-5b-i2v": ("CogVideoXImageToVideoPipeline", COGVIDEOX_5B_I2V_TRANSFORMER, COGVIDEOX10_VAE, 1.0),
    "cogvideox1.5-5b": ("CogVideoXPipeline", COGVIDEOX15_5B_TRANSFORMER, COGVIDEOX15_VAE, 1.0),
    "cogvideox1.5-5b-i2v": ("CogVideoXImageToVideoPipeline", COGVIDEOX15_5B_I2V_TRANSFORMER, COGVIDEOX15_VAE, 1.0),
}


def build_full_size(key: str) -> Any:
    """A released CogVideoX architecture at full size with random weights, on torch's current default device.

    Under ``with torch.device("meta")`` it costs no memory (shape and parameter
    checks). The tokenizer is the demo one, as the real one needs a download.

    Raises:
        KeyError: ``key`` is not one of ``FULL_SIZE``.
    """
    import diffusers
    import torch
    from transformers import T5Config, T5EncoderModel

    from studio.engine.families.wan import _demo_tokenizer

    class_name, transformer, vae, snr_shift = FULL_SIZE[key]
    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = diffusers.CogVideoXDDIMScheduler(**SCHEDULER_COMMON, snr_shift_scale=snr_shift)
    return getattr(diffusers, class_name)(
        tokenizer=_demo_tokenizer(), text_encoder=T5EncoderModel(T5Config(**T5_V1_1_XXL)),
        vae=diffusers.AutoencoderKLCogVideoX(**vae), transformer=diffusers.CogVideoXTransformer3DModel(**transformer),
        scheduler=scheduler,
    )  # fmt: skip


#: CogVideoX 1.0: 4k+1 frames up to 49; sides multiples of 16 (8x VAE x 2x2 patches).
COGVIDEOX10_RULES = SizeRules(side_multiple=16, temporal_step=4, max_frames=COGVIDEOX10_MAX_FRAMES)
#: CogVideoX 1.5: 16k+1 frames (81 or 161 on the card) up to 161; sides multiples of 16.
COGVIDEOX15_RULES = SizeRules(side_multiple=16, temporal_step=16, max_frames=COGVIDEOX15_MAX_FRAMES)

COGVIDEOX = Family(
    name="cogvideox",
    label="CogVideoX",
    pipelines={"t2v": "CogVideoXPipeline", "i2v": "CogVideoXImageToVideoPipeline"},
    size_rules=COGVIDEOX10_RULES,
    previews=(LatentPreview(factors=COGVIDEOX_RGB_FACTORS),),
    prediction="v",
    pipeline_class_names=("CogVideoXPipeline", "CogVideoXImageToVideoPipeline"),
    build_demo=build_cogvideox_demo,
    steering=frozenset({"v2v", "warped_noise"}),
    adapter="studio.engine.adapters.cogvideox:CogVideoXAdapter",
)
