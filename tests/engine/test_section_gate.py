"""``section_min_lead_s``: a long clip's sections are streamed while the rest is far enough off, else noted."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pydantic import ValidationError

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.types import GenerationRequest, GenerationResult
from tests.engine.recording_sink import RecordingSink

# 17-frame windows overlapping by 5: three windows, each of 2 steps; sections 1 and 2 are streamed
REQUEST = GenerationRequest(prompt="a fox runs", model="skyreels-demo", num_frames=33, width=64, height=48, fps=8,
                            steps=2, seed=3)  # fmt: skip


class _SectionSink(RecordingSink):
    """Records sections too; the report of step ``slow_step`` takes ``slow_s`` (counted in the next step's time)."""

    def __init__(self, slow_step: int = 0, slow_s: float = 0.0) -> None:
        super().__init__()
        self._slow_step, self._slow_s = slow_step, slow_s
        self.sections: list[tuple[int, int, int]] = []

    def progress(self, step: int, total_steps: int) -> None:
        if step == self._slow_step:
            time.sleep(self._slow_s)
        super().progress(step, total_steps)

    def segment(self, frames, index: int, total: int, fps: int) -> None:
        self.sections.append((index, total, len(frames)))


def _run(settings: Settings, lead_s: float, sink: RecordingSink) -> GenerationResult:
    _device, _manager, runner = build_engine(settings.model_copy(update={"section_min_lead_s": lead_s}),
                                             ModelRegistry(offline=True))  # fmt: skip
    return runner.run(REQUEST, seed=REQUEST.seed or 0, sink=sink)


def test_every_section_with_no_lead_and_none_when_the_clip_is_always_nearer(settings: Settings) -> None:
    every, none = _SectionSink(), _SectionSink()
    streamed, skipped = _run(settings, 0, every), _run(settings, 1000, none)
    assert every.sections == [(0, 3, 17), (1, 3, 12)] and not any("not streamed" in n for n in streamed.notes)
    assert none.sections == []
    assert [n for n in skipped.notes if "not streamed" in n] == [
        "section(s) 1, 2 of 3 not streamed: the whole clip was due less than 1000 s after each (STUDIO_SECTION_MIN_LEAD_S)"
    ]
    assert np.array_equal(streamed.frames, skipped.frames)  # the gate changes what is shown, never the clip


def test_the_lead_is_estimated_from_the_runs_own_steps(settings: Settings) -> None:
    # step 2 takes >= 1 s (step 1's report sleeps). The first section comes after steps 1 and 2: median >= 0.5 s,
    # 4 steps to go (>= 2 s). The second after steps 1-4: the median is a fast step's, 2 to go (well under 1 s)
    sink = _SectionSink(slow_step=1, slow_s=1.0)
    result = _run(settings, 1.0, sink)
    assert [s[0] for s in sink.sections] == [0]
    assert any(n.startswith("section(s) 2 of 3 not streamed") for n in result.notes)


def test_a_sink_that_shows_no_sections_gets_none(settings: Settings) -> None:
    sink = RecordingSink()  # no ``segment``: nothing is handed to it, and nothing is noted
    result = _run(settings, 0, sink)
    assert result.num_frames == 33 and not any("not streamed" in n for n in result.notes)


def test_by_default_a_section_must_come_three_seconds_before_the_clip() -> None:
    assert Settings().section_min_lead_s == 3.0


@pytest.mark.parametrize("value", [-0.5, 7200])
def test_a_lead_out_of_range_is_refused_naming_the_setting(value: float) -> None:
    with pytest.raises(ValidationError, match="section_min_lead_s"):
        Settings(section_min_lead_s=value)
