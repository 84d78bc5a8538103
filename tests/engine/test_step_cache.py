"""Step caches on the Wan demo through the runner: what they skip, and that they are gone afterwards."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.engine.step_cache_rules import cache_threshold
from studio.errors import InvalidRequestError, JobCanceledError
from studio.types import GenerationRequest
from tests.engine.recording_sink import RecordingSink

STEPS = 8


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, shared_model_dir):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), model_dir=shared_model_dir, device="cpu", offline=True)
    _device, manager, runner = build_engine(settings, ModelRegistry(offline=True))
    return settings, manager, runner


@pytest.fixture(scope="module")
def baseline(engine) -> np.ndarray:
    return engine[2].run(_request(), seed=3, sink=RecordingSink()).frames


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=STEPS,
                  guidance_scale=5.0, fps=8)  # fmt: skip
    values.update(overrides)
    return GenerationRequest(**values)


def _transformer(engine):
    spec = ModelRegistry(offline=True).resolve("wan-demo")
    with engine[1].use(spec, "t2v") as pipe:
        return pipe.transformer


def test_taylorseer_predicts_the_passes_its_interval_says(engine, baseline) -> None:
    result = engine[2].run(_request(step_cache="taylorseer", step_cache_threshold=2), seed=3, sink=RecordingSink())
    stats = result.step_cache
    # full passes for steps 0-2, then every second step computed: steps 3, 5, 7 predicted, for both CFG passes
    assert (stats.kind, stats.passes, stats.skipped_passes) == ("taylorseer", 2 * STEPS, 6)
    assert not np.array_equal(result.frames, baseline)
    assert any("skipped 6 of 16" in note for note in result.notes)


def test_first_block_cache_skips_and_is_removed_after_the_job(engine, baseline) -> None:
    result = engine[2].run(_request(step_cache="first_block", step_cache_threshold=0.5), seed=3, sink=RecordingSink())
    assert result.step_cache.passes == 2 * STEPS and 0 < result.step_cache.skipped_passes < 2 * STEPS
    assert not _transformer(engine).is_cache_enabled
    plain = engine[2].run(_request(), seed=3, sink=RecordingSink())
    assert plain.step_cache is None and np.array_equal(plain.frames, baseline)


def test_cache_is_removed_when_the_job_is_canceled(engine, baseline) -> None:
    with pytest.raises(JobCanceledError):
        engine[2].run(_request(step_cache="first_block", step_cache_threshold=0.5), seed=3,
                      sink=RecordingSink(cancel_after_step=2))  # fmt: skip
    assert not _transformer(engine).is_cache_enabled
    assert np.array_equal(engine[2].run(_request(), seed=3, sink=RecordingSink()).frames, baseline)


def test_magcache_calibrates_once_then_skips(engine) -> None:
    settings, _manager, runner = engine
    first = runner.run(_request(step_cache="mag", step_cache_threshold=1.0), seed=3, sink=RecordingSink())
    assert first.step_cache.calibrating and first.step_cache.skipped_passes == 0
    stored = list((settings.models_dir / "mag_ratios").glob("wan-demo-*.json"))
    ratios = json.loads(stored[0].read_text())["ratios"]
    assert len(ratios) == STEPS and ratios[0] == 1.0 and all(r > 0 for r in ratios)
    second = runner.run(_request(step_cache="mag", step_cache_threshold=1.0), seed=3, sink=RecordingSink())
    assert not second.step_cache.calibrating and second.step_cache.skipped_passes > 0


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("first_block", 0.0, "first_block (FirstBlockCache threshold) must be in (0, 1], got 0"),
    ("mag", 1.5, "mag (MagCache threshold) must be in (0, 1], got 1.5"),
    ("taylorseer", 2.5, "must be a whole number in [2, 20], got 2.5"),
    ("taylorseer", 1, "must be a whole number in [2, 20], got 1"),
])  # fmt: skip
def test_threshold_out_of_range_names_cache_value_and_range(kind: str, value: float, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=re.escape(message)):
        cache_threshold(kind, value)


def test_defaults_are_diffusers_defaults() -> None:
    assert (cache_threshold("first_block", None), cache_threshold("mag", None), cache_threshold("taylorseer", None)) == (0.05, 0.06, 5)
