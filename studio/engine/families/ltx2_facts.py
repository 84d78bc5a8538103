"""Facts about the released LTX-2 model, as data: full-size configurations, the preview table, model card values.

Nothing here builds anything. The full-size configurations are the keyword
arguments of the diffusers / transformers classes as ``Lightricks/LTX-2``
(LTX-2.0, the 19B audio-video model) uses them, taken from diffusers'
conversion script for that checkpoint (``scripts/convert_ltx2_to_diffusers.py``,
version "2.0"); tests build them on the ``meta`` device to check parameter
counts and the studio's latent shapes against the pipeline's own.
"""

from __future__ import annotations

from typing import Any

# -- latent space ------------------------------------------------------------------------
# Linear fit of decoded RGB on the normalised LTX-2 video latent (128 x 3): the table ComfyUI previews the
# video stream of LTX-2 with (its ``LTXAV`` latent format). ComfyUI's sampler latent for LTX-2 is the
# normalised one (the VAE applies its per-channel statistics), the same space the diffusers transformer sees.
LTX2_RGB_FACTORS = (
    (0.001135, -0.010555, -0.004925), (-0.008019, -0.006231, -0.005564), (0.012637, 0.005605, 0.012713),
    (0.023454, 0.020771, 0.017844), (-0.011940, -0.000932, 0.009292), (0.018602, 0.011018, 0.013969),
    (-0.036369, -0.046631, -0.057898), (-0.031919, 0.000131, 0.015214), (0.014519, 0.021041, 0.015325),
    (0.018889, 0.016149, -0.002836), (-0.003784, -0.006057, -0.008195), (0.013262, 0.030259, 0.029775),
    (0.050465, 0.050366, 0.025255), (0.018628, 0.007691, 0.002893), (-0.015698, -0.008451, -0.000676),
    (-0.013600, -0.012587, -0.004437), (0.012482, 0.021469, 0.027913), (-0.018241, -0.013488, -0.010975),
    (0.013828, 0.012568, 0.021984), (0.017911, 0.006552, 0.005567), (0.026769, 0.006803, -0.009360),
    (-0.006794, -0.008447, -0.013921), (0.029708, 0.018671, 0.022811), (-0.014732, -0.019169, 0.000903),
    (0.019607, 0.032595, 0.053409), (-0.003721, 0.003976, 0.010364), (-0.020193, -0.026076, -0.036068),
    (-0.002328, 0.006527, 0.013052), (0.017171, 0.009224, 0.006548), (0.001104, -0.000591, 0.000147),
    (-0.000217, 0.011834, 0.017945), (-0.015329, -0.012463, -0.006178), (-0.009478, -0.008680, -0.004107),
    (-0.005565, -0.006006, -0.001493), (0.009451, 0.008794, 0.013207), (-0.009989, -0.008027, -0.009568),
    (-0.001505, -0.008805, -0.006828), (0.001105, 0.008999, 0.009079), (0.025935, 0.016426, 0.008036),
    (0.006313, 0.000694, -0.006039), (-0.001893, -0.006951, -0.009560), (-0.007082, -0.002566, -0.007152),
    (-0.005231, 0.004829, 0.008220), (-0.004333, 0.001251, -0.004852), (-0.017024, -0.012730, -0.007457),
    (0.024988, 0.032963, 0.036556), (0.013697, 0.012278, 0.009979), (-0.013751, -0.008369, -0.015446),
    (-0.009348, -0.001047, 0.007622), (-0.003135, -0.003350, -0.003766), (0.007436, 0.004957, 0.010480),
    (0.018315, 0.022066, 0.021104), (-0.005621, -0.006770, -0.008219), (-0.007427, 0.001911, -0.001231),
    (-0.007413, 0.000486, -0.006039), (-0.014698, -0.007160, 0.006509), (0.013775, 0.014185, 0.008203),
    (0.060246, 0.069787, 0.072833), (0.009861, 0.004870, 0.001194), (-0.003660, 0.003251, 0.008015),
    (0.003696, -0.003680, -0.008851), (0.014924, 0.006196, 0.005282), (-0.006740, -0.004319, -0.006729),
    (0.020635, 0.015163, 0.012385), (-0.032623, -0.006105, 0.010436), (-0.058988, -0.030162, -0.037961),
    (-0.035614, -0.021929, -0.011062), (-0.023412, -0.011305, -0.005054), (-0.002716, -0.005184, -0.004084),
    (0.014591, 0.015294, 0.014045), (0.008310, 0.002466, -0.003225), (0.005176, 0.001119, 0.000695),
    (-0.021569, -0.030886, -0.044732), (0.007517, 0.003891, 0.000551), (-0.006793, 0.004059, 0.010184),
    (-0.086481, -0.082033, -0.083414), (0.004192, 0.000762, -0.008658), (0.010970, 0.009002, 0.007384),
    (0.004042, -0.006732, -0.011031), (0.012164, 0.006401, 0.007483), (0.029252, 0.013990, 0.011128),
    (0.048452, 0.034648, 0.016269), (0.024104, 0.012647, 0.011754), (-0.013216, -0.020192, -0.019752),
    (-0.010799, -0.008535, -0.005467), (0.005823, 0.001403, 0.001890), (0.052393, 0.044771, 0.032777),
    (0.007576, -0.008080, -0.012453), (0.009830, 0.004244, 0.001213), (-0.025867, -0.013169, -0.010636),
    (0.008494, 0.003135, 0.000790), (0.003969, -0.002625, -0.010204), (0.006509, 0.008272, 0.020819),
    (-0.004943, -0.013424, -0.015351), (0.005541, 0.009136, -0.003666), (-0.014300, -0.015864, -0.016853),
    (0.002650, 0.028393, 0.014125), (-0.027661, -0.045422, -0.064995), (0.009220, 0.015522, 0.010574),
    (-0.002236, 0.002915, 0.004557), (-0.020269, -0.008212, -0.000532), (0.019294, 0.003655, -0.002809),
    (0.007116, -0.002784, 0.000017), (0.057277, 0.073270, 0.074401), (-0.002616, -0.001696, -0.000498),
    (0.007248, 0.009793, 0.022829), (-0.002590, -0.005601, -0.000436), (-0.007681, 0.003893, -0.004119),
    (-0.057392, -0.045545, -0.025290), (0.045188, 0.047985, 0.054059), (0.000937, -0.008861, -0.038406),
    (-0.010192, -0.008036, -0.005385), (-0.030222, -0.027498, -0.030765), (-0.008359, 0.013247, 0.010918),
    (0.004102, 0.002093, 0.006934), (0.039461, 0.027339, 0.008284), (-0.075747, -0.076340, -0.071625),
    (0.002692, 0.005096, -0.002247), (-0.002453, -0.002785, -0.010483), (0.012265, 0.005481, 0.001729),
    (0.017755, 0.008655, 0.003532), (0.055560, 0.049128, 0.044137), (-0.025861, -0.023798, -0.018815),
    (-0.014876, -0.010770, -0.010713), (-0.017315, -0.012599, -0.008661), (-0.008461, -0.006210, -0.007744),
    (-0.040175, -0.042255, -0.048119), (-0.019355, -0.021055, -0.021919),
)  # fmt: skip
LTX2_RGB_BIAS = (-0.347892, -0.363814, -0.370287)

