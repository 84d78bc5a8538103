"""The model registry: what can be loaded, as data (no torch here).

A ``ModelSpec`` names a family, where the weights come from (a hub id, a local
folder, or a demo built locally), and the defaults the UI starts from. Besides
registered keys, any local diffusers pipeline folder and any hub id of a
supported family resolve to an ad-hoc spec.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from studio.engine.families import FAMILIES, Family
from studio.engine.families.base import FlowShiftRule, SizeRules
from studio.engine.families.skyreels import SKYREELS_V2_DF_1_3B_TRANSFORMER, SKYREELS_V2_DF_14B_TRANSFORMER
from studio.engine.families.wan_facts import (
    WAN21_I2V_14B_TRANSFORMER,
    WAN21_T2V_1_3B_TRANSFORMER,
    WAN21_VACE_1_3B_TRANSFORMER,
    WAN21_VAE,
    WAN22_A14B_TRANSFORMER,
    WAN22_TI2V_5B_TRANSFORMER,
    WAN22_VAE,
    WAN_NEGATIVE_PROMPT,
)
from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.errors import InvalidRequestError, UnknownModelError


class ModelDefaults(BaseModel):
    """Starting values a model runs well with."""

    width: int = 832
    height: int = 480
    num_frames: int = 33
    fps: int = 16
    steps: int = 30
    guidance_scale: float = 5.0
    #: what the front ends prefill as the negative prompt (the model card's, shown and editable).
    negative_prompt: str = ""


class ExtraComponent(BaseModel):
    """A pipeline component loaded on its own and handed to ``from_pretrained`` (e.g. AnimateDiff's motion
    adapter, which lives in its own repository next to an SD 1.5 base model, or the card's scheduler)."""

    model_config = ConfigDict(frozen=True)

    #: diffusers class (a model or a scheduler), loaded with its ``from_pretrained``.
    class_name: str
    #: hub id or local folder.
    source: str
    subfolder: str | None = None
    #: config values that override the loaded ones (a scheduler's settings).
    config: dict[str, str | float | int | bool] = Field(default_factory=dict)


class ComponentSource(BaseModel):
    """A pipeline component that comes from another repository than the pipeline (e.g. FramePack's transformer)."""

    model_config = ConfigDict(frozen=True)

    #: the component's class, ``"package:Class"`` (``"diffusers:HunyuanVideoFramepackTransformer3DModel"``).
    class_path: str
    #: hub id or local folder of the component.
    source: str
    subfolder: str | None = None
    revision: str | None = None


class ModelSpec(BaseModel):
    """One loadable model."""

    model_config = ConfigDict(frozen=True)

    key: str
    family: str
    label: str
    #: hub id ("org/name") or local folder; None for demo models (built under the data dir).
    source: str | None = None
    revision: str | None = None
    demo: bool = False
    #: for demo models: the size multiplier passed to the family's ``build_demo``.
    demo_scale: int = 1
    modes: tuple[str, ...] = ("t2v",)
    defaults: ModelDefaults = Field(default_factory=ModelDefaults)
    #: a pipeline class other than the family's for its mode (e.g. a control-video variant).
    pipeline_class: str | None = None
    #: how a guide steers this model, when it differs from the family's ("v2v", "warped_noise", "control", "frames", "keyframes").
    steering: tuple[str, ...] | None = None
    #: weights in GB as loaded on an accelerator (``device.component_dtypes``: bf16 transformers and
    #: text encoder, float32 VAE and image encoder); fp32 demo sizes are negligible. Drives the offload policy.
    weights_gb: float = 0.0
    description: str = ""
    #: for demo models: what the family's ``build_demo`` builds when it is not the pipeline class or mode.
    demo_kind: str | None = None
    #: shape rules when they differ from the family's (e.g. Wan 2.2 TI2V: 16x VAE x 2x2 patches = 32 px).
    size_rules: SizeRules | None = None
    #: pipeline arguments of this model on top of its family's (e.g. a long-video model's window).
    call_kwargs: dict[str, int | float | bool | str] = Field(default_factory=dict)
    #: the scheduler shift by resolution when it differs from the family's rule (None: the family's).
    flow_shift: FlowShiftRule | None = None
    # -- memory estimate (model manager) --
    #: parameters per component from the released configs (billions); empty: read from the files, or
    #: measured once loaded.
    components: dict[str, ComponentFacts] = Field(default_factory=dict)
    #: the denoiser's shape and the VAE's, for activations; None: read from the files' configs.
    denoiser: DenoiserShape | None = None
    vae: VaeShape | None = None
    #: components loaded from elsewhere and passed to the pipeline's ``from_pretrained`` by name.
    extra_components: dict[str, ExtraComponent] = Field(default_factory=dict)
    # -- pipelines per mode (CogVideoX) --
    #: a pipeline class per mode where it differs from the family's (CogVideoX 1.0 text-to-video checkpoints
    #: animate an image through their video-to-video pipeline); takes precedence over ``pipeline_class``.
    mode_pipelines: dict[str, str] = Field(default_factory=dict)
    # -- components from other repositories (HunyuanVideo FramePack) --
    #: components loaded from their own sources and handed to the pipeline's ``from_pretrained`` (real entries only:
    #: a demo is built whole).
    components_from: dict[str, ComponentSource] = Field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return f"{self.label} (random-weight demo)" if self.demo else self.label


_DEMO_DEFAULTS = ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=5.0)
_WAN_480P = dict(width=832, height=480, num_frames=81, fps=16, guidance_scale=5.0, negative_prompt=WAN_NEGATIVE_PROMPT)
_WAN_720P = dict(width=1280, height=720, num_frames=81, fps=16, negative_prompt=WAN_NEGATIVE_PROMPT)
_WAN22_TI2V_RULES = SizeRules(side_multiple=32, temporal_step=4)

