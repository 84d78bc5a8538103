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
from studio.errors import UnknownModelError


class ModelDefaults(BaseModel):
    """Starting values a model runs well with."""

    width: int = 832
    height: int = 480
    num_frames: int = 33
    fps: int = 16
    steps: int = 30
    guidance_scale: float = 5.0


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
    #: how a guide steers this model, when it differs from the family's ("v2v", "warped_noise", "control").
    steering: tuple[str, ...] | None = None
    #: weights in GB at bf16 (fp32 demo sizes are negligible); drives the offload policy.
    weights_gb: float = 0.0
    description: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.label} (random-weight demo)" if self.demo else self.label


def default_specs() -> list[ModelSpec]:
    """The registered models."""
    return [
        ModelSpec(
            key="wan-demo",
            family="wan",
            label="Wan 2.1 demo",
            demo=True,
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=5.0),
            description="Wan 2.1 architecture shrunk, random weights: tests the studio offline, makes noise.",
        ),
        ModelSpec(
            key="motion-warp",
            family="motion",
            label="Motion warp (no neural model)",
            modes=("i2v",),
            defaults=ModelDefaults(width=832, height=480, num_frames=49, fps=16, steps=1, guidance_scale=0.0),
            description="Warps the image along the camera path and motion arrows; needs no weights or GPU.",
        ),
        ModelSpec(
            key="wan-i2v-demo",
            family="wan",
            label="Wan 2.1 I2V demo",
            demo=True,
            modes=("i2v",),
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=5.0),
            description="Wan 2.1 image-to-video architecture shrunk, random weights.",
        ),
        ModelSpec(
            key="wan-vace-demo",
            family="wan",
            label="Wan 2.1 VACE demo",
            demo=True,
            modes=("i2v",),
            pipeline_class="WanVACEPipeline",
            steering=("control", "warped_noise", "v2v"),
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=5.0),
            description="Wan 2.1 VACE (control video) architecture shrunk, random weights.",
        ),
        ModelSpec(
            key="wan2.1-vace-1.3b",
            family="wan",
            label="Wan 2.1 VACE 1.3B",
            source="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
            modes=("i2v",),
            pipeline_class="WanVACEPipeline",
            steering=("control", "warped_noise", "v2v"),
            defaults=ModelDefaults(width=832, height=480, num_frames=81, fps=16, steps=30, guidance_scale=5.0),
            weights_gb=15.0,
            description="Wan 2.1 VACE 1.3B: the guide video as a control video, first frame kept.",
        ),
        ModelSpec(
            key="wan2.1-i2v-14b-480p",
            family="wan",
            label="Wan 2.1 I2V 14B 480p",
            source="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
            modes=("i2v",),
            defaults=ModelDefaults(width=832, height=480, num_frames=81, fps=16, steps=30, guidance_scale=5.0),
            # 14B transformer + 5.7B UMT5-XXL + 0.6B CLIP ViT-H + VAE, bf16.
            weights_gb=41.0,
            description="Wan 2.1 image-to-video, 14B, 480p.",
        ),
        ModelSpec(
            key="wan2.1-t2v-1.3b",
            family="wan",
            label="Wan 2.1 T2V 1.3B",
            source="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
            defaults=ModelDefaults(width=832, height=480, num_frames=81, fps=16, steps=30, guidance_scale=5.0),
            # 1.3B transformer + 5.7B UMT5-XXL encoder + VAE, bf16.
            weights_gb=14.2,
            description="Wan 2.1 text-to-video, 1.3B, 480p.",
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

    def steering(self, spec: ModelSpec) -> frozenset[str]:
        """How a guide can steer ``spec``: its own declaration, else its family's."""
        return frozenset(spec.steering) if spec.steering is not None else FAMILIES[spec.family].steering

    def pipeline_class(self, spec: ModelSpec, mode: str) -> str:
        return spec.pipeline_class or FAMILIES[spec.family].pipelines[mode]

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
                # a control-video variant (Wan VACE): image to video, steered through its control input
                return ModelSpec(key=source, family=family.name, label=label, source=source, modes=("i2v",),
                                 pipeline_class=class_name, steering=("control", "warped_noise", "v2v"))  # fmt: skip
        raise UnknownModelError(f"pipeline {class_name!r} in {source!r} belongs to no supported family")
