"""An executor for jobs-layer tests: reports like the engine (phases, steps) and returns small frames.

It stands in for the engine so the queue, store, worker and events can be
tested alone; it is never used outside tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from studio.errors import JobCanceledError
from studio.types import GenerationRequest, GenerationResult, Phase, ProgressSink


class StubExecutor:
    def __init__(self) -> None:
        self.runs: list[str] = []
        #: set when ``run`` is entered; ``run`` then waits for ``release`` before reporting anything.
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        #: called after each denoising step with the step number and the sink.
        self.on_step: Callable[[int, ProgressSink], object] = lambda step, sink: None
        self._lock = threading.Lock()

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        with self._lock:
            self.runs.append(request.prompt)
        self.entered.set()
        self.release.wait(30)
        sink.phase(Phase.LOADING, "loading stub")
        sink.phase(Phase.ENCODING, "encoding prompt")
        sink.phase(Phase.DENOISING, f"denoising, {request.steps} steps")
        for step in range(1, request.steps + 1):
            if sink.is_canceled():
                raise JobCanceledError("canceled during denoising")
            sink.progress(step, request.steps)
            self.on_step(step, sink)
        sink.phase(Phase.DECODING, "decoding frames")
        frames = np.random.default_rng(seed).integers(0, 255, (request.num_frames, request.height, request.width, 3), dtype=np.uint8)
        return GenerationResult(frames=frames, fps=request.fps, seed=seed, width=request.width, height=request.height,
                                num_frames=request.num_frames, model_key=request.model, model_source="stub",
                                notes=["stub note"])  # fmt: skip
