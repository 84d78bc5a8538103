"""Facts about the released CogVideoX models (1.0 and 1.5), as data: configs, preview table, card defaults.

Nothing here builds anything. The full-size configurations are the keyword
arguments of the diffusers / transformers classes as the released
checkpoints (``THUDM/CogVideoX-2b``, ``-5b``, ``-5b-I2V``, ``CogVideoX1.5-5B``,
``CogVideoX1.5-5B-I2V``) use them; tests build them on the ``meta`` device.
"""

from __future__ import annotations

from typing import Any

# -- latent space ---------------------------------------------------------------------------
# The linear latent -> RGB table (16 x 3, no bias) kijai's ComfyUI-CogVideoXWrapper previews CogVideoX with
# (``latent_preview.py``), applied there to the sampler's latent: the scaled one the transformer sees.
# Rounded to 4 decimals. One table for the 1.0 and 1.5 VAEs (the same architecture and latent space).
COGVIDEOX_RGB_FACTORS = (
    (0.1195, 0.0992, -0.0048), (-0.0012, 0.0550, 0.0213), (-0.0141, -0.0087, -0.0210),
    (0.0306, 0.1219, 0.0140), (0.0927, 0.0303, 0.0508), (0.0379, 0.0494, 0.0586),
    (0.0177, 0.0088, 0.0360), (0.1061, 0.0234, 0.0572), (0.1274, -0.0110, 0.0433),
    (-0.0187, 0.0822, 0.1061), (0.0084, 0.0762, 0.0930), (0.1294, 0.1236, 0.0448),
    (0.0457, 0.0411, -0.0177), (0.0002, -0.0140, 0.0533), (0.0808, 0.1155, -0.0215),
    (-0.0152, -0.0058, 0.0722),
)  # fmt: skip

# -- rules from the model cards ----------------------------------------------------------------
#: CogVideoX 1.0: 6 s at 8 fps = 49 frames (4k+1: 13 latent frames at most), 720x480.
COGVIDEOX10_MAX_FRAMES = 49
#: CogVideoX 1.5: 5 or 10 s at 16 fps = 81 or 161 frames (16k+1), 1360x768 by default.
COGVIDEOX15_MAX_FRAMES = 161
#: CogVideoX-5b-I2V has learned positional embeddings for one grid: it runs at 720x480 only.
COGVIDEOX_5B_I2V_SIZE = (720, 480)

# -- full-size configurations ------------------------------------------------------------------
_TRANSFORMER_COMMON: dict[str, Any] = {
    "activation_fn": "gelu-approximate", "attention_bias": True, "attention_head_dim": 64, "flip_sin_to_cos": True,
    "freq_shift": 0, "max_text_seq_length": 226, "norm_elementwise_affine": True, "norm_eps": 1e-5,
    "out_channels": 16, "patch_size": 2, "spatial_interpolation_scale": 1.875, "temporal_compression_ratio": 4,
    "temporal_interpolation_scale": 1.0, "text_embed_dim": 4096, "time_embed_dim": 512,
    "timestep_activation_fn": "silu",
}  # fmt: skip
_V10: dict[str, Any] = {**_TRANSFORMER_COMMON, "sample_frames": 49, "sample_height": 60, "sample_width": 90}
_V15: dict[str, Any] = {**_TRANSFORMER_COMMON, "sample_frames": 81, "sample_height": 300, "sample_width": 300,
                        "patch_size_t": 2, "patch_bias": False, "use_rotary_positional_embeddings": True}  # fmt: skip
#: ``CogVideoXTransformer3DModel`` of CogVideoX-2b (1.69 B): 30 x 1920 wide, sin-cos positions.
COGVIDEOX_2B_TRANSFORMER = {**_V10, "num_attention_heads": 30, "num_layers": 30, "in_channels": 16,
                            "use_rotary_positional_embeddings": False}  # fmt: skip
#: ``CogVideoXTransformer3DModel`` of CogVideoX-5b (5.57 B): 42 x 3072 wide, 3D rotary positions.
COGVIDEOX_5B_TRANSFORMER = {**_V10, "num_attention_heads": 48, "num_layers": 42, "in_channels": 16,
                            "use_rotary_positional_embeddings": True}  # fmt: skip
#: CogVideoX-5b-I2V: 32 input channels (16 noise + 16 image latent) and learned positional embeddings.
COGVIDEOX_5B_I2V_TRANSFORMER = {**COGVIDEOX_5B_TRANSFORMER, "in_channels": 32,
                                "use_learned_positional_embeddings": True}  # fmt: skip
#: CogVideoX1.5-5B: 2x2x2 patches (two latent frames per token), no patch bias.
COGVIDEOX15_5B_TRANSFORMER = {**_V15, "num_attention_heads": 48, "num_layers": 42, "in_channels": 16}
#: CogVideoX1.5-5B-I2V: 32 input channels and an "ofs" embedding added to the timestep's.
COGVIDEOX15_5B_I2V_TRANSFORMER = {**COGVIDEOX15_5B_TRANSFORMER, "in_channels": 32, "ofs_embed_dim": 512}

_VAE_COMMON: dict[str, Any] = {"block_out_channels": (128, 256, 256, 512), "latent_channels": 16,
                               "layers_per_block": 3, "temporal_compression_ratio": 4}  # fmt: skip
#: ``AutoencoderKLCogVideoX`` of CogVideoX 1.0 (0.216 B): 8x spatial, 4x temporal, 16 channels. The scaling
#: factor is 2B's; the 5B checkpoints ship 0.7 in their own config (what a loaded pipeline uses).
COGVIDEOX10_VAE: dict[str, Any] = {**_VAE_COMMON, "scaling_factor": 1.15258426}
#: The 1.5 VAE: same weights' shapes; the I2V pipeline divides its image latent by the factor (``invert_scale_latents``).
COGVIDEOX15_VAE: dict[str, Any] = {**_VAE_COMMON, "scaling_factor": 0.7, "invert_scale_latents": True}

#: ``T5Config`` of google/t5-v1_1-xxl, whose encoder is CogVideoX's text encoder (4.76 B).
T5_V1_1_XXL: dict[str, Any] = {
    "vocab_size": 32128, "d_model": 4096, "d_ff": 10240, "d_kv": 64, "num_heads": 64, "num_layers": 24,
    "feed_forward_proj": "gated-gelu", "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
}  # fmt: skip

#: The released schedulers: v-prediction DDIM over a zero-terminal-SNR scaled-linear schedule; 2B shifts its
#: SNR by 3 (``snr_shift_scale``), the 5B models by 1.
SCHEDULER_COMMON: dict[str, Any] = {
    "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "clip_sample": False,
    "num_train_timesteps": 1000, "prediction_type": "v_prediction", "rescale_betas_zero_snr": True,
    "set_alpha_to_one": True, "steps_offset": 0, "timestep_spacing": "trailing",
}  # fmt: skip
