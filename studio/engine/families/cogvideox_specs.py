"""The registry entries of the CogVideoX family: two demos and the five released diffusers checkpoints.

Defaults come from the model cards (50 steps, guidance 6, 49 frames at 8 fps
and 720x480 for 1.0; 81 frames at 16 fps and 1360x768 for 1.5; no negative
prompt). ``weights_gb`` and ``components`` are the parameter counts of the
released configurations (``tests/engine/test_cogvideox_full_size.py`` recounts
them on the meta device) at the loading dtypes: bf16 transformer and T5 encoder,
float32 VAE.
"""

from __future__ import annotations

from studio.engine.families.base import SizeRules
from studio.engine.families.cogvideox import COGVIDEOX15_RULES
from studio.engine.families.cogvideox_facts import COGVIDEOX10_MAX_FRAMES, COGVIDEOX_5B_I2V_SIZE
from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ModelDefaults, ModelSpec

# Parameters in billions and the largest unit group offload moves at once (one transformer block; T5 leaf by
# leaf, its largest leaf the 32128 x 4096 embedding; the VAE whole).
_T5_XXL = ComponentFacts(4.762, 0.1316)
_VAE = ComponentFacts(0.2156, 0.2156)
_VAE_SHAPE = VaeShape(base_dim=128, spatial_compression=8, temporal_compression=4)
_2B = {"transformer": ComponentFacts(1.694, 0.05608), "text_encoder": _T5_XXL, "vae": _VAE}
_5B = {"transformer": ComponentFacts(5.570, 0.1322), "text_encoder": _T5_XXL, "vae": _VAE}
_2B_SHAPE = DenoiserShape(num_layers=30, num_heads=30, head_dim=64, ffn_dim=4 * 1920)
_5B_SHAPE = DenoiserShape(num_layers=42, num_heads=48, head_dim=64, ffn_dim=4 * 3072)
_15_SHAPE = DenoiserShape(num_layers=42, num_heads=48, head_dim=64, ffn_dim=4 * 3072, patch_size=(2, 2, 2))

_V10 = dict(width=720, height=480, num_frames=49, fps=8, steps=50, guidance_scale=6.0)
_V15 = dict(width=1360, height=768, num_frames=81, fps=16, steps=50, guidance_scale=6.0)
#: The 1.0 text-to-video checkpoints animate an image by re-rendering the camera guide (their video-to-video pipeline).
_GUIDE_AS_SOURCE = dict(modes=("t2v", "i2v"), mode_pipelines={"i2v": "CogVideoXVideoToVideoPipeline"}, steering=("v2v",))
_5B_I2V_RULES = SizeRules(side_multiple=16, temporal_step=4, max_frames=COGVIDEOX10_MAX_FRAMES,
                          fixed_size=COGVIDEOX_5B_I2V_SIZE)  # fmt: skip


def cogvideox_specs() -> list[ModelSpec]:
    """The CogVideoX entries of ``registry.default_specs``."""
    return [
        ModelSpec(
            key="cogvideox-demo", family="cogvideox", label="CogVideoX 1.0 demo", demo=True,
            demo_kind="cogvideox-1.0-t2v", **_GUIDE_AS_SOURCE,  # type: ignore[arg-type]
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=6.0),
            description="CogVideoX 2B architecture shrunk, random weights; animates images by video to video.",
        ),
        ModelSpec(
            key="cogvideox-i2v-demo", family="cogvideox", label="CogVideoX 1.5 I2V demo", demo=True,
            demo_kind="cogvideox-1.5-i2v", modes=("i2v",), size_rules=COGVIDEOX15_RULES,
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=16, steps=10, guidance_scale=6.0),
            description="CogVideoX 1.5 image-to-video architecture shrunk (2-frame temporal patches), random weights.",
        ),
        ModelSpec(
            key="cogvideox-2b", family="cogvideox", label="CogVideoX 2B", source="THUDM/CogVideoX-2b",
            **_GUIDE_AS_SOURCE,  # type: ignore[arg-type]
            defaults=ModelDefaults(**_V10),  # type: ignore[arg-type]
            # 1.69B transformer + 4.76B T5-XXL encoder, bf16; 0.22B VAE, float32.
            weights_gb=13.78, components=_2B, denoiser=_2B_SHAPE, vae=_VAE_SHAPE,
            description="CogVideoX 1.0 text-to-video, 2B, 720x480, 6 s at 8 fps; images animate by video to video.",
        ),
        ModelSpec(
            key="cogvideox-5b", family="cogvideox", label="CogVideoX 5B", source="THUDM/CogVideoX-5b",
            **_GUIDE_AS_SOURCE,  # type: ignore[arg-type]
            defaults=ModelDefaults(**_V10),  # type: ignore[arg-type]
            # 5.57B transformer + 4.76B T5-XXL encoder, bf16; 0.22B VAE, float32.
            weights_gb=21.53, components=_5B, denoiser=_5B_SHAPE, vae=_VAE_SHAPE,
            description="CogVideoX 1.0 text-to-video, 5B, 720x480, 6 s at 8 fps; images animate by video to video.",
        ),
        ModelSpec(
            key="cogvideox-5b-i2v", family="cogvideox", label="CogVideoX 5B I2V", source="THUDM/CogVideoX-5b-I2V",
            modes=("i2v",), size_rules=_5B_I2V_RULES,
            defaults=ModelDefaults(**_V10),  # type: ignore[arg-type]
            weights_gb=21.53, components=_5B, denoiser=_5B_SHAPE, vae=_VAE_SHAPE,
            description="CogVideoX 1.0 image-to-video, 5B, 720x480 only (learned positional embeddings).",
        ),
        ModelSpec(
            key="cogvideox1.5-5b", family="cogvideox", label="CogVideoX 1.5 5B", source="THUDM/CogVideoX1.5-5B",
            size_rules=COGVIDEOX15_RULES, defaults=ModelDefaults(**_V15),  # type: ignore[arg-type]
            weights_gb=21.53, components=_5B, denoiser=_15_SHAPE, vae=_VAE_SHAPE,
            description="CogVideoX 1.5 text-to-video, 5B, 1360x768, 81 or 161 frames at 16 fps.",
        ),
        ModelSpec(
            key="cogvideox1.5-5b-i2v", family="cogvideox", label="CogVideoX 1.5 5B I2V",
            source="THUDM/CogVideoX1.5-5B-I2V", modes=("i2v",), size_rules=COGVIDEOX15_RULES,
            defaults=ModelDefaults(**_V15),  # type: ignore[arg-type]
            weights_gb=21.53, components=_5B, denoiser=_15_SHAPE, vae=_VAE_SHAPE,
            description="CogVideoX 1.5 image-to-video, 5B, 1360x768, 81 or 161 frames at 16 fps.",
        ),
    ]

