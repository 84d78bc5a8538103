"""A finished section of a long video becomes an mp4 in the job folder and a ``segment`` event.

Sections are written off the calling (denoising) thread: ``segment`` returns at once, the event comes
when the file is written, in order; ``sections_written`` waits for them (drops the unstarted on a cancel).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from studio.jobs import segments
from studio.jobs.events import EventBus
from studio.jobs.reporter import JobReporter
from studio.jobs.store import JobStore
from studio.media.export import probe_video
from studio.types import GenerationRequest, Job, SegmentSink

FRAMES = np.random.default_rng(0).integers(0, 255, (13, 48, 64, 3), dtype=np.uint8)


def _reporter(tmp_path: Path, job_id: str = "job1", cancel: threading.Event | None = None) -> tuple[JobReporter, EventBus]:
    bus, store = EventBus(), JobStore(":memory:")
    store.insert(Job(id=job_id, request=GenerationRequest(prompt="a fox", model="skyreels-demo")))
    return JobReporter(job_id, store, bus, tmp_path, cancel or threading.Event()), bus


def test_segments_are_written_and_published_in_order(tmp_path: Path) -> None:
    reporter, bus = _reporter(tmp_path)
    assert isinstance(reporter, SegmentSink)
    with bus.subscribe("job1") as events:
        with reporter.sections_written():
            reporter.progress(2, 6)
            reporter.segment(FRAMES, 0, 2, 8)
            reporter.progress(4, 6)
            reporter.segment(FRAMES[:5], 1, 2, 8)
        seen = [e for e in iter(lambda: events.get(0.2), None) if e.kind == "segment"]
    first, second = seen
    assert (first.kind, first.segment_index, first.segment_total) == ("segment", 0, 2)
    assert second.segment_index == 1 and "2 of 2" in second.message
    assert (first.step, second.step) == (2, 4)  # the step at which each section was finished, not when written
    assert probe_video(first.output_path) == (13, 64, 48) and probe_video(second.output_path)[0] == 5
    assert Path(first.output_path).parent == tmp_path / "segments"


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Section writes wait (on the writer thread) until the returned event is set."""
    event = threading.Event()
    real = segments.export_video

    def slow_export(*args, **kwargs):
        assert event.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(segments, "export_video", slow_export)
    return event


def test_writing_a_section_does_not_hold_the_caller(tmp_path: Path, release: threading.Event) -> None:
    reporter, bus = _reporter(tmp_path)
    with bus.subscribe("job1") as events:
        with reporter.sections_written():
            started = time.perf_counter()
            reporter.segment(FRAMES, 0, 2, 8)
            reporter.segment(FRAMES, 1, 2, 8)
            assert time.perf_counter() - started < 1.0  # queued: the engine goes on denoising
            assert events.get(0.1) is None  # nothing announced before its file exists
            release.set()
        # leaving waited for both: they are on disk and announced, in order
        indices = [e.segment_index for e in iter(lambda: events.get(0.2), None) if e.kind == "segment"]
    assert indices == [0, 1]
    assert sorted(p.name for p in (tmp_path / "segments").iterdir()) == ["segment00.mp4", "segment01.mp4"]


def test_a_cancel_drops_the_sections_not_started(tmp_path: Path, release: threading.Event) -> None:
    cancel = threading.Event()
    reporter, bus = _reporter(tmp_path, cancel=cancel)
    with bus.subscribe("job1") as events:
        with pytest.raises(RuntimeError), reporter.sections_written():
            for index in range(3):
                reporter.segment(FRAMES, index, 3, 8)
            cancel.set()
            threading.Timer(0.2, release.set).start()
            raise RuntimeError("canceled while denoising")
        indices = [e.segment_index for e in iter(lambda: events.get(0.2), None) if e.kind == "segment"]
    assert indices == [0]  # the one being written finished; the queued ones were dropped
    assert [p.name for p in (tmp_path / "segments").iterdir()] == ["segment00.mp4"]


def test_a_section_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    reporter, bus = _reporter(tmp_path, "job2")
    with bus.subscribe("job2") as events:
        with reporter.sections_written():
            reporter.segment(np.zeros((3, 48, 64), np.uint8), 0, 2, 8)  # not RGB: the export refuses it
            reporter.segment(FRAMES[:3], 1, 2, 8)
        seen = [e for e in iter(lambda: events.get(0.2), None) if e.kind == "segment"]
    assert [e.segment_index for e in seen] == [1]  # the next section still comes
