"""Before serving: the default model's pipeline code is imported and the start-up heap frozen."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.engine.warmup import import_pipeline_code
from studio.server import settle_heap

_FRESH = """
import sys
from studio.engine.registry import ModelRegistry
from studio.engine.warmup import import_pipeline_code
assert "diffusers.pipelines.wan.pipeline_wan" not in sys.modules
print(import_pipeline_code(ModelRegistry(offline=True), "wan-demo"))
assert "diffusers.pipelines.wan.pipeline_wan" in sys.modules
assert not any(name.startswith("studio.engine.manager") for name in sys.modules)  # nothing loaded or built
"""


def test_the_default_models_pipeline_module_is_imported_ahead() -> None:
    done = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "WanPipeline"


def test_models_without_a_pipeline_or_unknown_here_import_nothing() -> None:
    registry = ModelRegistry(offline=True)
    assert import_pipeline_code(registry, "motion-warp") is None
    assert import_pipeline_code(registry, "no-such-model") is None
    assert import_pipeline_code(registry, "wan-i2v-demo") == "WanImageToVideoPipeline"


def test_settling_the_heap_leaves_full_collections_only_new_objects() -> None:
    try:
        frozen = settle_heap()
        assert frozen > 10_000
        assert len(gc.get_objects(2)) < frozen // 100
        made_after = [[i] for i in range(1000)]
        gc.collect()
        assert made_after[0] in gc.get_objects(2)  # what comes later is collected as usual
    finally:
        gc.unfreeze()  # the rest of the test session keeps the normal collector


def test_serving_shortens_the_interpreter_switch_interval() -> None:
    from studio.server import share_the_interpreter

    before = sys.getswitchinterval()
    try:
        share_the_interpreter(Settings().switch_interval_ms)
        assert sys.getswitchinterval() == pytest.approx(0.001)
        share_the_interpreter(2.5)
        assert sys.getswitchinterval() == pytest.approx(0.0025)
    finally:
        sys.setswitchinterval(before)


@pytest.mark.parametrize("value", [0, -1, 101, "fast"])
def test_bad_switch_intervals_are_refused_by_name(value) -> None:
    with pytest.raises(ValueError, match="switch_interval_ms"):
        Settings(switch_interval_ms=value)
