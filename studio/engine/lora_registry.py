"""LoRAs as data (no torch): the registered ones, and where a request's LoRA comes from.

A client names a LoRA by a registered key, a hub id, or the file name of a LoRA
the operator put in the LoRA folder (``<data_dir>/loras``). A path anywhere
else on the server is accepted only where the operator allows it
(``STUDIO_ALLOW_LOCAL_LORAS``): a client of a public Space never names a file
on the server.

Step-distillation LoRAs carry a ``LoraRecipe``: the steps, guidance and
scheduler they were distilled for. The UI applies steps and guidance when one
is picked; the runner swaps the scheduler for the job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from studio.errors import LoraError
from studio.types import LoraSpec

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_LORA_SUFFIXES = (".safetensors",)


class LoraRecipe(BaseModel):
    """Sampling settings a step-distilled LoRA needs."""

    model_config = ConfigDict(frozen=True)

    steps: int
    guidance_scale: float
    #: diffusers scheduler class run for the job, built from the pipeline's scheduler config plus ``scheduler_config``.
    scheduler: str
    scheduler_config: dict[str, float] = Field(default_factory=dict)
    #: noise levels (before the scheduler's shift) when the job runs ``steps`` steps.
    sigmas: tuple[float, ...] = ()


class RegisteredLora(BaseModel):
    """A LoRA the studio knows: where its weights are, which models it fits, how to sample with it."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    repo_id: str
    weight_name: str | None = None
    #: model keys or hub ids of the base models it was trained on.
    base_models: tuple[str, ...]
    weight: float = 1.0
    recipe: LoraRecipe | None = None
    description: str = ""


# lightx2v's Wan 2.1 step + CFG distillation (Self-Forcing / DMD): 4 steps without classifier-free guidance
# (enable_cfg false), flow shift 5.0, an Euler step at the timesteps 1000, 750, 500, 250 of the shifted
# schedule. FlowMatchEuler with shift 5 and these sigmas reproduces that schedule.
_LIGHTX2V_RECIPE = LoraRecipe(
    steps=4, guidance_scale=1.0, scheduler="FlowMatchEulerDiscreteScheduler",
    scheduler_config={"shift": 5.0}, sigmas=(1.0, 0.75, 0.5, 0.25),
)  # fmt: skip


