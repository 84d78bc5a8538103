"""Facts about the released UNet video models (AnimateDiff on SD 1.5, Stable Video Diffusion), as data.

The full-size configurations are the keyword arguments of the diffusers /
transformers classes as the released checkpoints use them (their
``config.json``); tests build them on the ``meta`` device to check parameter
counts and the studio's latent shapes against the pipelines' own.
"""

from __future__ import annotations

from typing import Any

# -- latent space --------------------------------------------------------------------------
# Linear fit of decoded RGB on SD 1.x VAE latents (4 x 3), as ComfyUI publishes it for its SD15 format. ComfyUI
# applies it to the sampler's latent, which is the VAE latent times ``scaling_factor`` (0.18215): the same space
# the UNet of AnimateDiff and of Stable Video Diffusion denoises (both decode ``latents / scaling_factor``).
SD_RGB_FACTORS = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.7177),
)

# -- AnimateDiff (SD 1.5 + motion adapter) -------------------------------------------------------
SD15_UNET: dict[str, Any] = dict(
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768, attention_head_dim=8,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
)  # fmt: skip
SD_VAE: dict[str, Any] = dict(
    in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4, sample_size=512,
    scaling_factor=0.18215,
)  # fmt: skip
CLIP_L_TEXT: dict[str, Any] = dict(
    vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
    max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768,
)  # fmt: skip
# guoyww/animatediff-motion-adapter-v1-5-2 (AnimateDiff v2: a motion module in the mid block too) and
# -v1-5-3 (v3: none there). Both attend over at most 32 frames (``motion_max_seq_length``).
MOTION_ADAPTER_V2: dict[str, Any] = dict(
    block_out_channels=(320, 640, 1280, 1280), motion_layers_per_block=2, motion_mid_block_layers_per_block=1,
    motion_num_attention_heads=8, motion_norm_num_groups=32, motion_max_seq_length=32, use_motion_mid_block=True,
)  # fmt: skip
MOTION_ADAPTER_V3: dict[str, Any] = {**MOTION_ADAPTER_V2, "use_motion_mid_block": False}
# The AnimateDiff card's scheduler: DDIM over SD 1.5's betas, evenly spaced timesteps, no clipping.
ANIMATEDIFF_DDIM: dict[str, Any] = dict(
    num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="linear", clip_sample=False,
    timestep_spacing="linspace", steps_offset=1, set_alpha_to_one=False,
)  # fmt: skip

# -- Stable Video Diffusion -------------------------------------------------------------------
SVD_XT_UNET: dict[str, Any] = dict(
    sample_size=96, in_channels=8, out_channels=4, layers_per_block=2, block_out_channels=(320, 640, 1280, 1280),
    addition_time_embed_dim=256, projection_class_embeddings_input_dim=768, cross_attention_dim=1024,
    num_attention_heads=(5, 10, 20, 20), transformer_layers_per_block=1, num_frames=25,
    down_block_types=("CrossAttnDownBlockSpatioTemporal",) * 3 + ("DownBlockSpatioTemporal",),
    up_block_types=("UpBlockSpatioTemporal",) + ("CrossAttnUpBlockSpatioTemporal",) * 3,
)  # fmt: skip
SVD_UNET: dict[str, Any] = {**SVD_XT_UNET, "num_frames": 14}
SVD_VAE: dict[str, Any] = dict(
    in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4, sample_size=768, scaling_factor=0.18215,
)  # fmt: skip
CLIP_VIT_H_PROJECTION: dict[str, Any] = dict(
    hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=16, patch_size=14,
    image_size=224, projection_dim=1024, hidden_act="gelu",
)  # fmt: skip
# EDM sampling as the SVD checkpoints configure diffusers' Euler scheduler (v prediction, Karras sigmas).
SVD_EULER: dict[str, Any] = dict(
    num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
    prediction_type="v_prediction", interpolation_type="linear", use_karras_sigmas=True, sigma_min=0.002,
    sigma_max=700.0, timestep_spacing="leading", timestep_type="continuous", steps_offset=1,
)  # fmt: skip
