"""Fakes for the model manager: a device with a chosen budget, pipelines and a loader that can be held."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import torch

from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ModelSpec
from studio.errors import ModelLoadError


@dataclass(frozen=True)
class FakeDevice:
    """An accelerator as the manager sees it (tensors stay on the CPU)."""

    total_gb: float | None = None
    device: torch.device = torch.device("cpu")
    dtype: torch.dtype = torch.bfloat16
    is_accelerator: bool = True

    def total_memory_gb(self) -> float | None:
        return self.total_gb


class FakePipe:
    """Records how it was placed; ``size`` floats of weights in a ``transformer`` module (0 = no modules)."""

    def __init__(self, size: int = 0, shared: FakePipe | None = None) -> None:
        self.placed: list[str] = []
        if shared is not None:
            self.components = shared.components
        else:
            self.components = {"transformer": torch.nn.Linear(size, 1, bias=False)} if size else {}

    def to(self, _device) -> FakePipe:
        self.placed.append("none")
        return self

    def enable_model_cpu_offload(self, device=None) -> None:
        self.placed.append("model_cpu_offload")

    def enable_sequential_cpu_offload(self, device=None) -> None:
        self.placed.append("sequential_cpu_offload")


class HeldLoader:
    """A ``load_fn`` that blocks until released (a multi-minute load), counting its calls."""

    def __init__(self, size: int = 0, *, fail: bool = False) -> None:
        self.size = size
        self.fail = fail
        self.calls: list[tuple[str, str, bool]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, spec, mode, class_name, sibling, on_status) -> FakePipe:
        self.calls.append((spec.key, mode, sibling is not None))
        on_status(f"loading {spec.key} (fake)")
        self.started.set()
        assert self.release.wait(10), "the test never released the load"
        if self.fail:
            raise ModelLoadError(f"could not load model {spec.key!r}: fake failure")
        return FakePipe(shared=sibling) if sibling is not None else FakePipe(self.size)


def fake_spec(key: str = "fake-wan", **update) -> ModelSpec:
    """A two-mode Wan model with the real 1.3B facts and no files."""
    values = dict(
        key=key, family="wan", label="fake", source="/nonexistent/fake", modes=("t2v", "i2v"),
        components={"transformer": ComponentFacts(1.419, 0.0464), "text_encoder": ComponentFacts(5.68, 1.05),
                    "vae": ComponentFacts(0.127, 0.127)},
        denoiser=DenoiserShape(num_layers=30, num_heads=12, head_dim=128, ffn_dim=8960), vae=VaeShape(),
    )  # fmt: skip
    values.update(update)
    return ModelSpec(**values)  # type: ignore[arg-type]
