"""LoRAs on the Wan demo through the runner: weights, exact base at weight 0, unloading, bad LoRAs, recipes."""

from __future__ import annotations

import numpy as np
import pytest

from studio.config import Settings
from studio.engine.demo import ensure_demo
from studio.engine.device import resolve_device
from studio.engine.lora_registry import LoraRecipe, LoraRegistry, RegisteredLora
from studio.engine.manager import ModelManager
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.errors import LoraError
from studio.types import GenerationRequest, LoraSpec
from tests.engine.lora_helpers import make_demo_lora, make_foreign_lora, make_shape_mismatch_lora
from tests.engine.recording_sink import RecordingSink

RECIPE = LoraRecipe(steps=4, guidance_scale=1.0, scheduler="FlowMatchEulerDiscreteScheduler",
                    scheduler_config={"shift": 5.0}, sigmas=(1.0, 0.75, 0.5, 0.25))  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, shared_model_dir):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), model_dir=shared_model_dir, device="cpu", offline=True)
    registry = ModelRegistry(offline=True)
    folder = ensure_demo(settings.models_dir, registry.resolve("wan-demo"))
    loras = settings.loras_dir
    make_demo_lora(folder, loras / "style.safetensors", seed=1)
    make_demo_lora(folder, loras / "other.safetensors", seed=2)
    make_shape_mismatch_lora(loras / "wide.safetensors")
    make_foreign_lora(loras / "unet.safetensors")
    distilled = RegisteredLora(key="demo-4step", label="demo 4 steps", repo_id=str(loras), weight_name="style.safetensors",
                               base_models=("wan-demo",), recipe=RECIPE)  # fmt: skip
    lora_registry = LoraRegistry(loras, loras=[distilled])
    device = resolve_device("cpu", "float32")
    manager = ModelManager(settings, registry, device)
    runner = GenerationRunner(settings, registry, manager, device, loras=lora_registry)
    base = runner.run(_request(), seed=5, sink=RecordingSink()).frames
    return settings, manager, runner, base


def _request(*loras: tuple[str, float], **overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=3, guidance_scale=5.0,
                  fps=8, loras=[LoraSpec(source=s, weight=w) for s, w in loras])  # fmt: skip
    values.update(overrides)
    return GenerationRequest(**values)


def _run(setup, *loras: tuple[str, float], **overrides) -> np.ndarray:
    return setup[2].run(_request(*loras, **overrides), seed=5, sink=RecordingSink()).frames


def _pipe(setup):
    with setup[1].use(ModelRegistry(offline=True).resolve("wan-demo"), "t2v") as pipe:
        return pipe


def test_output_follows_the_weight_and_weight_zero_is_exactly_the_base(setup) -> None:
    base = setup[3]
    full, half, zero = (_run(setup, ("style.safetensors", w)) for w in (1.0, 0.5, 0.0))
    assert not np.array_equal(full, base) and not np.array_equal(half, base) and not np.array_equal(full, half)
    assert np.abs(full.astype(int) - base).mean() > np.abs(half.astype(int) - base).mean()
    assert np.array_equal(zero, base)


def test_a_job_without_loras_runs_the_unloaded_base_model(setup) -> None:
    _run(setup, ("style.safetensors", 1.0))
    assert _pipe(setup).get_list_adapters()
    assert np.array_equal(_run(setup), setup[3])
    assert not any(_pipe(setup).get_list_adapters().values())


def test_several_loras_at_once_and_adapters_are_reused(setup) -> None:
    one = _run(setup, ("style.safetensors", 1.0))
    both = _run(setup, ("style.safetensors", 1.0), ("other.safetensors", 1.0))
    assert sorted(len(v) for v in _pipe(setup).get_list_adapters().values()) == [2]
    assert not np.array_equal(one, both)
    assert np.array_equal(_run(setup, ("style.safetensors", 1.0)), one)  # the stale adapter is deleted, not mixed in


@pytest.mark.parametrize(("name", "message"), [
    ("wide.safetensors", "LoRA 'wide.safetensors' could not be applied to model 'wan-demo': its layer shapes do not match"),
    ("unet.safetensors", "LoRA 'unet.safetensors' matches no layer of model 'wan-demo'"),
    ("gone.safetensors", "LoRA file 'gone.safetensors' not found in the LoRA folder"),
])  # fmt: skip
def test_a_bad_lora_fails_with_its_name_and_the_next_job_is_fine(setup, name: str, message: str) -> None:
    with pytest.raises(LoraError, match=message):
        _run(setup, (name, 1.0))
    assert not any(_pipe(setup).get_list_adapters().values())
    assert np.array_equal(_run(setup), setup[3])


def test_a_distilled_lora_runs_with_its_scheduler_and_sigmas_then_the_pipeline_gets_its_own_back(setup) -> None:
    pipe = _pipe(setup)
    own = type(pipe.scheduler).__name__
    seen: list[float] = []
    handle = pipe.transformer.register_forward_pre_hook(lambda _m, _a, kw: seen.append(float(kw["timestep"][0])), with_kwargs=True)
    try:
        result = setup[2].run(_request(("demo-4step", 1.0), steps=4, guidance_scale=1.0), seed=5, sink=RecordingSink())
    finally:
        handle.remove()
    # lightx2v's schedule: sigmas 1, .75, .5, .25 shifted by 5 -> t = 1000 * 5s / (1 + 4s); one pass per step without CFG
    assert seen == pytest.approx([1000.0, 937.5, 833.333, 625.0], abs=0.01)
    assert any("FlowMatchEulerDiscreteScheduler" in n for n in result.notes)
    assert type(pipe.scheduler).__name__ == own == "UniPCMultistepScheduler"


def test_a_registered_lora_for_another_model_is_refused(setup) -> None:
    with pytest.raises(LoraError, match="LoRA 'lightx2v-wan2.1-t2v-14b-4step' is made for .*not for model 'wan-demo'"):
        LoraRegistry(setup[0].loras_dir).resolve(LoraSpec(source="lightx2v-wan2.1-t2v-14b-4step"), ("wan-demo",))

