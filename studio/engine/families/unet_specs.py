"""Registry entries of the UNet families (AnimateDiff, Stable Video Diffusion): real checkpoints and demos.

Defaults from the model cards; ``weights_gb`` and ``components`` from the
parameter counts of the released configurations in ``unet_facts`` (counted on
the meta device by ``tests/families/test_unet_full_size.py``), every component
in the compute dtype (bf16: these families keep none in float32).
AnimateDiff's loaded UNet carries the motion modules (copied from the
adapter, which the pipeline keeps too).
"""

from __future__ import annotations

from studio.engine.families.unet_facts import ANIMATEDIFF_DDIM
from studio.engine.memory import ComponentFacts
from studio.engine.registry import ExtraComponent, ModelDefaults, ModelSpec

#: The SD 1.5 fine-tune the AnimateDiff entries animate (diffusers format).
ANIMATEDIFF_BASE = "emilianJR/epiCRealism"
_AD_CARD = dict(width=512, height=512, num_frames=16, fps=8, steps=25, guidance_scale=7.5,
                negative_prompt="bad quality, worse quality")  # fmt: skip
_AD_DEMO = ModelDefaults(width=128, height=96, num_frames=16, fps=8, steps=10, guidance_scale=7.5)
_SVD_DEMO = ModelDefaults(width=128, height=96, num_frames=14, fps=7, steps=10, guidance_scale=3.0)
_SD_VAE = ComponentFacts(0.0837, 0.0837)
_CLIP_L = ComponentFacts(0.1231, 0.0379)  # leaf by leaf: its largest leaf is the 49408 x 768 token embedding
_AD_SCHEDULER = ExtraComponent(class_name="DDIMScheduler", source=ANIMATEDIFF_BASE, subfolder="scheduler",
                               config={k: ANIMATEDIFF_DDIM[k] for k in ("beta_schedule", "clip_sample",
                                                                        "timestep_spacing", "steps_offset")})  # fmt: skip


def _animatediff(version: str, adapter_repo: str, unet_b: float, adapter_b: float, weights_gb: float) -> ModelSpec:
    return ModelSpec(
        key=f"animatediff-{version}", family="animatediff", label=f"AnimateDiff {version} (SD 1.5: epiCRealism)",
        source=ANIMATEDIFF_BASE, modes=("t2v", "i2v"), defaults=ModelDefaults(**_AD_CARD), weights_gb=weights_gb,
        components={"unet": ComponentFacts(unet_b, 0.3665), "motion_adapter": ComponentFacts(adapter_b, 0.1082),
                    "text_encoder": _CLIP_L, "vae": _SD_VAE},
        extra_components={"motion_adapter": ExtraComponent(class_name="MotionAdapter", source=adapter_repo),
                          "scheduler": _AD_SCHEDULER},
        description=f"AnimateDiff {version}: SD 1.5 with motion modules ({adapter_repo}), up to 32 frames; image to "
                    "video redraws the motion guide (guide strength).",
    )  # fmt: skip


def _svd(key: str, source: str, frames: int, weights_gb: float) -> ModelSpec:
    return ModelSpec(
        key=key, family="svd", label=f"Stable Video Diffusion {key.removeprefix('svd-')}", source=source,
        modes=("i2v",), defaults=ModelDefaults(width=1024, height=576, num_frames=frames, fps=7, steps=25,
                                               guidance_scale=3.0),
        weights_gb=weights_gb,
        components={"unet": ComponentFacts(1.5246, 0.4895), "image_encoder": ComponentFacts(0.6321, 0.0066),
                    "vae": ComponentFacts(0.0977, 0.0977)},
        description=f"Stable Video Diffusion: animates an image ({frames} frames at 1024x576) with no prompt; "
                    "motion bucket and noise augmentation set how much it moves.",
    )  # fmt: skip


def unet_specs() -> list[ModelSpec]:
    """The AnimateDiff and SVD entries: demos first, then the released checkpoints."""
    return [
        ModelSpec(key="animatediff-demo", family="animatediff", label="AnimateDiff demo", demo=True,
                  modes=("t2v", "i2v"), defaults=_AD_DEMO,
                  description="AnimateDiff (SD 1.5 UNet + motion adapter) shrunk, random weights."),
        ModelSpec(key="svd-demo", family="svd", label="Stable Video Diffusion demo", demo=True, modes=("i2v",),
                  defaults=_SVD_DEMO, description="Stable Video Diffusion architecture shrunk, random weights."),
        # UNet 1.28B with the v3 motion modules + 0.42B adapter + 0.12B CLIP-L + 0.08B VAE, bf16.
        _animatediff("v3", "guoyww/animatediff-motion-adapter-v1-5-3", 1.2767, 0.4171, 3.80),
        # v2 (a mid-block motion module): the adapter guoyww's camera motion LoRAs are made for.
        _animatediff("v2", "guoyww/animatediff-motion-adapter-v1-5-2", 1.3127, 0.4532, 3.95),
        # UNet 1.52B + CLIP ViT-H image encoder 0.63B + VAE 0.10B, bf16.
        _svd("svd-xt", "stabilityai/stable-video-diffusion-img2vid-xt", 25, 4.51),
        _svd("svd", "stabilityai/stable-video-diffusion-img2vid", 14, 4.51),
    ]
