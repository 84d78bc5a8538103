"""The bare pipeline call the benchmarks compare the studio with: the family adapter's arguments, nothing else.

Imports no more of the studio than the engine's adapters, so it also runs where the job layer's
dependencies are not installed (a lent GPU machine).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from studio.engine.adapters import load_adapter
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.types import GenerationRequest


def bare_run(pipe, registry: ModelRegistry, spec: ModelSpec, request: GenerationRequest, guide,
             sync: Callable[[], None] = lambda: None) -> float:  # fmt: skip
    """Seconds of one call of ``pipe`` with the adapter's arguments; ``sync`` waits for the device (CUDA)."""
    adapter = load_adapter(registry.adapter_path(spec))
    extra: dict = {}
    if guide is not None:  # as the runner conditions on the guide: a control video, else the image
        steering = registry.steering(spec)
        extra = adapter.control_kwargs(pipe, request, guide) if "control" in steering else adapter.image_kwargs(pipe, request, guide)
    sync()
    started = time.perf_counter()
    with adapter.prepared(pipe, request):  # per-call pipeline state (HunyuanVideo 1.5's guider scale)
        pipe(**adapter.call_kwargs(pipe, request), **extra, **registry.call_kwargs(spec),
             generator=torch.Generator("cpu").manual_seed(request.seed), output_type="np")  # fmt: skip
    sync()
    return time.perf_counter() - started