def default_loras() -> list[RegisteredLora]:
    """The registered LoRAs."""
    from studio.engine.camera_loras import animatediff_motion_loras  # its module imports this one

    return [
        RegisteredLora(
            key="lightx2v-wan2.1-t2v-14b-4step",
            label="Wan 2.1 T2V 14B: 4 steps, no CFG (lightx2v)",
            repo_id="lightx2v/Wan2.1-Distill-Loras",
            weight_name="wan2.1_t2v_14b_lora_rank64_lightx2v_4step.safetensors",
            base_models=("wan2.1-t2v-14b", "Wan-AI/Wan2.1-T2V-14B-Diffusers"),
            recipe=_LIGHTX2V_RECIPE,
            description="Step and CFG distillation LoRA (rank 64): a clip in 4 steps at guidance 1.",
        ),
        RegisteredLora(
            key="lightx2v-wan2.1-i2v-14b-480p-4step",
            label="Wan 2.1 I2V 14B 480p: 4 steps, no CFG (lightx2v)",
            repo_id="lightx2v/Wan2.1-Distill-Loras",
            weight_name="wan2.1_i2v_lora_rank64_lightx2v_4step.safetensors",
            base_models=("wan2.1-i2v-14b-480p", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"),
            recipe=_LIGHTX2V_RECIPE,
            description="Step and CFG distillation LoRA for image to video (rank 64): 4 steps at guidance 1.",
        ),
        *animatediff_motion_loras(),  # -- AnimateDiff camera-motion LoRAs (engine/camera_loras.py) --
    ]


@dataclass(frozen=True)
class LoraSource:
    """Where one requested LoRA's weights are, resolved and checked."""

    label: str
    #: hub id or absolute file path, as ``load_lora_weights`` takes it.
    location: str
    weight_name: str | None
    local: bool
    weight: float
    recipe: LoraRecipe | None = None

    @property
    def adapter_name(self) -> str:
        """A stable adapter name per weights (a file's size and time are part of it, so an edit reloads)."""
        identity = f"{self.location}|{self.weight_name}"
        if self.local:
            stat = Path(self.location).stat()
            identity += f"|{stat.st_size}|{stat.st_mtime_ns}"
        return "studio_" + hashlib.sha256(identity.encode()).hexdigest()[:12]


class LoraRegistry:
    """Registered LoRAs, and the rules that turn a request's ``LoraSpec`` into a ``LoraSource``."""

    def __init__(self, loras_dir: Path, *, allow_local: bool = False, loras: list[RegisteredLora] | None = None) -> None:
        self._dir = loras_dir
        self._allow_local = allow_local
        self._loras = {lora.key: lora for lora in (loras if loras is not None else default_loras())}

    def registered(self) -> list[RegisteredLora]:
        return list(self._loras.values())

    def get(self, key: str) -> RegisteredLora | None:
        return self._loras.get(key)

    def folder_files(self) -> list[str]:
        """LoRA files in the operator's LoRA folder (what clients may name by file name)."""
        if not self._dir.is_dir():
            return []
        return sorted(p.name for p in self._dir.iterdir() if p.is_file() and p.suffix in _LORA_SUFFIXES)

    def resolve(self, spec: LoraSpec, model_keys: tuple[str, ...] = ()) -> LoraSource:
        """Check ``spec`` and say where its weights are.

        ``model_keys`` (the model's key and source) are checked against a registered
        LoRA's base models; other LoRAs are checked when they are loaded.

        Raises:
            LoraError: unknown or missing file, a server path where local LoRAs are not allowed,
                or a registered LoRA made for other models; the message names the LoRA.
        """
        source = spec.source.strip()
        lora = self._loras.get(source)
        if lora is not None:
            if model_keys and not set(model_keys) & set(lora.base_models):
                raise LoraError(f"LoRA {source!r} is made for {', '.join(lora.base_models)}, not for model {model_keys[0]!r}")
            return LoraSource(lora.label, lora.repo_id, lora.weight_name, False, spec.weight, lora.recipe)
        if "/" not in source and "\\" not in source and source not in (".", ".."):
            return self._folder_file(source, spec.weight)
        if source.startswith(("/", ".", "~")) or source.endswith(_LORA_SUFFIXES):
            return self._local_path(source, spec.weight)
        if _HUB_ID.match(source):
            return LoraSource(source, source, spec.weight_name, False, spec.weight)
        raise LoraError(f"LoRA {source!r} is no registered LoRA, hub id (org/name) or file in the LoRA folder")

    def _folder_file(self, name: str, weight: float) -> LoraSource:
        if not name.endswith(_LORA_SUFFIXES):
            known = ", ".join(sorted(self._loras)) or "none"
            raise LoraError(f"LoRA {name!r} is no registered LoRA ({known}) and no .safetensors file name")
        path = self._dir / name
        if not path.is_file():
            raise LoraError(f"LoRA file {name!r} not found in the LoRA folder {self._dir}")
        return LoraSource(name, str(path.resolve()), None, True, weight)

    def _local_path(self, source: str, weight: float) -> LoraSource:
        if not self._allow_local:
            raise LoraError(f"LoRA {source!r}: paths on the server are not accepted (STUDIO_ALLOW_LOCAL_LORAS is off); "
                            f"put the file in the LoRA folder and give its file name")  # fmt: skip
        path = Path(source).expanduser()
        if not path.is_file():
            raise LoraError(f"LoRA file not found: {source}")
        return LoraSource(path.name, str(path.resolve()), None, True, weight)
