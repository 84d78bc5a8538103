"""The model manager: loaded pipelines, kept under a memory budget."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from studio.config import Settings
from studio.engine.demo import ensure_demo
from studio.engine.device import DeviceInfo
from studio.engine.memory import (
    MemoryEstimate,
    OffloadPolicy,
    choose_offload_policy,
    estimate_activations_gb,
    needs_vae_tiling,
)
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.errors import InvalidRequestError, ModelLoadError

logger = logging.getLogger(__name__)


@dataclass
class _Entry:
    spec: ModelSpec
    mode: str
    pipeline: object
    size_gb: float
    largest_gb: float
    policy: OffloadPolicy
    in_use: int = 0
    last_used: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class LoadedModel:
    """What the Models view shows of one cached pipeline."""

    key: str
    mode: str
    size_gb: float
    policy: OffloadPolicy
    in_use: bool


def _module_gb(module: object) -> float:
    params = getattr(module, "parameters", None)
    if params is None:
        return 0.0
    return sum(p.numel() * p.element_size() for p in params()) / 1e9


class ModelManager:
    """A cache of loaded pipelines under a memory budget.

    Policy:
      * one pipeline per (model, mode); modes of one model share components
        through ``from_pipe`` and count once;
      * the budget is ``vram_budget_gb`` on an accelerator (0 = the device's free
        memory when loading) and ``ram_budget_gb`` on the CPU;
      * before a load, least-recently-used *idle* pipelines are evicted until
        the new one's estimate fits; a pipeline in use is never evicted;
      * a pipeline bigger than the budget still loads, with the cheapest
        offload policy that fits (see ``choose_offload_policy``);
      * after an out-of-memory error, ``free_idle`` drops every idle pipeline.
    Thread-safe; the worker thread of a device is the only caller of pipelines.
    """

    def __init__(self, settings: Settings, registry: ModelRegistry, device: DeviceInfo) -> None:
        self._settings = settings
        self._registry = registry
        self._device = device
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.RLock()

    # -- budget -----------------------------------------------------------------
    def budget_gb(self) -> float | None:
        """The device budget in GB; None when the device is the CPU (RAM budget applies)."""
        if not self._device.is_accelerator:
            return None
        if self._settings.vram_budget_gb > 0:
            return self._settings.vram_budget_gb
        free = self._device.free_memory_gb()
        return None if free is None else free + self._cached_gb()

    def _cached_gb(self) -> float:
        return sum(e.size_gb for e in self._entries.values() if e.policy == "none")

    def estimate(self, spec: ModelSpec, width: int, height: int, num_frames: int) -> MemoryEstimate:
        """Memory a generation is expected to need, and the policy it would run with."""
        weights_gb = spec.weights_gb
        largest_gb = weights_gb * 0.8  # text encoders dominate; refined after loading
        cached = next((e for e in self._entries.values() if e.spec.key == spec.key), None)
        if cached is not None:
            weights_gb, largest_gb = cached.size_gb, cached.largest_gb
        budget = self.budget_gb()
        bytes_per_value = torch.finfo(self._device.dtype).bits // 8
        activations = estimate_activations_gb(width, height, num_frames, 1536, bytes_per_value)
        policy = choose_offload_policy(weights_gb, largest_gb, None if budget is None else budget - activations)
        return MemoryEstimate(weights_gb, activations, budget, policy, needs_vae_tiling(activations, budget))

    # -- cache ------------------------------------------------------------------
    def loaded(self) -> list[LoadedModel]:
        with self._lock:
            return [LoadedModel(e.spec.key, e.mode, e.size_gb, e.policy, e.in_use > 0) for e in self._entries.values()]

    @contextmanager
    def use(self, spec: ModelSpec, mode: str, on_status: Callable[[str], None] | None = None) -> Iterator[Any]:
        """Lend the pipeline of ``spec`` for ``mode``, loading it if needed; it cannot be evicted meanwhile."""
        entry = self._acquire(spec, mode, on_status or (lambda _msg: None))
        try:
            yield entry.pipeline
        finally:
            with self._lock:
                entry.in_use -= 1
                entry.last_used = time.monotonic()

    def _acquire(self, spec: ModelSpec, mode: str, on_status: Callable[[str], None]) -> _Entry:
        family = self._registry.family(spec)
        if mode not in family.pipelines or mode not in spec.modes:
            raise InvalidRequestError(f"model {spec.key!r} does not support mode {mode!r} (supports {', '.join(spec.modes)})")
        with self._lock:
            entry = self._entries.get((spec.key, mode))
            if entry is not None:
                self._entries.move_to_end((spec.key, mode))
                entry.in_use += 1
                return entry
            self._make_room(spec.weights_gb)
            sibling = next((e for e in self._entries.values() if e.spec.key == spec.key), None)
            pipeline = self._load(spec, mode, self._registry.pipeline_class(spec, mode), sibling, on_status)
            entry = self._register(spec, mode, pipeline, shared=sibling is not None)
            entry.in_use += 1
            return entry

    def _register(self, spec: ModelSpec, mode: str, pipeline: object, *, shared: bool) -> _Entry:
        components = getattr(pipeline, "components", {}) or {}
        sizes = [_module_gb(c) for c in components.values()]
        size_gb = 0.0 if shared else sum(sizes)
        largest = max(sizes, default=0.0)
        budget = self.budget_gb()
        policy = choose_offload_policy(size_gb, largest, budget)
        self._place(pipeline, policy)
        if hasattr(pipeline, "set_progress_bar_config"):
            pipeline.set_progress_bar_config(disable=True)  # progress goes through job events
        entry = _Entry(spec, mode, pipeline, size_gb, largest, policy)
        self._entries[(spec.key, mode)] = entry
        logger.info("loaded %s/%s: %.2f GB, offload %s", spec.key, mode, size_gb, policy)
        return entry

    def _make_room(self, needed_gb: float) -> None:
        budget = self.budget_gb() if self._device.is_accelerator else self._settings.ram_budget_gb
        if budget is None:
            return
        for key in list(self._entries):
            if self._cached_gb() + needed_gb <= budget:
                return
            if self._entries[key].in_use == 0:
                self._evict(key)

    def _evict(self, key: tuple[str, str]) -> None:
        entry = self._entries.pop(key)
        logger.info("evicting %s/%s (%.2f GB)", entry.spec.key, entry.mode, entry.size_gb)
        del entry
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def unload(self, key: str) -> int:
        """Drop the idle pipelines of model ``key``; returns how many were dropped."""
        with self._lock:
            victims = [k for k, e in self._entries.items() if k[0] == key and e.in_use == 0]
            for victim in victims:
                self._evict(victim)
            return len(victims)

    def free_idle(self) -> None:
        """Drop every idle pipeline (used after an out-of-memory error)."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.in_use == 0]:
                self._evict(key)
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()

    # -- loading ----------------------------------------------------------------
    def _source(self, spec: ModelSpec, on_status: Callable[[str], None]) -> str | Path:
        if spec.demo:
            on_status(f"preparing demo model {spec.key} (random weights)")
            return ensure_demo(self._settings.models_dir, spec)
        assert spec.source is not None
        return spec.source

    def _load(self, spec: ModelSpec, mode: str, class_name: str, sibling: _Entry | None, on_status: Callable[[str], None]) -> object:
        import diffusers

        pipeline_cls = getattr(diffusers, class_name)
        if sibling is not None:
            on_status(f"sharing components of {spec.key} for {mode}")
            return pipeline_cls.from_pipe(sibling.pipeline)
        source = self._source(spec, on_status)
        on_status(f"loading {spec.key}")
        try:
            return pipeline_cls.from_pretrained(
                source,
                dtype=self._device.component_dtypes(),
                revision=spec.revision,
                local_files_only=self._settings.offline or spec.demo,
            )
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"could not load model {spec.key!r} from {source}: {exc}") from exc

    def _place(self, pipeline: object, policy: OffloadPolicy) -> None:
        device = self._device.device
        if policy == "none":
            pipeline.to(device)  # type: ignore[attr-defined]
        elif policy == "model_cpu_offload":
            pipeline.enable_model_cpu_offload(device=device)  # type: ignore[attr-defined]
        elif policy == "group_offload":
            pipeline.enable_group_offload(  # type: ignore[attr-defined]
                onload_device=device, offload_device=torch.device("cpu"), offload_type="block_level", num_blocks_per_group=1
            )
        else:
            pipeline.enable_sequential_cpu_offload(device=device)  # type: ignore[attr-defined]
        vae = getattr(pipeline, "vae", None)
        if policy != "none" and vae is not None and hasattr(vae, "enable_tiling"):
            vae.enable_tiling()

    def source_path(self, spec: ModelSpec) -> str:
        """Where ``spec``'s weights come from, for metadata (demo folders included)."""
        if spec.demo:
            from studio.engine.demo import demo_folder

            return str(demo_folder(self._settings.models_dir, spec))
        return str(spec.source)
