"""ZeroGPU wrapping, tested with a stand-in ``spaces`` module that records the calls."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from studio.errors import JobCanceledError, OutOfMemoryError
from studio.hosting import zerogpu
from studio.hosting.zerogpu import (
    MAX_DURATION_S,
    MIN_DURATION_S,
    ZeroGPUExecutor,
    gpu_duration_s,
    wrap_for_zerogpu,
)
from studio.types import GenerationRequest, GenerationResult, KeyframeConditions, Phase


class _StandInSpaces(types.ModuleType):
    """Records ``spaces.GPU(fn, duration=...)`` and every call's computed duration; runs fn in process."""

    def __init__(self) -> None:
        super().__init__("spaces")
        self.decorated: list[Any] = []
        self.durations: list[int] = []

    def GPU(self, fn, duration=None):  # noqa: N802 - the real API's name
        self.decorated.append(fn)

        def call(*args):
            self.durations.append(duration(*args) if callable(duration) else duration)
            return fn(*args)

        return call


class _Sink:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.events: list[tuple] = []
        self._cancel_after = cancel_after

    def phase(self, phase: Phase, message: str = "") -> None:
        self.events.append(("phase", phase, message))

    def progress(self, step: int, total_steps: int) -> None:
        self.events.append(("progress", step, total_steps))

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        self.events.append(("preview", len(images), list(frame_indices), step))

    def is_canceled(self) -> bool:
        return self._cancel_after is not None and len(self.events) >= self._cancel_after


class _Runner:
    """Reports like the engine's runner; records whether it saw cancellation."""

    def __init__(self, fail: Exception | None = None, step_s: float = 0.0) -> None:
        self.fail = fail
        self.step_s = step_s
        self.saw_cancel = False

    def run(self, request: GenerationRequest, seed: int, sink) -> GenerationResult:
        sink.phase(Phase.LOADING, "loading")
        for step in range(1, request.steps + 1):
            if sink.is_canceled():
                self.saw_cancel = True
                raise JobCanceledError("canceled")
            time.sleep(self.step_s)
            sink.progress(step, request.steps)
            sink.preview([np.zeros((4, 4, 3), np.uint8)], [0], step)
        if self.fail is not None:
            raise self.fail
        frames = np.zeros((5, 8, 8, 3), np.uint8)
        return GenerationResult(frames=frames, fps=8, seed=seed, width=8, height=8, num_frames=5, model_key="m", model_source="s")


def _request(**kw) -> GenerationRequest:
    return GenerationRequest(**{"prompt": "x", "width": 64, "height": 48, "num_frames": 5, "steps": 3, **kw})


def test_without_spaces_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zerogpu, "load_spaces", lambda: None)
    runner = _Runner()
    assert wrap_for_zerogpu(runner) is runner


def test_with_spaces_the_run_goes_through_spaces_gpu_and_reports_reach_the_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = _StandInSpaces()
    monkeypatch.setitem(sys.modules, "spaces", stand_in)
    executor = wrap_for_zerogpu(_Runner(), estimate_s=lambda request: 40.0)
    assert isinstance(executor, ZeroGPUExecutor)
    sink = _Sink()
    result = executor.run(_request(), 11, sink)
    assert result.seed == 11 and result.num_frames == 5
    assert len(stand_in.decorated) == 1 and stand_in.durations == [60]  # the estimate x 1.5
    kinds = [e[0] for e in sink.events]
    assert kinds == ["phase", "progress", "preview", "progress", "preview", "progress", "preview"]
    assert sink.events[-1] == ("preview", 1, [0], 3)


def test_errors_in_the_gpu_call_reach_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spaces", _StandInSpaces())
    executor = wrap_for_zerogpu(_Runner(fail=OutOfMemoryError("out of memory on cuda")))
    with pytest.raises(OutOfMemoryError, match="out of memory"):
        executor.run(_request(), 1, _Sink())


def test_cancel_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spaces", _StandInSpaces())
    runner = _Runner(step_s=0.02)
    executor = wrap_for_zerogpu(runner)
    with pytest.raises(JobCanceledError):
        executor.run(_request(steps=50), 1, _Sink(cancel_after=3))
    # in process the run itself sees the flag too, instead of running on unobserved
    deadline = time.monotonic() + 5
    while not runner.saw_cancel and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.saw_cancel


def test_duration_from_the_estimate_or_the_size() -> None:
    assert gpu_duration_s(_request(), lambda r: 100.0) == 150
    assert gpu_duration_s(_request(), lambda r: 1.0) == MIN_DURATION_S
    assert gpu_duration_s(_request(), lambda r: 10_000.0) == MAX_DURATION_S
    small = gpu_duration_s(GenerationRequest(prompt="x", width=832, height=480, num_frames=17, steps=10), None)
    large = gpu_duration_s(GenerationRequest(prompt="x", width=832, height=480, num_frames=81, steps=30), None)
    assert MIN_DURATION_S <= small < large <= MAX_DURATION_S


class _KeyframeRunner(_Runner):
    """Takes keyframes like the engine's runner (keyframe mode's model fill-in) and records them."""

    def __init__(self) -> None:
        super().__init__()
        self.keyframes: list[KeyframeConditions | None] = []

    def run(self, request: GenerationRequest, seed: int, sink, keyframes: KeyframeConditions | None = None) -> GenerationResult:
        self.keyframes.append(keyframes)
        return super().run(request, seed, sink)


def test_keyframes_for_a_model_fill_in_reach_the_run_in_the_gpu_process(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = _StandInSpaces()
    monkeypatch.setitem(sys.modules, "spaces", stand_in)
    runner = _KeyframeRunner()
    executor = wrap_for_zerogpu(runner, estimate_s=lambda request: 40.0)
    keyframes = KeyframeConditions(frames=np.full((3, 8, 8, 3), 7, np.uint8), indices=(0, 2, 4))
    result = executor.run(_request(), 2, _Sink(), keyframes)
    executor.run(_request(), 2, _Sink())  # a plain run passes none
    assert result.num_frames == 5 and runner.keyframes == [keyframes, None]
    assert stand_in.durations == [60, 60]
