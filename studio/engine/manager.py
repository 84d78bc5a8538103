"""The model manager: loaded pipelines, kept under a memory budget, loaded without blocking the studio."""

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
from studio.engine.estimator import Budget, Clip, Estimator
from studio.engine.external import load_components
from studio.engine.memory import POLICIES, OffloadPolicy, RunEstimate
from studio.engine.model_files import ModelFacts
from studio.engine.placement import measure, place, place_shared
from studio.engine.registry import ExtraComponent, ModelRegistry, ModelSpec
from studio.engine.step_times import StepTimes
from studio.errors import InvalidRequestError, ModelLoadError
from studio.types import GenerationRequest

logger = logging.getLogger(__name__)

#: ``load(spec, mode, class_name, sibling_pipeline, on_status) -> pipeline``; a test passes a fake.
LoadFn = Callable[[ModelSpec, str, str, object | None, Callable[[str], None]], object]


@dataclass
class _Group:
    """One model's loaded components, shared by its modes (``from_pipe``): memory and offload policy
    are counted once here, and only freed when the last mode goes."""

    spec: ModelSpec
    facts: ModelFacts
    size_gb: float
    policy: OffloadPolicy
    pipelines: dict[str, object] = field(default_factory=dict)
    in_use: int = 0
    last_used: float = field(default_factory=time.monotonic)


class _PendingLoad:
    """One in-flight load of a model; others asking for the model wait on it."""

    def __init__(self, mode: str, reserved_gb: float) -> None:
        self.mode = mode
        self.reserved_gb = reserved_gb
        self.status = "starting"
        self.started = time.monotonic()
        self._done = threading.Event()
        self._error: BaseException | None = None

    def finish(self, error: BaseException | None = None) -> None:
        self._error = error
        self._done.set()

    def wait(self) -> None:
        """Block until the load ends; re-raise its error."""
        self._done.wait()
        if self._error is not None:
            raise self._error


@dataclass(frozen=True)
class LoadedModel:
    """What the Models view shows of one loaded model."""

    key: str
    modes: tuple[str, ...]
    size_gb: float
    policy: OffloadPolicy
    in_use: bool


@dataclass(frozen=True)
class LoadingModel:
    key: str
    mode: str
    status: str
    seconds: float


