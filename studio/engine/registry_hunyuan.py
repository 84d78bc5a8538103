"""Registry entries of HunyuanVideo 1.5 and HunyuanVideo FramePack (``default_specs`` appends them).

Real entries are the diffusers-format hub repositories. Defaults: HunyuanVideo
1.5 at its card's 121 frames / 24 fps, 50 steps, guidance 6 (the guider's
default in those repos), 848x480 or 1280x720; the scheduler's own shift from
the repo. FramePack at its demo app's 30 fps, 25 steps, distilled guidance 10, a
bucket of its 640 class (832x480) and 4 sections: 129 frames (diffusers counts 33-frame windows, so
129 is the longest 4k+1 clip of 4 sections; FramePack's app makes 4 for "5 seconds").

``weights_gb`` from the parameter counts of the released configurations
(``hunyuan_facts``; ``tests/engine/test_hunyuan_full_size.py`` recounts them
on the meta device) at the loading dtypes: bf16 transformer and text encoders,
float32 VAE and image encoder.
"""

from __future__ import annotations

from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ComponentSource, ModelDefaults, ModelSpec

_DEMO = ModelDefaults(width=64, height=48, num_frames=9, fps=8, steps=4, guidance_scale=6.0)
_FRAMEPACK_DEMO = ModelDefaults(width=64, height=48, num_frames=41, fps=10, steps=4, guidance_scale=10.0)

# parameters in billions (all, largest unit group offload moves): counted on the meta device
_HY15_TRANSFORMER = ComponentFacts(8.327, 0.1511)
_QWEN25_VL_TEXT = ComponentFacts(7.071, 0.5450)  # the 152064 x 3584 embedding is its largest leaf
_BYT5 = ComponentFacts(0.218, 0.0053)
_HY15_VAE = ComponentFacts(1.261, 1.261)
_SIGLIP = ComponentFacts(0.428, 0.0050)
_HY15 = {"transformer": _HY15_TRANSFORMER, "text_encoder": _QWEN25_VL_TEXT, "text_encoder_2": _BYT5, "vae": _HY15_VAE}
#: 54 blocks of 16 x 128 with a 4x MLP, one latent cell per token.
_HY15_SHAPE = DenoiserShape(num_layers=54, num_heads=16, head_dim=128, ffn_dim=8192, patch_size=(1, 1, 1))
_HY15_VAE_SHAPE = VaeShape(base_dim=128, spatial_compression=16, temporal_compression=4)

_FRAMEPACK_COMPONENTS = {
    "transformer": ComponentFacts(12.874, 0.3398), "text_encoder": ComponentFacts(7.505, 0.5256),
    "text_encoder_2": ComponentFacts(0.123, 0.0379), "vae": ComponentFacts(0.246, 0.246), "image_encoder": _SIGLIP,
}  # fmt: skip
#: 20 double + 40 single blocks of 24 x 128, 2x2 patches.
_FRAMEPACK_SHAPE = DenoiserShape(num_layers=60, num_heads=24, head_dim=128, ffn_dim=12288, patch_size=(1, 2, 2))


def _hy15(size: str, mode: str, width: int, height: int) -> ModelSpec:
    i2v = mode == "i2v"
    return ModelSpec(
        key=f"hunyuanvideo1.5-{size}-{mode}", family="hunyuan15", label=f"HunyuanVideo 1.5 {size} {mode.upper()}",
        source=f"hunyuanvideo-community/HunyuanVideo-1.5-{size}_{mode}", modes=(mode,),
        defaults=ModelDefaults(width=width, height=height, num_frames=121, fps=24, steps=50, guidance_scale=6.0),
        # 8.33B transformer + 7.07B Qwen2.5-VL + 0.22B ByT5, bf16; 1.26B VAE (+ 0.43B SigLIP for I2V), float32
        weights_gb=38.0 if i2v else 36.3,
        components={**_HY15, "image_encoder": _SIGLIP} if i2v else _HY15, denoiser=_HY15_SHAPE, vae=_HY15_VAE_SHAPE,
        description=f"HunyuanVideo 1.5 (8.3B) {'image' if i2v else 'text'}-to-video, {size}.",
    )  # fmt: skip


def hunyuan_specs() -> list[ModelSpec]:
    """The demo and real entries of both families."""
    return [
        ModelSpec(key="hunyuan15-demo", family="hunyuan15", label="HunyuanVideo 1.5 demo", demo=True, defaults=_DEMO,
                  description="HunyuanVideo 1.5 text-to-video architecture shrunk, random weights."),  # fmt: skip
        ModelSpec(key="hunyuan15-i2v-demo", family="hunyuan15", label="HunyuanVideo 1.5 I2V demo", demo=True,
                  modes=("i2v",), defaults=_DEMO,
                  description="HunyuanVideo 1.5 image-to-video architecture shrunk (SigLIP tokens), random weights."),  # fmt: skip
        _hy15("480p", "t2v", 848, 480),
        _hy15("480p", "i2v", 848, 480),
        _hy15("720p", "t2v", 1280, 720),
        _hy15("720p", "i2v", 1280, 720),
        ModelSpec(key="framepack-demo", family="framepack", label="HunyuanVideo FramePack demo", demo=True,
                  modes=("i2v",), defaults=_FRAMEPACK_DEMO,
                  description="FramePack architecture shrunk, random weights: long video in 33-frame sections."),  # fmt: skip
        ModelSpec(
            key="framepack-i2v-hy", family="framepack", label="HunyuanVideo FramePack I2V",
            source="hunyuanvideo-community/HunyuanVideo", modes=("i2v",),
            components_from={
                "transformer": ComponentSource(class_path="diffusers:HunyuanVideoFramepackTransformer3DModel",
                                               source="lllyasviel/FramePackI2V_HY"),
                "image_encoder": ComponentSource(class_path="transformers:SiglipVisionModel",
                                                 source="lllyasviel/flux_redux_bfl", subfolder="image_encoder"),
                "feature_extractor": ComponentSource(class_path="transformers:SiglipImageProcessor",
                                                     source="lllyasviel/flux_redux_bfl", subfolder="feature_extractor"),
            },
            defaults=ModelDefaults(width=832, height=480, num_frames=129, fps=30, steps=25, guidance_scale=10.0),
            # 12.9B transformer + 7.5B Llama-3 + 0.12B CLIP-L, bf16; 0.25B VAE + 0.43B SigLIP, float32
            weights_gb=43.7, components=_FRAMEPACK_COMPONENTS, denoiser=_FRAMEPACK_SHAPE,
            vae=VaeShape(base_dim=128, spatial_compression=8, temporal_compression=4),
            description="FramePack (HunyuanVideo 13B) image-to-video in 33-frame sections, shown as each one finishes.",
        ),  # fmt: skip
    ]
