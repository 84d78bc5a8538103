"""The registered LTX-Video models: the demos and the released diffusers checkpoints (no torch here).

Defaults come from the model cards and the diffusers docs (768x512, 161 frames
at 24 fps, 50 steps at guidance 3 for the 2B models; 30 steps at guidance 5
for 0.9.7 13B dev), weights from the parameter counts of the released
configurations in ``ltx_facts`` (checked on the meta device by
``tests/engine/test_ltx_full_size.py``): transformer and T5 in bf16, VAE in
float32 (``device.component_dtypes``).
"""

from __future__ import annotations

from studio.engine.families.ltx_facts import LTX_NEGATIVE_PROMPT
from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ModelDefaults, ModelSpec

_DEMO = ModelDefaults(width=256, height=160, num_frames=33, fps=24, steps=10, guidance_scale=3.0,
                      negative_prompt=LTX_NEGATIVE_PROMPT)  # fmt: skip
_CARD = dict(width=768, height=512, num_frames=161, fps=24, negative_prompt=LTX_NEGATIVE_PROMPT)
# Parameters in billions and the largest group-offload unit: a transformer block (2B: 67.2 M, 13B: 268.5 M),
# T5-XXL's encoder leaf by leaf (its 32128 x 4096 embedding), a VAE whole.
_T5_XXL = ComponentFacts(4.762, 0.1316)
_VAE_091 = ComponentFacts(0.935, 0.935)
_VAE_095 = ComponentFacts(1.247, 1.247)
_TRANSFORMER_2B = ComponentFacts(1.923, 0.0672)
_TRANSFORMER_13B = ComponentFacts(13.043, 0.2685)
# The feed-forward is 4x the width (gelu-approximate); tokens are single latent cells.
_SHAPE_2B = DenoiserShape(num_layers=28, num_heads=32, head_dim=64, ffn_dim=8192, patch_size=(1, 1, 1))
_SHAPE_13B = DenoiserShape(num_layers=48, num_heads=32, head_dim=128, ffn_dim=16384, patch_size=(1, 1, 1))
# 32x spatial, 8x temporal; the decoder works on 4x4 pixel patches, 256 channels wide at that resolution.
_VAE_SHAPE = VaeShape(base_dim=128, spatial_compression=32, temporal_compression=8, patch_size=4)
#: LTXConditionPipeline: the guide's frames as conditions at their indices; keyframe mode's model fill-in.
_FRAMES = ("frames", "keyframes")


def ltx_specs() -> list[ModelSpec]:
    """LTX-Video demos and released checkpoints (diffusers-format repos)."""
    return [
        ModelSpec(
            key="ltx-demo", family="ltx", label="LTX-Video demo", demo=True, modes=("t2v", "i2v"),
            demo_kind="ltx-0.9.1", defaults=_DEMO,
            description="LTX-Video 0.9.1 architecture shrunk (128 latent channels, 32x/8x VAE), random weights.",
        ),
        ModelSpec(
            key="ltx-condition-demo", family="ltx", label="LTX-Video condition demo", demo=True,
            modes=("t2v", "i2v"), pipeline_class="LTXConditionPipeline", steering=_FRAMES, demo_kind="ltx-0.9.5",
            defaults=_DEMO,
            description="LTX-Video 0.9.5 architecture shrunk, conditioned on guide frames at their indices.",
        ),
        ModelSpec(
            key="ltx-video", family="ltx", label="LTX-Video 2B (0.9.1)", source="Lightricks/LTX-Video",
            modes=("t2v", "i2v"), defaults=ModelDefaults(**_CARD, steps=50, guidance_scale=3.0),
            # 1.92B transformer + 4.76B T5-XXL encoder, bf16; 0.93B VAE, float32.
            weights_gb=17.1, components={"transformer": _TRANSFORMER_2B, "text_encoder": _T5_XXL, "vae": _VAE_091},
            denoiser=_SHAPE_2B, vae=_VAE_SHAPE,
            description="LTX-Video 2B: fast text and image to video, 768x512 at 24 fps (the repo's diffusers folders).",
        ),
        ModelSpec(
            key="ltx-video-0.9.5", family="ltx", label="LTX-Video 2B 0.9.5", source="Lightricks/LTX-Video-0.9.5",
            modes=("t2v", "i2v"), pipeline_class="LTXConditionPipeline", steering=_FRAMES,
            defaults=ModelDefaults(**_CARD, steps=50, guidance_scale=3.0),
            # 1.92B transformer + 4.76B T5-XXL encoder, bf16; 1.25B VAE, float32.
            weights_gb=18.4, components={"transformer": _TRANSFORMER_2B, "text_encoder": _T5_XXL, "vae": _VAE_095},
            denoiser=_SHAPE_2B, vae=_VAE_SHAPE,
            description="LTX-Video 2B 0.9.5: conditions on frames at chosen indices; camera guides steer it that way.",
        ),
        ModelSpec(
            key="ltx-video-0.9.7-dev", family="ltx", label="LTX-Video 13B 0.9.7 dev",
            source="Lightricks/LTX-Video-0.9.7-dev", modes=("t2v", "i2v"), pipeline_class="LTXConditionPipeline",
            steering=_FRAMES, defaults=ModelDefaults(**_CARD, steps=30, guidance_scale=5.0),
            # 13.04B transformer + 4.76B T5-XXL encoder, bf16; 1.25B VAE, float32.
            weights_gb=40.6, components={"transformer": _TRANSFORMER_13B, "text_encoder": _T5_XXL, "vae": _VAE_095},
            denoiser=_SHAPE_13B, vae=_VAE_SHAPE,
            description="LTX-Video 13B 0.9.7 (dev): frame conditioning, single pass (no latent upscaler).",
        ),
    ]