class ModelManager:
    """A cache of loaded pipelines under a memory budget.

    Policy:
      * one pipeline per (model, mode); modes of one model share components
        through ``from_pipe``, and with them one memory account and one offload
        policy; unloading one mode frees nothing while another holds them;
      * the budget is ``vram_budget_gb`` on an accelerator (0 = all its memory)
        and ``ram_budget_gb`` on the CPU;
      * the offload policy comes from the request's estimate (weights +
        activations + VAE decode, ``engine/memory.py``): the cheapest that fits;
        a later request needing a stricter one reloads the idle model with it;
      * before a load, least-recently-used *idle* models are evicted until the
        new one fits; a model in use is never evicted;
      * loading runs outside the lock: one load per model at a time, others
        asking for it wait (a failed load wakes them with its error); listing,
        estimates and other models stay answerable meanwhile;
      * after an out-of-memory error, ``free_idle`` drops every idle model.
    Thread-safe; the worker thread of a device is the only caller of pipelines.
    """

    def __init__(self, settings: Settings, registry: ModelRegistry, device: DeviceInfo, *,
                 load_fn: LoadFn | None = None) -> None:  # fmt: skip
        self._settings = settings
        self._registry = registry
        self._device = device
        self._groups: OrderedDict[str, _Group] = OrderedDict()
        self._loading: dict[str, _PendingLoad] = {}
        self._lock = threading.Lock()  # guards the two dicts; never held while loading
        self._load_fn: LoadFn = load_fn or self._load
        self._estimator = Estimator(registry, settings.models_dir, StepTimes(settings.data_dir / "step_times.json"))
        self._load_errors: dict[str, str] = {}  # model -> message of its last failed load (guarded by the lock)

    # -- budget and estimates ----------------------------------------------------------------------
    def budget(self) -> Budget:
        """Device memory on an accelerator (``vram_budget_gb``, else all of it), RAM on the CPU.

        Not the free memory: a job running now must not make the next one look too big.
        """
        if not self._device.is_accelerator:
            return Budget(self._settings.ram_budget_gb, "ram")
        total = self._device.total_memory_gb()
        return Budget(self._settings.vram_budget_gb or total or self._settings.ram_budget_gb, "device")

    def _compute_bytes(self) -> int:
        return torch.finfo(self._device.dtype).bits // 8

    def _device_name(self) -> str:
        if self._device.device.type == "cuda" and torch.cuda.is_available():
            return f"cuda:{torch.cuda.get_device_name(self._device.device)}"
        return self._device.device.type

    def estimate(self, request: GenerationRequest) -> RunEstimate:
        """Preflight estimate of ``request`` (memory per part, plan, time); answers during loads."""
        spec = self._registry.resolve(request.model)
        return self._estimate(spec, _clip(request))

    def _estimate(self, spec: ModelSpec, clip: Clip) -> RunEstimate:
        with self._lock:
            group = self._groups.get(spec.key)
            loaded = group.facts if group is not None else None
        return self._estimator.estimate(spec, clip, self.budget(), compute_bytes=self._compute_bytes(),
                                        device_name=self._device_name(), loaded=loaded)  # fmt: skip

    def record_step_times(self, request: GenerationRequest, step_seconds: list[float]) -> None:
        """Fold a finished run's step durations into this device's measurements (refines time estimates)."""
        spec = self._registry.resolve(request.model)
        with self._lock:
            group = self._groups.get(spec.key)
            policy = group.policy if group is not None else "none"
        tokens = self.estimate(request).tokens
        key = StepTimes.key(self._device_name(), spec.key, policy, request.guidance_scale > 1.0, request.step_cache)
        self._estimator.step_times.record(key, tokens, step_seconds)

    # -- cache ----------------------------------------------------------------------------------------
    def loaded(self) -> list[LoadedModel]:
        with self._lock:
            return [LoadedModel(g.spec.key, tuple(g.pipelines), g.size_gb, g.policy, g.in_use > 0) for g in self._groups.values()]

    def load_errors(self) -> dict[str, str]:
        """The message of each model's last failed load (cleared when it loads)."""
        with self._lock:
            return dict(self._load_errors)

    def loading(self) -> list[LoadingModel]:
        now = time.monotonic()
        with self._lock:
            return [LoadingModel(key, p.mode, p.status, now - p.started) for key, p in self._loading.items()]

    @contextmanager
    def use(self, spec: ModelSpec, mode: str, on_status: Callable[[str], None] | None = None,
            request: GenerationRequest | None = None) -> Iterator[Any]:  # fmt: skip
        """Lend the pipeline of ``spec`` for ``mode``, loading it if needed; it cannot be evicted meanwhile.

        The offload policy and VAE tiling follow the estimate of ``request`` (the model's defaults without one).
        """
        family = self._registry.family(spec)
        if mode not in family.pipelines or mode not in spec.modes:
            raise InvalidRequestError(f"model {spec.key!r} does not support mode {mode!r} (supports {', '.join(spec.modes)})")
        d = spec.defaults
        clip = _clip(request) if request is not None else Clip(d.width, d.height, d.num_frames, d.steps, d.guidance_scale)
        estimate = self._estimate(spec, clip)
        group, pipeline = self._acquire(spec, mode, on_status or (lambda _msg: None), estimate)
        try:
            vae = getattr(pipeline, "vae", None)
            if vae is not None and hasattr(vae, "enable_tiling"):
                vae.enable_tiling() if estimate.vae_tiling else vae.disable_tiling()
            yield pipeline
        finally:
            with self._lock:
                group.in_use -= 1
                group.last_used = time.monotonic()

    def _acquire(self, spec: ModelSpec, mode: str, on_status: Callable[[str], None],
                 estimate: RunEstimate) -> tuple[_Group, object]:  # fmt: skip
        while True:
            with self._lock:
                group = self._groups.get(spec.key)
                if group is not None and _stricter(estimate.policy, group.policy) and group.in_use == 0:
                    logger.info("%s needs offload %s for this request (loaded with %s): reloading", spec.key, estimate.policy, group.policy)
                    self._evict(spec.key)
                    group = None
                if group is not None and mode in group.pipelines:
                    self._groups.move_to_end(spec.key)
                    group.in_use += 1
                    return group, group.pipelines[mode]
                pending = self._loading.get(spec.key)
                if pending is None:
                    reserved = 0.0 if group is not None else _reserved_gb(estimate, self._device.is_accelerator)
                    pending = _PendingLoad(mode, reserved)
                    self._make_room(pending.reserved_gb)
                    self._loading[spec.key] = pending
                    if group is not None:
                        group.in_use += 1  # the sibling cannot be evicted while we copy it
                    break
            on_status(f"waiting for {spec.key} ({pending.mode}) to finish loading")
            pending.wait()
        return self._load_outside_lock(spec, mode, on_status, estimate, group, pending)

    def _load_outside_lock(self, spec: ModelSpec, mode: str, on_status: Callable[[str], None], estimate: RunEstimate,
                           sibling: _Group | None, pending: _PendingLoad) -> tuple[_Group, object]:  # fmt: skip
        def status(message: str) -> None:
            pending.status = message
            on_status(message)

        try:
            class_name = self._registry.pipeline_class(spec, mode)
            if sibling is not None:
                pipeline = self._load_fn(spec, mode, class_name, next(iter(sibling.pipelines.values())), status)
                place_shared(pipeline, sibling.policy, self._device.device)
            else:
                pipeline = self._load_fn(spec, mode, class_name, None, status)
                facts, size_gb = measure(pipeline)
                place(pipeline, estimate.policy, self._device.device)
        except BaseException as exc:
            with self._lock:
                self._loading.pop(spec.key, None)
                if sibling is not None:
                    sibling.in_use -= 1
                self._load_errors[spec.key] = str(exc)
            pending.finish(exc)
            raise
        with self._lock:
            if sibling is not None:
                group = sibling  # keeps its pin: it is now in use by this caller
            else:
                group = _Group(spec, facts, size_gb, estimate.policy, in_use=1)
                self._groups[spec.key] = group
                logger.info("loaded %s/%s: %.2f GB, offload %s", spec.key, mode, size_gb, estimate.policy)
            group.pipelines[mode] = pipeline
            self._loading.pop(spec.key, None)
            self._load_errors.pop(spec.key, None)
        pending.finish()
        return group, pipeline

    def _make_room(self, needed_gb: float) -> None:
        """Evict least-recently-used idle models until ``needed_gb`` more fits (called with the lock held).

        The budget is ``budget()``: RAM on the CPU, device memory on an accelerator.
        """
        accelerator = self._device.is_accelerator

        def held() -> float:
            loads = sum(p.reserved_gb for p in self._loading.values())
            return loads + sum(_group_held(g, accelerator) for g in self._groups.values())

        budget = self.budget().gb
        for key in list(self._groups):
            if held() + needed_gb <= budget:
                return
            if self._groups[key].in_use == 0:
                self._evict(key)

    def _evict(self, key: str) -> None:
        group = self._groups.pop(key)
        logger.info("evicting %s (%.2f GB, modes %s)", key, group.size_gb, ", ".join(group.pipelines))
        group.pipelines.clear()
        del group
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def unload(self, key: str, mode: str | None = None) -> int:
        """Drop the idle pipelines of model ``key`` (one ``mode``, or all); returns how many were dropped.

        The shared components' memory is freed only with the model's last mode.
        """
        with self._lock:
            group = self._groups.get(key)
            if group is None or group.in_use > 0:
                return 0
            if mode is not None and len(group.pipelines) > 1:
                return 1 if group.pipelines.pop(mode, None) is not None else 0
            count = len(group.pipelines) if mode is None or mode in group.pipelines else 0
            if count:
                self._evict(key)
            return count

    def free_idle(self) -> None:
        """Drop every idle model (used after an out-of-memory error)."""
        with self._lock:
            for key in [k for k, g in self._groups.items() if g.in_use == 0]:
                self._evict(key)

    def load_in_background(self, spec: ModelSpec, mode: str) -> threading.Thread:
        """Load ``spec`` for ``mode`` in a thread (the Models tab); progress in ``loading()``, errors in ``load_errors()``."""

        def run() -> None:
            try:
                with self.use(spec, mode):
                    pass
            except Exception:  # kept in load_errors() for the Models tab; the studio goes on
                logger.exception("background load of %s failed", spec.key)

        thread = threading.Thread(target=run, name=f"load-{spec.key}", daemon=True)
        thread.start()
        return thread

    # -- loading ----------------------------------------------------------------------------------------
    def _source(self, spec: ModelSpec, on_status: Callable[[str], None]) -> str | Path:
        if spec.demo:
            on_status(f"preparing demo model {spec.key} (random weights)")
            return ensure_demo(self._settings.models_dir, spec)
        assert spec.source is not None
        return spec.source

    def _load(self, spec: ModelSpec, mode: str, class_name: str, sibling: object | None, on_status: Callable[[str], None]) -> object:
        import diffusers

        pipeline_cls = getattr(diffusers, class_name)
        if sibling is not None:
            on_status(f"sharing components of {spec.key} for {mode}")
            return pipeline_cls.from_pipe(sibling)
        source = self._source(spec, on_status)
        on_status(f"loading {spec.key}")
        try:
            extra = {name: self._extra_component(spec, name, part) for name, part in spec.extra_components.items()}
            parts = {} if spec.demo else load_components(spec, self._device.component_dtypes(), self._settings.offline)
            return pipeline_cls.from_pretrained(
                source,
                dtype=self._device.component_dtypes(self._registry.family(spec).float32_components),
                revision=spec.revision,
                local_files_only=self._settings.offline or spec.demo,
                **extra,
                **parts,
            )
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"could not load model {spec.key!r} from {source}: {exc}") from exc

    def _extra_component(self, spec: ModelSpec, name: str, part: ExtraComponent) -> object:
        """A component from its own repository (AnimateDiff's motion adapter), in the dtype its name gets."""
        import diffusers

        cls = getattr(diffusers, part.class_name)
        kwargs: dict[str, Any] = {"local_files_only": self._settings.offline, **part.config}
        if part.subfolder:
            kwargs["subfolder"] = part.subfolder
        if issubclass(cls, diffusers.ModelMixin):
            dtypes = self._device.component_dtypes(self._registry.family(spec).float32_components)
            kwargs["dtype"] = dtypes.get(name, dtypes["default"]) if isinstance(dtypes, dict) else dtypes
        return cls.from_pretrained(part.source, **kwargs)

    def source_path(self, spec: ModelSpec) -> str:
        """Where ``spec``'s weights come from, for metadata (demo folders included)."""
        if spec.demo:
            from studio.engine.demo import demo_folder

            return str(demo_folder(self._settings.models_dir, spec))
        return str(spec.source)


def _clip(request: GenerationRequest) -> Clip:
    """What the estimate of ``request`` depends on; in keyframe mode with the model fill-in, its biggest pass:
    the whole clip with one latent frame of condition tokens per keyframe after the first."""
    conditions = 0
    if request.keyframe_fill == "model" and request.keyframe_factor > 1:
        conditions = (request.num_frames - 1) // request.keyframe_factor
    return Clip(request.width, request.height, request.num_frames, request.steps, request.guidance_scale,
                request.step_cache, conditions)  # fmt: skip


def _stricter(wanted: OffloadPolicy, current: OffloadPolicy) -> bool:
    return POLICIES.index(wanted) > POLICIES.index(current)


def _reserved_gb(estimate: RunEstimate, accelerator: bool) -> float:
    """What a load about to start will hold of the budget ``_make_room`` guards (see ``_group_held``)."""
    if accelerator and estimate.policy != "none":
        return 0.0
    return estimate.weights_gb


def _group_held(group: _Group, accelerator: bool) -> float:
    """What a model holds of the budget ``_make_room`` guards: RAM on the CPU, device memory on an accelerator
    (offloaded models keep their weights in RAM, not on the device)."""
    if accelerator and group.policy != "none":
        return 0.0
    return group.size_gb
