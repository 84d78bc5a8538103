"""Reports carried across a process boundary: QueueSink on the far side, relay on this one."""

from __future__ import annotations

import queue
import threading

import numpy as np

from studio.jobs.relay import QueueSink, relay
from studio.types import Phase


class _Sink:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def phase(self, phase, message=""):
        self.calls.append(("phase", phase, message))

    def progress(self, step, total_steps):
        self.calls.append(("progress", step, total_steps))

    def preview(self, images, frame_indices, step):
        self.calls.append(("preview", len(images), list(frame_indices), step))

    def is_canceled(self) -> bool:
        return False


class _SegmentSink(_Sink):
    def segment(self, frames, index, total, fps):
        self.calls.append(("segment", frames.shape, index, total, fps))


def _reports(cancel: threading.Event | None = None) -> tuple[QueueSink, queue.Queue]:
    out: queue.Queue = queue.Queue()
    return QueueSink(out, cancel or threading.Event()), out


def test_every_report_crosses_in_order_and_segments_reach_only_sinks_that_show_them() -> None:
    far, out = _reports()
    far.phase(Phase.DENOISING, "denoising")
    far.progress(1, 4)
    far.preview([np.zeros((2, 3, 3), np.uint8)] * 2, (0, 8), 1)
    far.segment(np.zeros((5, 4, 4, 3), np.uint8), 0, 3, 8)
    items = [out.get_nowait() for _ in range(out.qsize())]
    plain, showing = _Sink(), _SegmentSink()
    for kind, args in items:
        relay(kind, args, plain)
        relay(kind, args, showing)
    assert [c[0] for c in plain.calls] == ["phase", "progress", "preview"]
    assert showing.calls == [("phase", Phase.DENOISING, "denoising"), ("progress", 1, 4), ("preview", 2, [0, 8], 1),
                             ("segment", (5, 4, 4, 3), 0, 3, 8)]  # fmt: skip


def test_cancel_is_read_from_the_far_sides_flag() -> None:
    cancel = threading.Event()
    far, _out = _reports(cancel)
    assert not far.is_canceled()
    cancel.set()
    assert far.is_canceled()
