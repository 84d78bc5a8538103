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
# a top-level ModuleList entry ("blocks.3.", "vace_blocks.1."): what block-level group offload moves as one group
_BLOCK = re.compile(r"^([A-Za-z_]+\.\d+)\.")
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


def _index(folder: Path) -> dict:
    try:
        index = json.loads((folder / "model_index.json").read_text())
    except (OSError, ValueError):
        return {}
    return index if isinstance(index, dict) else {}


def _components(folder: Path) -> list[str]:
    index = _index(folder)
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


def facts_from_tensors(tensors: Iterable[tuple[str, int]], *, leaf_level: bool) -> ComponentFacts:
    """Parameters of one component from (tensor name, element count) pairs, and its largest offload unit.

    Leaf-level offload (transformers encoders) moves one layer at a time: the largest tensor. Block-level
    offload (diffusers models) moves each top-level block as a group and everything else as one more group
    (a VAE, which has no top-level block list, moves whole).
    """
    total = largest_tensor = 0
    blocks: dict[str, int] = {}
    for name, count in tensors:
        total += count
        largest_tensor = max(largest_tensor, count)
        match = _BLOCK.match(name)
        if match:
            blocks[match.group(1)] = blocks.get(match.group(1), 0) + count
    unit = largest_tensor if leaf_level else max(max(blocks.values(), default=0), total - sum(blocks.values()))
    return ComponentFacts(params_b=total / 1e9, unit_params_b=unit / 1e9)


def component_facts(folder: Path, *, leaf_level: bool) -> ComponentFacts | None:
    """``facts_from_tensors`` of a component folder's safetensors files; None when it has none."""
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    headers = [read_safetensors_header(file) for file in files]
    tensors = ((name, math.prod(info["shape"])) for header in headers for name, info in header.items())
    return facts_from_tensors(tensors, leaf_level=leaf_level)


def _config(folder: Path) -> dict:
    try:
        return json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return {}


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
        index = _index(folder)
        for name in _components(folder):
            try:
                # diffusers offloads transformers models (the encoders) leaf by leaf, its own models by blocks
                facts = component_facts(folder / name, leaf_level=index[name][0] == "transformers")
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("cannot read the weights table of %s (%s)", folder / name, exc)
                continue
            if facts is not None:
                components[name] = facts
            if name == "transformer":
                denoiser = DenoiserShape.from_config(_config(folder / name), per_token_timestep=bool(index.get("expand_timesteps")))
            elif name == "vae":
                vae = VaeShape.from_config(_config(folder / name))
        return ModelFacts(components, denoiser, vae)