# Sizes of the released Wan checkpoints for the memory estimate: parameters in billions, and the largest unit
# group offload moves at once (counted on the meta device from the configs in ``wan_facts``). A transformer
# moves block by block (1.3B: 8 x 1536^2 attention + 2 x 1536 x 8960 feed-forward = 46.4 M; 14B I2V: the
# image key/value projections on top, 403.8 M); UMT5-XXL leaf by leaf (its largest leaf is the 256384 x 4096
# embedding); CLIP ViT-H/14 too (a 1280 x 5120 MLP layer); a VAE has no block list and moves whole.
_UMT5_XXL = ComponentFacts(5.68, 1.050)
_WAN21_VAE_SIZE = ComponentFacts(0.127, 0.127)
_CLIP_VIT_H = ComponentFacts(0.631, 0.0066)
_WAN_14B = ComponentFacts(14.288, 0.3514)  # Wan 2.1 T2V 14B, and each of Wan 2.2 A14B's two experts


def _wan_components(transformer_b: float, block_b: float) -> dict[str, ComponentFacts]:
    return {"transformer": ComponentFacts(transformer_b, block_b), "text_encoder": _UMT5_XXL, "vae": _WAN21_VAE_SIZE}


def _shape(config: dict, *, per_token_timestep: bool = False) -> DenoiserShape:
    shape = DenoiserShape.from_config(config, per_token_timestep=per_token_timestep)
    assert shape is not None, "a full-size config in wan_facts lacks a key"
    return shape


_WAN21_VAE_SHAPE = VaeShape.from_config(WAN21_VAE)
_WAN_A14B = {"transformer": _WAN_14B, "transformer_2": _WAN_14B, "text_encoder": _UMT5_XXL, "vae": _WAN21_VAE_SIZE}


