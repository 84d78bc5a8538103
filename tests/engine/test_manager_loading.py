"""The manager under concurrency and budgets, with fake loaders and a fake accelerator (no GPU)."""

from __future__ import annotations

import threading

import pytest
import torch

from studio.config import Settings
from studio.engine.demo import ensure_demo
from studio.engine.manager import ModelManager
from studio.engine.placement import place
from studio.engine.registry import ModelRegistry, default_specs
from studio.errors import ModelLoadError
from studio.types import GenerationRequest
from tests.engine.fake_models import FakeDevice, FakePipe, HeldLoader, fake_spec


def _manager(settings: Settings, loader: HeldLoader, device: FakeDevice | None = None, **budget) -> ModelManager:
    registry = ModelRegistry([*default_specs(), fake_spec(), fake_spec("fake-b")], offline=True)
    return ModelManager(settings.model_copy(update=budget), registry, device or FakeDevice(), load_fn=loader)  # type: ignore[arg-type]


def _request(**values) -> GenerationRequest:
    base = dict(prompt="x", model="fake-wan", width=832, height=480, num_frames=81, steps=30)
    return GenerationRequest(**{**base, **values})  # type: ignore[arg-type]


def _use_in_thread(manager: ModelManager, key: str, mode: str, results: list, request=None) -> threading.Thread:
    def run() -> None:
        try:
            with manager.use(manager._registry.resolve(key), mode, request=request) as pipe:
                results.append(pipe)
        except Exception as exc:
            results.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _answers_within(seconds: float, call):
    """Run ``call`` in a thread; fail when it does not return in time (it would be blocked by the load)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, "blocked while a model was loading"
    return out[0]


def test_a_slow_load_blocks_neither_listing_nor_estimates(settings: Settings) -> None:
    loader = HeldLoader(size=1000)
    manager = _manager(settings, loader, vram_budget_gb=80.0)
    results: list = []
    thread = _use_in_thread(manager, "fake-wan", "t2v", results)
    assert loader.started.wait(5)
    assert _answers_within(2, manager.loaded) == []
    loading = _answers_within(2, manager.loading)
    assert [(m.key, m.mode, m.status) for m in loading] == [("fake-wan", "t2v", "loading fake-wan (fake)")]
    estimate = _answers_within(2, lambda: manager.estimate(_request()))
    assert estimate.fits and estimate.policy == "none"
    loader.release.set()
    thread.join(5)
    assert isinstance(results[0], FakePipe) and manager.loading() == []
    assert [(m.key, m.modes, m.in_use) for m in manager.loaded()] == [("fake-wan", ("t2v",), False)]


def test_one_load_per_model_the_others_wait_for_it(settings: Settings) -> None:
    loader = HeldLoader(size=1000)
    manager = _manager(settings, loader, vram_budget_gb=80.0)
    results: list = []
    first = _use_in_thread(manager, "fake-wan", "t2v", results)
    assert loader.started.wait(5)
    second = _use_in_thread(manager, "fake-wan", "t2v", results)
    loader.release.set()
    first.join(5), second.join(5)
    assert len(results) == 2 and results[0] is results[1]
    assert loader.calls == [("fake-wan", "t2v", False)]


def test_a_failed_load_wakes_its_waiters_with_the_error(settings: Settings) -> None:
    loader = HeldLoader(fail=True)
    manager = _manager(settings, loader, vram_budget_gb=80.0)
    results: list = []
    first = _use_in_thread(manager, "fake-wan", "t2v", results)
    assert loader.started.wait(5)
    second = _use_in_thread(manager, "fake-wan", "t2v", results)
    loader.release.set()
    first.join(5), second.join(5)
    assert len(results) == 2 and all(isinstance(r, ModelLoadError) and "fake failure" in str(r) for r in results)
    assert manager.loaded() == [] and manager.loading() == []
    assert "fake failure" in manager.load_errors()["fake-wan"]
    loader.fail = False  # the next attempt loads afresh
    with manager.use(manager._registry.resolve("fake-wan"), "t2v") as pipe:
        assert isinstance(pipe, FakePipe)
    assert "fake-wan" not in manager.load_errors()


def test_modes_share_memory_and_policy_and_unloading_one_frees_nothing(settings: Settings) -> None:
    loader = HeldLoader(size=250_000)  # 1 MB of fp32 weights
    loader.release.set()
    manager = _manager(settings, loader, vram_budget_gb=80.0)
    spec = manager._registry.resolve("fake-wan")
    with manager.use(spec, "t2v") as t2v, manager.use(spec, "i2v") as i2v:
        assert i2v.components is t2v.components  # from_pipe: the same modules
    assert loader.calls == [("fake-wan", "t2v", False), ("fake-wan", "i2v", True)]
    [model] = manager.loaded()
    assert model.modes == ("t2v", "i2v") and model.size_gb == pytest.approx(0.001)
    assert i2v.placed == t2v.placed == ["none"]  # the sibling's policy
    assert manager.unload("fake-wan", "t2v") == 1
    [model] = manager.loaded()
    assert model.modes == ("i2v",) and model.size_gb == pytest.approx(0.001)  # still held by i2v
    assert manager.unload("fake-wan") == 1 and manager.loaded() == []


def test_shared_memory_is_counted_once_against_the_budget(settings: Settings) -> None:
    loader = HeldLoader(size=250_000)
    loader.release.set()
    # CPU: the RAM budget holds one fake model (1 MB) but not two
    manager = _manager(settings, loader, FakeDevice(is_accelerator=False, dtype=torch.float32), ram_budget_gb=0.0015)
    spec, other = manager._registry.resolve("fake-wan"), manager._registry.resolve("fake-b")
    with manager.use(spec, "t2v"):
        pass
    with manager.use(spec, "i2v"):  # shares: nothing to evict
        pass
    assert [m.modes for m in manager.loaded()] == [("t2v", "i2v")]
    with manager.use(other, "t2v"):  # does not fit next to fake-wan: the idle one goes, both modes at once
        pass
    assert [m.key for m in manager.loaded()] == ["fake-b"]


def test_the_policy_follows_the_request_estimate_and_tightens_by_reloading(settings: Settings) -> None:
    loader = HeldLoader()  # no modules: the registry's real 1.3B facts drive the estimates
    loader.release.set()
    manager = _manager(settings, loader, vram_budget_gb=20.0)
    spec = manager._registry.resolve("fake-wan")
    small, big = _request(width=480, height=272, num_frames=33), _request(width=1280, height=720, num_frames=161)
    assert manager.estimate(small).policy == "none"
    assert manager.estimate(big).policy == "model_cpu_offload"  # 14.7 GB of weights fit, + 9.5 GB of activations do not
    with manager.use(spec, "t2v", request=small) as first:
        assert first.placed == ["none"]
    with manager.use(spec, "t2v", request=big) as second:
        assert second is not first and second.placed == ["model_cpu_offload"]
    with manager.use(spec, "t2v", request=small) as third:
        assert third is second  # a looser policy is good enough: no reload
    assert len(loader.calls) == 2


def test_group_offload_moves_encoders_leaf_by_leaf_and_the_transformer_by_blocks(settings: Settings) -> None:
    from diffusers import WanPipeline

    registry = ModelRegistry(offline=True)
    folder = ensure_demo(settings.models_dir, registry.resolve("wan-demo"))
    pipe = WanPipeline.from_pretrained(folder)
    place(pipe, "group_offload", torch.device("cpu"))

    def hooked(module: torch.nn.Module) -> bool:
        registry = getattr(module, "_diffusers_hook", None)
        return registry is not None and "group_offloading" in registry.hooks

    assert hooked(pipe.text_encoder.encoder.block[0].layer[0].SelfAttention.q)  # a leaf of UMT5
    assert hooked(pipe.transformer.blocks[0]) and not hooked(pipe.transformer.blocks[0].ffn)  # a block per group
    out = pipe(prompt="a cat", height=32, width=32, num_frames=5, num_inference_steps=1, output_type="np")
    assert out.frames.shape == (1, 5, 32, 32, 3)
