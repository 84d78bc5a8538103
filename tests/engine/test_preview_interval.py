"""``preview_min_interval_ms``: previews no closer than the interval, the first and the last step's always."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.types import GenerationRequest
from tests.engine.recording_sink import RecordingSink


class _SlowSink(RecordingSink):
    """Each step takes at least ``seconds`` longer (the report is in the step's callback)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = seconds

    def progress(self, step: int, total_steps: int) -> None:
        time.sleep(self._seconds)
        super().progress(step, total_steps)


def _preview_steps(settings: Settings, interval_ms: float, sink: RecordingSink, steps: int = 5) -> list[int]:
    _device, _manager, runner = build_engine(settings.model_copy(update={"preview_min_interval_ms": interval_ms}),
                                             ModelRegistry(offline=True))  # fmt: skip
    request = GenerationRequest(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=steps)
    runner.run(request, seed=1, sink=sink)
    assert [e[1] for e in sink.events if e[0] == "progress"] == list(range(1, steps + 1))  # progress is never thinned
    return [e[1] for e in sink.events if e[0] == "preview"]


def test_a_long_interval_leaves_the_first_and_the_last_step(settings: Settings) -> None:
    assert _preview_steps(settings, 60_000, RecordingSink()) == [1, 5]


def test_steps_slower_than_the_interval_each_get_their_preview(settings: Settings) -> None:
    assert _preview_steps(settings, 20, _SlowSink(0.03), steps=4) == [1, 2, 3, 4]


def test_by_default_previews_are_a_quarter_second_apart_in_process_and_on_ray_workers() -> None:
    settings = Settings()
    assert settings.preview_min_interval_ms == 250 and settings.ray_preview_min_interval_ms == 250


@pytest.mark.parametrize("field", ["preview_min_interval_ms", "ray_preview_min_interval_ms"])
@pytest.mark.parametrize("value", [-1, 3_600_000])
def test_an_interval_out_of_range_is_refused_naming_the_setting(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})