def default_specs() -> list[ModelSpec]:
    """The registered models.

    Real Wan entries take their defaults from the model cards (steps, guidance,
    size, frame rate, the standard negative prompt) and their ``weights_gb``
    from the parameter counts of the released configurations
    (``tests/engine/test_full_size.py`` recomputes them on the meta device).
    """
    # these entries build this module's ModelSpecs: imported once it is defined
    from studio.engine.families.cogvideox_specs import cogvideox_specs
    from studio.engine.families.ltx_specs import ltx_specs
    from studio.engine.families.unet_specs import unet_specs
    from studio.engine.registry_hunyuan import hunyuan_specs
    from studio.engine.registry_ltx2 import ltx2_specs

    return [
        ModelSpec(
            key="wan-demo", family="wan", label="Wan 2.1 demo", demo=True, defaults=_DEMO_DEFAULTS,
            description="Wan 2.1 architecture shrunk, random weights: tests the studio offline, makes noise.",
        ),
        ModelSpec(
            key="motion-warp", family="motion", label="Motion warp (no neural model)", modes=("i2v",),
            defaults=ModelDefaults(width=832, height=480, num_frames=49, fps=16, steps=1, guidance_scale=0.0),
            description="Warps the image along the camera path and motion arrows; needs no weights or GPU.",
        ),
        ModelSpec(
            key="wan-i2v-demo", family="wan", label="Wan 2.1 I2V demo", demo=True, modes=("i2v",),
            defaults=_DEMO_DEFAULTS, description="Wan 2.1 image-to-video architecture shrunk, random weights.",
        ),
        ModelSpec(
            key="wan-vace-demo", family="wan", label="Wan 2.1 VACE demo", demo=True, modes=("i2v",),
            pipeline_class="WanVACEPipeline", steering=("control", "warped_noise", "v2v"), defaults=_DEMO_DEFAULTS,
            description="Wan 2.1 VACE (control video) architecture shrunk, random weights.",
        ),
        ModelSpec(
            key="wan22-ti2v-demo", family="wan", label="Wan 2.2 TI2V demo", demo=True, modes=("t2v", "i2v"),
            demo_kind="wan2.2-ti2v", size_rules=_WAN22_TI2V_RULES, defaults=_DEMO_DEFAULTS,
            description="Wan 2.2 TI2V architecture shrunk (48 latent channels, 16x VAE), random weights.",
        ),
        ModelSpec(
            key="wan22-a14b-demo", family="wan", label="Wan 2.2 A14B demo", demo=True, demo_kind="wan2.2-a14b",
            defaults=_DEMO_DEFAULTS,
            description="Wan 2.2 A14B architecture shrunk (two transformers switched by noise level), random weights.",
        ),
        ModelSpec(
            key="wan2.1-vace-1.3b", family="wan", label="Wan 2.1 VACE 1.3B", source="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
            modes=("i2v",), pipeline_class="WanVACEPipeline", steering=("control", "warped_noise", "v2v"),
            defaults=ModelDefaults(**_WAN_480P, steps=30),
            # 2.15B transformer (VACE blocks on every other layer) + 5.68B UMT5-XXL, bf16; VAE float32.
            weights_gb=16.2, components=_wan_components(2.154, 0.0511), denoiser=_shape(WAN21_VACE_1_3B_TRANSFORMER),
            vae=_WAN21_VAE_SHAPE,
            description="Wan 2.1 VACE 1.3B: the guide video as a control video, first frame kept.",
        ),
        ModelSpec(
            key="wan2.1-i2v-14b-480p", family="wan", label="Wan 2.1 I2V 14B 480p",
            source="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", modes=("i2v",), defaults=ModelDefaults(**_WAN_480P, steps=50),
            # 16.4B transformer + 5.68B UMT5-XXL, bf16; 0.63B CLIP ViT-H + VAE, float32 (all bf16: 45.7).
            weights_gb=47.2,
            components={**_wan_components(16.395, 0.4038), "image_encoder": _CLIP_VIT_H},
            denoiser=_shape(WAN21_I2V_14B_TRANSFORMER), vae=_WAN21_VAE_SHAPE,
            description="Wan 2.1 image-to-video, 14B, 480p.",
        ),
        ModelSpec(
            key="wan2.1-t2v-1.3b", family="wan", label="Wan 2.1 T2V 1.3B", source="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
            defaults=ModelDefaults(**_WAN_480P, steps=50),
            # 1.42B transformer + 5.68B UMT5-XXL, bf16; VAE float32.
            weights_gb=14.7, components=_wan_components(1.419, 0.0464), denoiser=_shape(WAN21_T2V_1_3B_TRANSFORMER),
            vae=_WAN21_VAE_SHAPE,
            description="Wan 2.1 text-to-video, 1.3B, 480p.",
        ),
        ModelSpec(
            key="wan2.2-ti2v-5b", family="wan", label="Wan 2.2 TI2V 5B", source="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            modes=("t2v", "i2v"), size_rules=_WAN22_TI2V_RULES,
            defaults=ModelDefaults(width=1280, height=704, num_frames=121, fps=24, steps=50, guidance_scale=5.0,
                                   negative_prompt=WAN_NEGATIVE_PROMPT),  # fmt: skip
            # 5.0B transformer + 5.68B UMT5-XXL, bf16; 0.70B Wan 2.2 VAE, float32.
            weights_gb=24.2,
            components={"transformer": ComponentFacts(5.000, 0.1637), "text_encoder": _UMT5_XXL,
                        "vae": ComponentFacts(0.705, 0.705)},
            denoiser=_shape(WAN22_TI2V_5B_TRANSFORMER, per_token_timestep=True), vae=VaeShape.from_config(WAN22_VAE),
            description="Wan 2.2 text/image-to-video, 5B, 720p at 24 fps (48-channel VAE, 16x compression).",
        ),
        ModelSpec(
            key="wan2.2-t2v-a14b", family="wan", label="Wan 2.2 T2V A14B", source="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
            defaults=ModelDefaults(**_WAN_720P, steps=40, guidance_scale=4.0),
            # two 14.3B transformers (high / low noise) + 5.68B UMT5-XXL, bf16; VAE float32.
            weights_gb=69.0, components=_WAN_A14B, denoiser=_shape(WAN22_A14B_TRANSFORMER), vae=_WAN21_VAE_SHAPE,
            description="Wan 2.2 text-to-video, two 14B experts switched by noise level, 720p.",
        ),
        ModelSpec(
            key="wan2.2-i2v-a14b", family="wan", label="Wan 2.2 I2V A14B", source="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
            modes=("i2v",), defaults=ModelDefaults(**_WAN_720P, steps=40, guidance_scale=3.5),
            # two 14.3B transformers (36 input channels) + 5.68B UMT5-XXL, bf16; VAE float32.
            weights_gb=69.0, components=_WAN_A14B, denoiser=_shape(WAN22_A14B_TRANSFORMER), vae=_WAN21_VAE_SHAPE,
            description="Wan 2.2 image-to-video, two 14B experts switched by noise level, 720p.",
        ),
        # -- first-and-last-frame, and the base of the step-distilled T2V LoRA --
        ModelSpec(
            key="wan2.1-flf2v-14b-720p",
            family="wan",
            label="Wan 2.1 FLF2V 14B 720p (first and last frame)",
            source="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
            modes=("i2v",),
            defaults=ModelDefaults(**{**_WAN_720P, "steps": 50, "guidance_scale": 5.5}),
            # the I2V 14B architecture: 16.4B transformer + 5.68B UMT5-XXL, bf16; CLIP ViT-H + VAE, float32.
            weights_gb=47.2,
            components={**_wan_components(16.395, 0.4038), "image_encoder": _CLIP_VIT_H},
            denoiser=_shape(WAN21_I2V_14B_TRANSFORMER), vae=_WAN21_VAE_SHAPE,
            description="Wan 2.1 first-and-last-frame to video, 14B, 720p: give an end image in the Image -> Video tab.",
        ),
        ModelSpec(
            key="wan2.1-t2v-14b",
            family="wan",
            label="Wan 2.1 T2V 14B",
            source="Wan-AI/Wan2.1-T2V-14B-Diffusers",
            defaults=ModelDefaults(**_WAN_480P, steps=50),
            # 14.3B transformer + 5.7B UMT5-XXL + VAE, bf16.
            weights_gb=40.3,
            components={"transformer": _WAN_14B, "text_encoder": _UMT5_XXL, "vae": _WAN21_VAE_SIZE},
            denoiser=_shape(WAN22_A14B_TRANSFORMER), vae=_WAN21_VAE_SHAPE,
            description="Wan 2.1 text-to-video, 14B; with the lightx2v LoRA it runs in 4 steps.",
        ),
        *_skyreels_specs(),
        # -- LTX-2 (video with its sound track) --
        *ltx2_specs(),
        *unet_specs(),  # -- UNet families: AnimateDiff, Stable Video Diffusion (families/unet_specs.py) --
        *ltx_specs(),  # -- LTX-Video (families/ltx_specs.py) --
        # -- CogVideoX (studio/engine/families/cogvideox_specs.py) --
        *cogvideox_specs(),
        *hunyuan_specs(),  # -- HunyuanVideo 1.5 and FramePack --
    ]


