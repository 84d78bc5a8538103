"""ZeroGPU: the GPU work of a job runs inside ``spaces.GPU`` when the ``spaces`` package is there.

On a ZeroGPU Space, ``spaces.GPU`` attaches a GPU for the call's duration and
runs the function in a forked child process. A plain function's callbacks
would then fire in the child, where nobody listens; so the child runs a
*generator* that yields the run's reports (phase, progress, previews) and
finally the result, and the parent replays them to the job's real sink and
checks cancellation between them (closing the generator ends the child's
work). The requested duration comes from the job's time estimate, with a
margin. Without ``spaces`` (or off ZeroGPU, where ``spaces.GPU`` returns the
function unchanged) the studio runs exactly as it does anywhere else.
"""

from __future__ import annotations

import importlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from studio.errors import JobCanceledError
from studio.jobs.relay import REPORT_KINDS, QueueSink, relay
from studio.types import GenerationRequest, GenerationResult, KeyframeConditions, ProgressSink

#: shortest and longest GPU lease asked for, in seconds (ZeroGPU caps a call's duration).
MIN_DURATION_S = 30
MAX_DURATION_S = 300
_MARGIN = 1.5
_LOADING_S = 20.0


def load_spaces() -> Any | None:
    """The ``spaces`` module, or None when it is not installed (not on a Space)."""
    try:
        return importlib.import_module("spaces")
    except ImportError:
        return None


def gpu_duration_s(request: GenerationRequest, estimate_s: Callable[[GenerationRequest], float | None] | None) -> int:
    """Seconds of GPU to ask for: the estimate with a margin, or a size-based guess when there is none."""
    seconds = estimate_s(request) if estimate_s is not None else None
    if seconds is None:
        # ~0.02 s per step per 480p frame-block on a ZeroGPU H200 slice, plus loading: a generous guess
        blocks = request.num_frames * request.width * request.height / (81 * 832 * 480)
        seconds = _LOADING_S + request.steps * max(0.5, 30.0 * blocks)
    return int(min(MAX_DURATION_S, max(MIN_DURATION_S, seconds * _MARGIN)))


class ZeroGPUExecutor:
    """An ``Executor`` whose runs happen inside ``spaces.GPU`` (see the module docstring)."""

    def __init__(self, inner: Any, spaces: Any, estimate_s: Callable[[GenerationRequest], float | None] | None = None) -> None:
        self._inner = inner
        self._estimate_s = estimate_s
        self._gpu_generate = spaces.GPU(self._generate, duration=self._duration)

    def _duration(self, request: GenerationRequest, seed: int, cancel: threading.Event,
                  keyframes: KeyframeConditions | None = None) -> int:  # fmt: skip
        return gpu_duration_s(request, self._estimate_s)

    def _generate(self, request: GenerationRequest, seed: int, cancel: threading.Event,
                  keyframes: KeyframeConditions | None = None) -> Iterator[tuple[str, Any]]:  # fmt: skip
        """Runs in the GPU process: the inner run in a thread, its reports yielded as they come."""
        reports: queue.Queue = queue.Queue()

        def target() -> None:
            extra = () if keyframes is None else (keyframes,)
            try:
                reports.put(("result", self._inner.run(request, seed, QueueSink(reports, cancel), *extra)))
            except BaseException as exc:  # handed to the parent, which raises it in the job
                reports.put(("error", exc))

        threading.Thread(target=target, name="zerogpu-run", daemon=True).start()
        while True:
            kind, payload = reports.get()
            yield kind, payload
            if kind in ("result", "error"):
                return

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
            keyframes: KeyframeConditions | None = None) -> GenerationResult:  # fmt: skip
        cancel = threading.Event()
        # keyframe mode's model fill-in: the keyframes travel into the GPU process with the request
        reports = self._gpu_generate(request, seed, cancel, keyframes)
        try:
            for kind, payload in reports:
                if sink.is_canceled():
                    cancel.set()
                    raise JobCanceledError("canceled")
                if kind in REPORT_KINDS:
                    relay(kind, payload, sink)
                elif kind == "error":
                    raise payload
                else:
                    return payload
        finally:
            reports.close()
        raise RuntimeError("the GPU process ended without a result")


def wrap_for_zerogpu(executor: Any, estimate_s: Callable[[GenerationRequest], float | None] | None = None) -> Any:
    """``executor`` wrapped for ZeroGPU when ``spaces`` is importable; otherwise ``executor`` itself."""
    spaces = load_spaces()
    return executor if spaces is None else ZeroGPUExecutor(executor, spaces, estimate_s)
