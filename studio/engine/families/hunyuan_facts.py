"""Facts about the released HunyuanVideo 1.5 and FramePack models, as data (nothing here builds anything).

Full-size configurations are the keyword arguments of the diffusers /
transformers classes as the released checkpoints use them (diffusers'
defaults for these classes are the released sizes); tests build them on the
``meta`` device to check parameter counts and the studio's latent shapes.
"""

from __future__ import annotations

from typing import Any

# -- HunyuanVideo 1.5 -----------------------------------------------------------------------
#: The 8.3B DiT: 54 double-stream blocks of 16 x 128, reading 65 channels (32 noisy latent + 32 first-frame latent
#: + 1 mask), Qwen2.5-VL hidden states (3584), ByT5 glyph states (1472) and SigLIP image tokens (1152).
#: ``target_size`` is the resolution class (480 / 720), ``task_type`` t2v or i2v.
HUNYUAN15_TRANSFORMER: dict[str, Any] = dict(
    in_channels=65, out_channels=32, num_attention_heads=16, attention_head_dim=128, num_layers=54,
    num_refiner_layers=2, mlp_ratio=4.0, patch_size=1, patch_size_t=1, qk_norm="rms_norm", text_embed_dim=3584,
    text_embed_2_dim=1472, image_embed_dim=1152, rope_theta=256.0, rope_axes_dim=(16, 56, 56), target_size=480,
    task_type="t2v",
)  # fmt: skip
#: The 32-channel VAE: 16x spatial, 4x temporal compression.
HUNYUAN15_VAE: dict[str, Any] = dict(
    latent_channels=32, block_out_channels=(128, 256, 512, 1024, 1024), layers_per_block=2,
    spatial_compression_ratio=16, temporal_compression_ratio=4, scaling_factor=1.03682,
)  # fmt: skip
#: Qwen2.5-VL-7B-Instruct's language model (the pipeline reads its hidden states; no vision tower, no LM head).
QWEN25_VL_7B_TEXT: dict[str, Any] = dict(
    vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
    num_key_value_heads=4, max_position_embeddings=128000, rms_norm_eps=1e-6,
    rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]},
)  # fmt: skip
#: The Glyph-SDXL-v2 ByT5-small encoder (byte vocabulary of 384) that reads quoted text in the prompt.
BYT5_GLYPH: dict[str, Any] = dict(
    vocab_size=384, d_model=1472, d_ff=3584, d_kv=64, num_heads=6, num_layers=12, feed_forward_proj="gated-gelu",
    is_encoder_decoder=False,
)  # fmt: skip
#: SigLIP so400m / patch 14 / 384 px: 27 x 27 = 729 image tokens of 1152 (I2V; FramePack's image encoder too).
SIGLIP_SO400M: dict[str, Any] = dict(
    hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16, image_size=384,
    patch_size=14,
)  # fmt: skip
#: The negative prompt the HunyuanVideo 1.5 demo scripts start from (empty: the guider's unconditional branch).
HUNYUAN15_NEGATIVE_PROMPT = ""

# -- HunyuanVideo FramePack ----------------------------------------------------------------
#: FramePackI2V_HY: HunyuanVideo's 13B DiT (20 double + 40 single blocks of 24 x 128, 2x2 patches) with a SigLIP
#: image projection and the clean-latent embedders for the 1x / 2x / 4x compressed history.
FRAMEPACK_TRANSFORMER: dict[str, Any] = dict(
    in_channels=16, out_channels=16, num_attention_heads=24, attention_head_dim=128, num_layers=20,
    num_single_layers=40, num_refiner_layers=2, mlp_ratio=4.0, patch_size=2, patch_size_t=1, qk_norm="rms_norm",
    guidance_embeds=True, text_embed_dim=4096, pooled_projection_dim=768, rope_theta=256.0,
    rope_axes_dim=(16, 56, 56), image_condition_type=None, has_image_proj=True, image_proj_dim=1152,
    has_clean_x_embedder=True,
)  # fmt: skip
#: HunyuanVideo's causal 3D VAE: 16 channels, 8x spatial, 4x temporal, latents scaled by 0.476986.
HUNYUAN_VIDEO_VAE: dict[str, Any] = dict(
    latent_channels=16, block_out_channels=(128, 256, 512, 512), layers_per_block=2, scaling_factor=0.476986,
    spatial_compression_ratio=8, temporal_compression_ratio=4,
)  # fmt: skip
#: llava-llama-3-8b's language model (HunyuanVideo's text encoder; hidden states of the third-last layer).
LLAMA3_8B: dict[str, Any] = dict(
    vocab_size=128320, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, max_position_embeddings=8192, rms_norm_eps=1e-5, rope_theta=500000.0,
)  # fmt: skip
#: CLIP ViT-L/14's text tower (HunyuanVideo's pooled text embedding, 768).
CLIP_L_TEXT: dict[str, Any] = dict(
    vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
    max_position_embeddings=77, projection_dim=768,
)  # fmt: skip
#: Latent frames FramePack denoises per section (the released checkpoints' window: 33 video frames).
FRAMEPACK_LATENT_WINDOW = 9

# Linear fit of decoded RGB on HunyuanVideo latents as the pipeline holds them (scaled by 0.476986), 16 x 3:
# the table ComfyUI previews HunyuanVideo with (its latent format applies it to the scaled latent too).
HUNYUAN_VIDEO_RGB_FACTORS = (
    (-0.0395, -0.0331, 0.0445), (0.0696, 0.0795, 0.0518), (0.0135, -0.0945, -0.0282),
    (0.0108, -0.0250, -0.0765), (-0.0209, 0.0032, 0.0224), (-0.0804, -0.0254, -0.0639),
    (-0.0991, 0.0271, -0.0669), (-0.0646, -0.0422, -0.0400), (-0.0696, -0.0595, -0.0894),
    (-0.0799, -0.0208, -0.0375), (0.1166, 0.1627, 0.0962), (0.1165, 0.0432, 0.0407),
    (-0.2315, -0.1920, -0.1355), (-0.0270, 0.0401, -0.0821), (-0.0616, -0.0997, -0.0727),
    (0.0249, -0.0469, -0.1703),
)  # fmt: skip
HUNYUAN_VIDEO_RGB_BIAS = (0.0259, -0.0192, -0.0761)