# SkyReels-V2 diffusion forcing: one checkpoint for text and image to video (the i2v pipeline is made from the
# t2v one with ``from_pipe``); the Wan 2.1 architecture with an fps embedding (1.44B / 14.47B on the meta device).
_SKYREELS_LONG = {"overlap_history": 17, "addnoise_condition": 20}


def _skyreels_specs() -> list[ModelSpec]:
    card = dict(fps=24, steps=30, guidance_scale=6.0, negative_prompt=WAN_NEGATIVE_PROMPT)
    return [
        ModelSpec(
            key="skyreels-demo", family="skyreels", label="SkyReels-V2 DF demo (long video)", demo=True,
            modes=("t2v", "i2v"), defaults=_DEMO_DEFAULTS.model_copy(update={"num_frames": 33}),
            call_kwargs={"base_num_frames": 17, "overlap_history": 5, "addnoise_condition": 20},
            description="SkyReels-V2 diffusion forcing shrunk, random weights: 17-frame windows, so 33 frames take 3.",
        ),
        ModelSpec(
            key="skyreels-v2-df-1.3b-540p", family="skyreels", label="SkyReels-V2 DF 1.3B 540P (long video)",
            source="Skywork/SkyReels-V2-DF-1.3B-540P-Diffusers", modes=("t2v", "i2v"),
            defaults=ModelDefaults(width=960, height=544, num_frames=97, **card),
            call_kwargs={"base_num_frames": 97, **_SKYREELS_LONG},
            # 1.44B transformer + 5.68B UMT5-XXL, bf16; VAE float32.
            weights_gb=14.7, components=_wan_components(1.436, 0.0464), vae=_WAN21_VAE_SHAPE,
            denoiser=_shape(SKYREELS_V2_DF_1_3B_TRANSFORMER),
            description="SkyReels-V2 diffusion forcing, 1.3B, 540P: clips longer than 97 frames in overlapping windows.",
        ),
        ModelSpec(
            key="skyreels-v2-df-14b-540p", family="skyreels", label="SkyReels-V2 DF 14B 540P (long video)",
            source="Skywork/SkyReels-V2-DF-14B-540P-Diffusers", modes=("t2v", "i2v"),
            defaults=ModelDefaults(width=960, height=544, num_frames=97, **card),
            call_kwargs={"base_num_frames": 97, **_SKYREELS_LONG},
            weights_gb=40.6, components=_wan_components(14.472, 0.3514), vae=_WAN21_VAE_SHAPE,
            denoiser=_shape(SKYREELS_V2_DF_14B_TRANSFORMER),
            description="SkyReels-V2 diffusion forcing, 14B, 540P: clips longer than 97 frames in overlapping windows.",
        ),
        ModelSpec(
            key="skyreels-v2-df-14b-720p", family="skyreels", label="SkyReels-V2 DF 14B 720P (long video)",
            source="Skywork/SkyReels-V2-DF-14B-720P-Diffusers", modes=("t2v", "i2v"),
            defaults=ModelDefaults(width=1280, height=720, num_frames=121, **card),
            call_kwargs={"base_num_frames": 121, **_SKYREELS_LONG},
            weights_gb=40.6, components=_wan_components(14.472, 0.3514), vae=_WAN21_VAE_SHAPE,
            denoiser=_shape(SKYREELS_V2_DF_14B_TRANSFORMER),
            description="SkyReels-V2 diffusion forcing, 14B, 720P: clips longer than 121 frames in overlapping windows.",
        ),
    ]


