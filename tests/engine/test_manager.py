from __future__ import annotations

import pytest

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.demo import demo_folder, ensure_demo
from studio.engine.registry import ModelRegistry, ModelSpec, default_specs
from studio.errors import InvalidRequestError, ModelLoadError


def _registry_with_two_demos() -> ModelRegistry:
    specs = default_specs()
    demo = next(s for s in specs if s.key == "wan-demo")
    return ModelRegistry([*specs, demo.model_copy(update={"key": "wan-demo-b"})], offline=True)


def test_pipelines_are_cached_and_reused(settings: Settings) -> None:
    registry = ModelRegistry(offline=True)
    _device, manager, _runner = build_engine(settings, registry)
    spec = registry.resolve("wan-demo")
    with manager.use(spec, "t2v") as first:
        pass
    with manager.use(spec, "t2v") as second:
        assert second is first
        assert manager.loaded()[0].in_use
    assert not manager.loaded()[0].in_use
    assert manager.loaded()[0].size_gb > 0


def test_least_recently_used_idle_pipeline_is_evicted_under_the_budget(settings: Settings) -> None:
    registry = _registry_with_two_demos()
    tight = settings.model_copy(update={"ram_budget_gb": 1e-9})
    _device, manager, _runner = build_engine(tight, registry)
    a, b = registry.resolve("wan-demo"), registry.resolve("wan-demo-b")
    with manager.use(a, "t2v"):
        pass
    with manager.use(b, "t2v"):
        pass
    assert [m.key for m in manager.loaded()] == ["wan-demo-b"]


def test_a_pipeline_in_use_is_never_evicted(settings: Settings) -> None:
    registry = _registry_with_two_demos()
    tight = settings.model_copy(update={"ram_budget_gb": 1e-9})
    _device, manager, _runner = build_engine(tight, registry)
    a, b = registry.resolve("wan-demo"), registry.resolve("wan-demo-b")
    with manager.use(a, "t2v"), manager.use(b, "t2v"):
        assert sorted(m.key for m in manager.loaded()) == ["wan-demo", "wan-demo-b"]
    assert manager.unload("wan-demo") == 1
    assert [m.key for m in manager.loaded()] == ["wan-demo-b"]


def test_local_folder_loads_through_the_same_path(settings: Settings) -> None:
    registry = ModelRegistry(offline=True)
    folder = ensure_demo(settings.models_dir, registry.resolve("wan-demo"))
    spec = registry.resolve(str(folder))
    _device, manager, _runner = build_engine(settings, registry)
    with manager.use(spec, "t2v") as pipe:
        assert type(pipe).__name__ == "WanPipeline"


def test_demo_build_is_atomic_and_built_once(settings: Settings) -> None:
    spec = ModelRegistry(offline=True).resolve("wan-demo")
    folder = ensure_demo(settings.models_dir, spec)
    marker = folder / ".complete"
    stamp = marker.stat().st_mtime_ns
    assert ensure_demo(settings.models_dir, spec) == folder == demo_folder(settings.models_dir, spec)
    assert marker.stat().st_mtime_ns == stamp
    assert not folder.with_name(folder.name + ".tmp").exists()


def test_unsupported_mode_and_broken_weights_give_clear_errors(settings: Settings, tmp_path) -> None:
    registry = ModelRegistry(offline=True)
    _device, manager, _runner = build_engine(settings, registry)
    with pytest.raises(InvalidRequestError, match="does not support mode 'i2v'"), manager.use(registry.resolve("wan-demo"), "i2v"):
        pass
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text('{"_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"]}')
    spec = ModelSpec(key=str(broken), family="wan", label="broken", source=str(broken))
    with pytest.raises(ModelLoadError, match="could not load model"), manager.use(spec, "t2v"):
        pass
