"""A finished section of a long video becomes an mp4 in the job folder and a ``segment`` event."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from studio.jobs.events import EventBus
from studio.jobs.reporter import JobReporter
from studio.jobs.store import JobStore
from studio.media.export import probe_video
from studio.types import SegmentSink


def test_segments_are_written_and_published_in_order(tmp_path: Path) -> None:
    bus = EventBus()
    reporter = JobReporter("job1", JobStore(":memory:"), bus, tmp_path, threading.Event())
    assert isinstance(reporter, SegmentSink)
    frames = np.random.default_rng(0).integers(0, 255, (13, 48, 64, 3), dtype=np.uint8)
    with bus.subscribe("job1") as events:
        reporter.segment(frames, 0, 2, 8)
        reporter.segment(frames[:5], 1, 2, 8)
        first, second = events.get(0.5), events.get(0.5)
    assert (first.kind, first.segment_index, first.segment_total) == ("segment", 0, 2)
    assert second.segment_index == 1 and "2 of 2" in second.message
    assert probe_video(first.output_path) == (13, 64, 48) and probe_video(second.output_path)[0] == 5
    assert Path(first.output_path).parent == tmp_path / "segments"


def test_a_section_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    bus = EventBus()
    reporter = JobReporter("job2", JobStore(":memory:"), bus, tmp_path, threading.Event())
    with bus.subscribe("job2") as events:
        reporter.segment(np.zeros((3, 48, 64), np.uint8), 0, 1, 8)  # not RGB: the export refuses it
        assert events.get(0.2) is None