class ModelRegistry:
    """Resolves a model name (registered key, local folder, or hub id) to a ``ModelSpec``."""

    def __init__(self, specs: list[ModelSpec] | None = None, *, offline: bool = False) -> None:
        self._specs = {spec.key: spec for spec in (specs if specs is not None else default_specs())}
        self._offline = offline

    def specs(self) -> list[ModelSpec]:
        return list(self._specs.values())

    def register(self, spec: ModelSpec) -> None:
        if spec.family not in FAMILIES:
            raise UnknownModelError(f"unknown model family {spec.family!r} for model {spec.key!r}")
        self._specs[spec.key] = spec

    def family(self, spec: ModelSpec) -> Family:
        return FAMILIES[spec.family]

    def adapter_path(self, spec: ModelSpec) -> str:
        """``"module:Class"`` of the adapter that calls ``spec``'s pipelines (loaded by ``engine.adapters``)."""
        return FAMILIES[spec.family].adapter

    def steering(self, spec: ModelSpec) -> frozenset[str]:
        """How a guide can steer ``spec``: its own declaration, else its family's."""
        return frozenset(spec.steering) if spec.steering is not None else FAMILIES[spec.family].steering

    def call_kwargs(self, spec: ModelSpec) -> dict[str, object]:
        """Pipeline arguments every call of ``spec`` gets: its family's, then its own."""
        return {**FAMILIES[spec.family].call_kwargs, **spec.call_kwargs}

    def flow_shift(self, spec: ModelSpec) -> FlowShiftRule | None:
        """The scheduler shift rule of ``spec``: its own, else its family's."""
        return spec.flow_shift or FAMILIES[spec.family].flow_shift

    def size_rules(self, spec: ModelSpec) -> SizeRules:
        """The shape rules of ``spec``: its own, else its family's."""
        return spec.size_rules or FAMILIES[spec.family].size_rules

    def pipeline_class(self, spec: ModelSpec, mode: str) -> str:
        return spec.mode_pipelines.get(mode) or spec.pipeline_class or FAMILIES[spec.family].pipelines[mode]

    # -- video to video --
    def pipeline_mode(self, spec: ModelSpec, mode: str) -> str:
        """The mode whose pipeline runs a request of ``mode``: itself, except video to video ("v2v"), which
        runs on the model's image-to-video pipeline where it has one (the one its steering declarations
        describe; a family's dedicated video-to-video pipeline sits there), else its text-to-video one.

        Raises:
            InvalidRequestError: "v2v" for a model that declares no video-to-video steering, naming those that do.
        """
        if mode != "v2v":
            return mode
        if not self.can_v2v(spec):
            able = ", ".join(s.key for s in self._specs.values() if self.can_v2v(s))
            declared = ", ".join(sorted(self.steering(spec))) or "none"
            raise InvalidRequestError(f"model {spec.key!r} cannot re-render a video: it declares no 'v2v' steering "
                                      f"(its steering: {declared}); models that can: {able}")  # fmt: skip
        return "i2v" if "i2v" in spec.modes else spec.modes[0]

    def can_v2v(self, spec: ModelSpec) -> bool:
        """Whether ``spec`` takes video-to-video requests (its steering has "v2v" and it has a pipeline)."""
        return "v2v" in self.steering(spec) and bool(FAMILIES[spec.family].pipelines)

    def resolve(self, name: str, *, local_folders: bool = True) -> ModelSpec:
        """Return the spec for ``name`` (with ``local_folders=False`` a folder is never looked at).

        Raises:
            UnknownModelError: ``name`` is no registered key, no pipeline folder of
                a supported family, and no reachable hub id of one.
        """
        name = (name or "").strip()
        if not name:
            raise UnknownModelError("no model given")
        if name in self._specs:
            return self._specs[name]
        for spec in self._specs.values():
            if spec.source == name:
                return spec
        folder = Path(name).expanduser()
        if local_folders and folder.is_dir():
            return self._spec_from_index(name, folder / "model_index.json")
        if name.count("/") == 1 and not name.startswith((".", "/")):
            return self._spec_from_hub(name)
        known = ", ".join(sorted(self._specs))
        raise UnknownModelError(f"unknown model {name!r}: not a registered model ({known}), folder or hub id")

    def _spec_from_hub(self, repo_id: str) -> ModelSpec:
        try:
            from huggingface_hub import hf_hub_download

            index = hf_hub_download(repo_id, "model_index.json", local_files_only=self._offline)
        except Exception as exc:  # network, auth, missing repo: all mean "cannot resolve"
            raise UnknownModelError(
                f"model {repo_id!r} could not be resolved on the Hugging Face Hub "
                f"({type(exc).__name__}); offline machines need a registered or local model"
            ) from exc
        return self._spec_from_index(repo_id, Path(index))

    def _spec_from_index(self, source: str, index_path: Path) -> ModelSpec:
        if not index_path.is_file():
            raise UnknownModelError(f"folder {source!r} is not a diffusers pipeline (no model_index.json)")
        try:
            class_name = json.loads(index_path.read_text())["_class_name"]
        except (OSError, ValueError, KeyError) as exc:
            raise UnknownModelError(f"{index_path} is not a valid model_index.json") from exc
        for family in FAMILIES.values():
            if class_name in family.pipeline_class_names:
                label = f"{family.label}: {source}"
                modes = [m for m, cls in family.pipelines.items() if cls == class_name]
                if modes:
                    return ModelSpec(key=source, family=family.name, label=label, source=source, modes=(modes[0],))
                # another pipeline of the family (Wan VACE: a control-video one): image to video, steered as declared
                steering = family.pipeline_steering.get(class_name, ("control", "warped_noise", "v2v"))
                return ModelSpec(key=source, family=family.name, label=label, source=source, modes=("i2v",),
                                 pipeline_class=class_name, steering=steering)  # fmt: skip
        supported = ", ".join(sorted(name for family in FAMILIES.values() for name in family.pipeline_class_names))
        raise UnknownModelError(
            f"pipeline {class_name!r} in {source!r} is not supported; supported pipelines: {supported}"
        )
