"""A run's reports carried across a boundary (a ZeroGPU process, a Ray actor) as ``(kind, args)`` items.

``QueueSink`` is the ``ProgressSink`` a run reports to on the far side: each
report becomes an item on a queue; ``relay`` hands an item to the job's own
sink on this side. Both ends are written once for every executor that runs
generations somewhere else.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from studio.types import Phase, ProgressSink, SegmentSink

#: the report kinds a run makes (a result or an error ends the stream; executors add their own kinds).
REPORT_KINDS = ("phase", "progress", "preview", "segment")


class QueueSink:
    """Every report of a run as an item ``(kind, args)`` on ``out``; canceled when ``cancel`` is set."""

    def __init__(self, out: queue.Queue, cancel: threading.Event) -> None:
        self._out = out
        self._cancel = cancel

    def phase(self, phase: Phase, message: str = "") -> None:
        self._out.put(("phase", (phase, message)))

    def progress(self, step: int, total_steps: int) -> None:
        self._out.put(("progress", (step, total_steps)))

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        self._out.put(("preview", ([np.asarray(i) for i in images], list(frame_indices), step)))

    def segment(self, frames: Any, index: int, total: int, fps: int) -> None:
        self._out.put(("segment", (np.asarray(frames), index, total, fps)))

    def is_canceled(self) -> bool:
        return self._cancel.is_set()


def relay(kind: str, args: tuple, sink: ProgressSink) -> None:
    """Hand one report to ``sink`` (a segment only to a sink that shows them)."""
    if kind == "segment":
        if isinstance(sink, SegmentSink):
            sink.segment(*args)
        return
    getattr(sink, kind)(*args)
