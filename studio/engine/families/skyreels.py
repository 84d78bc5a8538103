"""SkyReels-V2 diffusion forcing: long video, window after window, each continuing the last one's frames.

The transformer is Wan 2.1's with per-frame timesteps (diffusion forcing) and
an fps embedding; the VAE, text encoder and scheduler are Wan 2.1's, so the
Wan 2.1 latent preview table applies. A clip longer than the model's window
(``base_num_frames``, 97 at 540P) is made in windows that overlap by
``overlap_history`` frames: the pipeline conditions each window on the end of
the previous one. Image to video conditions on the image as the first latent
frame (the pipeline's own frame conditioning).

Sizes and windows per checkpoint (model cards of Skywork/SkyReels-V2): 540P is
960x544, 720P is 1280x720; 97-frame windows (121 at 720P), overlap 17,
``addnoise_condition`` 20 for long clips, 30 steps, guidance 6.0, 24 fps,
``flow_shift`` 8.0 for text to video and 5.0 for image to video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, FlowShiftRule, LatentPreview, SizeRules
from studio.engine.families.wan_facts import WAN21_RGB_BIAS, WAN21_RGB_FACTORS

#: the cards' scheduler shifts (the same at every resolution).
SKYREELS_T2V_SHIFT = FlowShiftRule(low=8.0, high=8.0, high_from_px=0)
SKYREELS_I2V_SHIFT = FlowShiftRule(low=5.0, high=5.0, high_from_px=0)

#: SkyReels-V2 DF 1.3B (540P): the Wan 2.1 T2V 1.3B transformer with the fps embedding.
SKYREELS_V2_DF_1_3B_TRANSFORMER: dict[str, Any] = {
    "patch_size": (1, 2, 2), "num_attention_heads": 12, "attention_head_dim": 128, "in_channels": 16,
    "out_channels": 16, "text_dim": 4096, "freq_dim": 256, "ffn_dim": 8960, "num_layers": 30,
    "cross_attn_norm": True, "qk_norm": "rms_norm_across_heads", "eps": 1e-6, "rope_max_seq_len": 1024,
    "inject_sample_info": True, "num_frame_per_block": 1,
}  # fmt: skip
#: SkyReels-V2 DF 14B (540P / 720P): the Wan 2.1 14B transformer with the fps embedding.
SKYREELS_V2_DF_14B_TRANSFORMER: dict[str, Any] = {
    **SKYREELS_V2_DF_1_3B_TRANSFORMER, "num_attention_heads": 40, "ffn_dim": 13824, "num_layers": 40,
}


def build_skyreels_demo(folder: Path, scale: int = 1, kind: str = "t2v") -> None:
    """Write a random-weight SkyReels-V2 diffusion-forcing pipeline (text or image to video) to ``folder``.

    The Wan demo's shrunk UMT5 encoder, tokenizer, VAE and scheduler, and a
    shrunk SkyReels-V2 transformer with the fps embedding (``inject_sample_info``).
    """
    import torch
    from diffusers import (
        SkyReelsV2DiffusionForcingImageToVideoPipeline,
        SkyReelsV2DiffusionForcingPipeline,
        SkyReelsV2Transformer3DModel,
    )

    from studio.engine.families.wan import _demo_tokenizer, _DemoParts, _wan21_vae

    torch.manual_seed(0)
    parts = _DemoParts(_demo_tokenizer(), scale)
    transformer = SkyReelsV2Transformer3DModel(**parts.transformer_kwargs(), inject_sample_info=True,
                                               num_frame_per_block=1)  # fmt: skip
    cls = SkyReelsV2DiffusionForcingImageToVideoPipeline if kind == "i2v" else SkyReelsV2DiffusionForcingPipeline
    pipe: Any = cls(**parts.pipeline_kwargs(transformer=transformer, vae=_wan21_vae(scale)))
    pipe.save_pretrained(folder)


def build_full_size(key: str) -> Any:
    """The SkyReels-V2 DF transformer of ``key`` ("1.3b" or "14b") at full size, on torch's current device."""
    from diffusers import SkyReelsV2Transformer3DModel

    config = {"1.3b": SKYREELS_V2_DF_1_3B_TRANSFORMER, "14b": SKYREELS_V2_DF_14B_TRANSFORMER}[key]
    return SkyReelsV2Transformer3DModel(**config)


SKYREELS = Family(
    name="skyreels",
    label="SkyReels-V2 (diffusion forcing, long video)",
    pipelines={"t2v": "SkyReelsV2DiffusionForcingPipeline", "i2v": "SkyReelsV2DiffusionForcingImageToVideoPipeline"},
    size_rules=SizeRules(side_multiple=16, temporal_step=4),
    previews=(LatentPreview(factors=WAN21_RGB_FACTORS, bias=WAN21_RGB_BIAS),),  # the Wan 2.1 VAE
    prediction="flow",
    pipeline_class_names=("SkyReelsV2DiffusionForcingPipeline", "SkyReelsV2DiffusionForcingImageToVideoPipeline"),
    build_demo=build_skyreels_demo,
    # the image is the first latent frame (the pipeline's own conditioning); the guide steers the first window
    steering=frozenset({"v2v", "warped_noise"}),
    flow_shift=SKYREELS_T2V_SHIFT,
    adapter="studio.engine.adapters.skyreels:SkyReelsAdapter",
    inputs=frozenset({"prompt", "negative_prompt", "steps", "guidance_scale"}),
)
