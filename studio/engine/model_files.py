"""Where a model's files are, how much disk they take, and what they say about its size (no torch).

Parameter counts come from the safetensors headers (a JSON table of names,
dtypes and shapes at the head of each file), so a local or cached pipeline is
measured without reading a single weight.
"""

from __future__ import annotations

import json
import logging
import math
import re
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from studio.engine.demo import demo_folder
from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ModelSpec

logger = logging.getLogger(__name__)
_BLOCK = re.compile(r"^(.*?blocks\.\d+)\.")
_MAX_HEADER_BYTES = 100_000_000


@dataclass(frozen=True)
class WeightsStatus:
    """Whether a model's weights are on this machine, and how to fetch them."""

    present: bool
    where: str
    disk_gb: float
    #: the one command that downloads them when online (None for demo and local models).
    fetch_command: str | None = None


@dataclass(frozen=True)
class ModelFacts:
    components: dict[str, ComponentFacts] = field(default_factory=dict)
    denoiser: DenoiserShape | None = None
    vae: VaeShape | None = None


def _hub_snapshot(spec: ModelSpec) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    assert spec.source is not None
    try:
        found = try_to_load_from_cache(spec.source, "model_index.json", revision=spec.revision)
    except ValueError:  # not a valid repo id
        return None
    return Path(found).parent if isinstance(found, str) else None


def pipeline_folder(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The folder holding ``spec``'s pipeline on this machine (demo, local, or hub cache snapshot), if any."""
    if spec.demo:
        folder = demo_folder(models_dir, spec)
        return folder if (folder / ".complete").is_file() else None
    if spec.source is None:
        return None
    local = Path(spec.source).expanduser()
    if local.is_dir():
        return local
    return _hub_snapshot(spec) if _is_repo_id(spec.source) else None


def _is_repo_id(source: str) -> bool:
    return source.count("/") == 1 and not source.startswith((".", "/", "~"))


def _disk_gb(folder: Path) -> float:
    # hub snapshots hold symlinks into blobs/: count what they point at
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e9


def weights_status(spec: ModelSpec, models_dir: Path) -> WeightsStatus:
    """Whether ``spec``'s weights are here (demo folder, local folder, hub cache) and the disk they take."""
    if spec.demo:
        folder = pipeline_folder(spec, models_dir)
        if folder is None:
            return WeightsStatus(False, "built on first use (random weights)", 0.0)
        return WeightsStatus(True, str(folder), _disk_gb(folder))
    if spec.source is None:
        return WeightsStatus(False, "no weights needed", 0.0)
    local = Path(spec.source).expanduser()
    if local.is_dir():
        return WeightsStatus(True, str(local), _disk_gb(local))
    if not _is_repo_id(spec.source):
        return WeightsStatus(False, f"folder {spec.source} not found", 0.0)
    command = f"hf download {spec.source}" + (f" --revision {spec.revision}" if spec.revision else "")
    snapshot = _hub_snapshot(spec)
    if snapshot is None:
        return WeightsStatus(False, "not in the Hugging Face cache", 0.0, command)
    complete = all(_has_weights(snapshot / c) for c in _components(snapshot))
    where = "Hugging Face cache" if complete else "Hugging Face cache (incomplete)"
    return WeightsStatus(complete, where, _disk_gb(snapshot), command)


def _components(folder: Path) -> list[str]:
    try:
        index = json.loads((folder / "model_index.json").read_text())
    except (OSError, ValueError):
        return []
    # model_index.json maps each component to [library, class]; other keys are settings
    return [k for k, v in index.items() if isinstance(v, list) and len(v) == 2 and v[0] is not None and not k.startswith("_")]


def _has_weights(folder: Path) -> bool:
    if not (folder / "config.json").is_file():
        return True  # tokenizers, schedulers, processors: no weights
    return any(folder.glob("*.safetensors")) or any(folder.glob("*.bin"))


def read_safetensors_header(path: Path) -> dict[str, dict]:
    """The tensor table of a safetensors file (names -> dtype, shape, offsets), without its data."""
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > _MAX_HEADER_BYTES:
            raise ValueError(f"{path}: safetensors header of {length} bytes")
        header = json.loads(handle.read(length))
    header.pop("__metadata__", None)
    return header


def facts_from_tensors(tensors: Iterable[tuple[str, int]]) -> ComponentFacts:
    """Parameters of one component from (tensor name, element count) pairs, and its largest offload unit:
    the largest ``blocks.N`` group (a transformer block) when there are blocks, else its largest tensor."""
    total = largest_tensor = 0
    blocks: dict[str, int] = {}
    for name, count in tensors:
        total += count
        largest_tensor = max(largest_tensor, count)
        match = _BLOCK.match(name)
        if match:
            blocks[match.group(1)] = blocks.get(match.group(1), 0) + count
    unit = max(blocks.values()) if blocks else largest_tensor
    return ComponentFacts(params_b=total / 1e9, unit_params_b=unit / 1e9)


def component_facts(folder: Path) -> ComponentFacts | None:
    """``facts_from_tensors`` of a component folder's safetensors files; None when it has none."""
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    headers = [read_safetensors_header(file) for file in files]
    return facts_from_tensors((name, math.prod(info["shape"])) for header in headers for name, info in header.items())


def _config(folder: Path) -> dict:
    try:
        return json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return {}


def denoiser_shape(config: dict) -> DenoiserShape | None:
    """A DiT's shape from its diffusers config (Wan's keys); None when they are not there."""
    try:
        return DenoiserShape(
            num_layers=int(config["num_layers"]),
            num_heads=int(config["num_attention_heads"]),
            head_dim=int(config["attention_head_dim"]),
            ffn_dim=int(config["ffn_dim"]),
            patch_size=tuple(config.get("patch_size", (1, 2, 2))),  # type: ignore[arg-type]
            kept_states=len(config.get("vace_layers") or ()),
        )
    except (KeyError, TypeError, ValueError):
        return None


def vae_shape(config: dict) -> VaeShape | None:
    if "base_dim" not in config:
        return None
    return VaeShape(
        base_dim=int(config.get("decoder_base_dim") or config["base_dim"]),
        spatial_compression=int(config.get("scale_factor_spatial") or 8),
        temporal_compression=int(config.get("scale_factor_temporal") or 4),
    )


class FactsCache:
    """``ModelFacts`` per pipeline folder, read once (pipeline folders do not change once complete)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts: dict[Path, ModelFacts] = {}

    def get(self, folder: Path) -> ModelFacts:
        with self._lock:
            if folder in self._facts:
                return self._facts[folder]
        facts = self._read(folder)
        with self._lock:
            self._facts[folder] = facts
        return facts

    @staticmethod
    def _read(folder: Path) -> ModelFacts:
        components: dict[str, ComponentFacts] = {}
        denoiser = vae = None
        for name in _components(folder):
            try:
                facts = component_facts(folder / name)
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("cannot read the weights table of %s (%s)", folder / name, exc)
                continue
            if facts is not None:
                components[name] = facts
            if name == "transformer":
                denoiser = denoiser_shape(_config(folder / name))
            elif name == "vae":
                vae = vae_shape(_config(folder / name))
        return ModelFacts(components, denoiser, vae)