# -- model card ----------------------------------------------------------------------------
#: The negative prompt of the diffusers LTX-2 examples (text and image to video).
LTX2_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
#: Published size of the LTX-2 transformer (model card / paper arXiv:2601.03233: an asymmetric dual-stream
#: DiT of 19B parameters, a 14B video stream and a 5B audio stream; checkpoint ``ltx-2-19b-dev``).
LTX2_TRANSFORMER_PUBLISHED_B = 19.0
#: Published size of Gemma 3 12B, LTX-2's text encoder (``google/gemma-3-12b-it``).
GEMMA3_12B_PUBLISHED_B = 12.0
#: The transformer block the LTX-2.0 guidance recipe perturbs for spatio-temporal guidance (STG).
LTX2_0_STG_BLOCK = 29

# -- full-size configurations ----------------------------------------------------------------
#: ``LTX2VideoTransformer3DModel`` of LTX-2.0: 48 dual-stream blocks, video 32 x 128 wide, audio 32 x 64.
LTX2_TRANSFORMER: dict[str, Any] = {
    "in_channels": 128, "out_channels": 128, "patch_size": 1, "patch_size_t": 1, "num_attention_heads": 32,
    "attention_head_dim": 128, "cross_attention_dim": 4096, "vae_scale_factors": (8, 32, 32), "pos_embed_max_pos": 20,
    "base_height": 2048, "base_width": 2048, "audio_in_channels": 128, "audio_out_channels": 128,
    "audio_patch_size": 1, "audio_patch_size_t": 1, "audio_num_attention_heads": 32, "audio_attention_head_dim": 64,
    "audio_cross_attention_dim": 2048, "audio_scale_factor": 4, "audio_pos_embed_max_pos": 20,
    "audio_sampling_rate": 16000, "audio_hop_length": 160, "num_layers": 48, "activation_fn": "gelu-approximate",
    "qk_norm": "rms_norm_across_heads", "norm_elementwise_affine": False, "norm_eps": 1e-6, "caption_channels": 3840,
    "attention_bias": True, "attention_out_bias": True, "rope_theta": 10000.0, "rope_double_precision": True,
    "causal_offset": 1, "timestep_scale_multiplier": 1000, "cross_attn_timestep_scale_multiplier": 1000,
    "rope_type": "split",
}  # fmt: skip
#: ``AutoencoderKLLTX2Video``: 128 latent channels, 4x4 pixel patches then three 2x downsamples (32x spatial),
#: 8x temporal; causal encoder, non-causal decoder without timestep conditioning.
LTX2_VIDEO_VAE: dict[str, Any] = {
    "in_channels": 3, "out_channels": 3, "latent_channels": 128, "block_out_channels": (256, 512, 1024, 2048),
    "down_block_types": ("LTX2VideoDownBlock3D",) * 4, "decoder_block_out_channels": (256, 512, 1024),
    "layers_per_block": (4, 6, 6, 2, 2), "decoder_layers_per_block": (5, 5, 5, 5),
    "spatio_temporal_scaling": (True, True, True, True), "decoder_spatio_temporal_scaling": (True, True, True),
    "decoder_inject_noise": (False, False, False, False),
    "downsample_type": ("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    "upsample_residual": (True, True, True), "upsample_factor": (2, 2, 2), "timestep_conditioning": False,
    "patch_size": 4, "patch_size_t": 1, "resnet_norm_eps": 1e-6, "encoder_causal": True, "decoder_causal": False,
    "encoder_spatial_padding_mode": "zeros", "decoder_spatial_padding_mode": "reflect",
    "spatial_compression_ratio": 32, "temporal_compression_ratio": 8,
}  # fmt: skip
#: ``AutoencoderKLLTX2Audio``: stereo 64-bin mel spectrograms at 16 kHz (hop 160) -> 8 latent channels, 4x in
#: time and mel. Its latent statistics have ``base_channels`` entries (= 8 channels x 16 latent mel bins).
LTX2_AUDIO_VAE: dict[str, Any] = {
    "base_channels": 128, "output_channels": 2, "ch_mult": (1, 2, 4), "num_res_blocks": 2, "attn_resolutions": None,
    "in_channels": 2, "resolution": 256, "latent_channels": 8, "norm_type": "pixel", "causality_axis": "height",
    "dropout": 0.0, "mid_block_add_attention": False, "sample_rate": 16000, "mel_hop_length": 160, "is_causal": True,
    "mel_bins": 64, "double_z": True,
}  # fmt: skip
#: ``LTX2Vocoder``: the decoded mel (2 x 64 = 128 channels, 100 frames/s) to a 24 kHz stereo waveform (x240).
LTX2_VOCODER: dict[str, Any] = {
    "in_channels": 128, "hidden_channels": 1024, "out_channels": 2, "upsample_kernel_sizes": [16, 15, 8, 4, 4],
    "upsample_factors": [6, 5, 2, 2, 2], "resnet_kernel_sizes": [3, 7, 11],
    "resnet_dilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]], "leaky_relu_negative_slope": 0.1,
    "output_sampling_rate": 24000,
}  # fmt: skip
#: ``LTX2TextConnectors``: all 49 Gemma hidden states (48 layers + embeddings) projected to 3840, then one
#: 2-layer connector per stream with 128 learnable registers.
LTX2_CONNECTORS: dict[str, Any] = {
    "caption_channels": 3840, "text_proj_in_factor": 49, "video_connector_num_attention_heads": 30,
    "video_connector_attention_head_dim": 128, "video_connector_num_layers": 2,
    "video_connector_num_learnable_registers": 128, "audio_connector_num_attention_heads": 30,
    "audio_connector_attention_head_dim": 128, "audio_connector_num_layers": 2,
    "audio_connector_num_learnable_registers": 128, "connector_rope_base_seq_len": 4096, "rope_theta": 10000.0,
    "rope_double_precision": True, "causal_temporal_positioning": False, "rope_type": "split",
}  # fmt: skip
#: ``FlowMatchEulerDiscreteScheduler`` of LTX-2: the shift follows the video token count (0.95 at 1024 tokens,
#: 2.05 at 4096), and the schedule is stretched to end at 0.1.
LTX2_SCHEDULER: dict[str, Any] = {
    "use_dynamic_shifting": True, "base_shift": 0.95, "max_shift": 2.05, "base_image_seq_len": 1024,
    "max_image_seq_len": 4096, "shift_terminal": 0.1,
}  # fmt: skip
#: ``Gemma3Config`` of Gemma 3 12B (text model and SigLIP vision tower), LTX-2's text encoder.
GEMMA3_12B: dict[str, Any] = {
    "text_config": {
        "vocab_size": 262208, "hidden_size": 3840, "intermediate_size": 15360, "num_hidden_layers": 48,
        "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256, "sliding_window": 1024,
    },
    "vision_config": {
        "hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27, "num_attention_heads": 16,
        "image_size": 896, "patch_size": 14, "vision_use_head": False,
    },
    "mm_tokens_per_image": 256,
}  # fmt: skip
