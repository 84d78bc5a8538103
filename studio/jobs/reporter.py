"""The ``ProgressSink`` of one running job: store, events and preview files."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from studio.errors import JobCanceledError
from studio.jobs.events import EventBus
from studio.jobs.segments import SegmentWriter
from studio.jobs.store import JobStore
from studio.types import JobEvent, JobStatus, Phase

logger = logging.getLogger(__name__)

# Progress is written to SQLite at most this often; events go out on every step.
_STORE_INTERVAL_S = 0.5


class JobReporter:
    """Fans one job's progress out to the store and the event bus (one observer, many front ends)."""

    def __init__(self, job_id: str, store: JobStore, bus: EventBus, output_dir: Path, cancel_flag: threading.Event,
                 stopping: threading.Event | None = None) -> None:  # fmt: skip
        self.job_id = job_id
        self._stopping = stopping if stopping is not None else threading.Event()
        self._store = store
        self._bus = bus
        self._output_dir = output_dir
        self._cancel = cancel_flag
        self._phase = Phase.QUEUED
        self._step = 0
        self._total = 0
        self._stored_at = 0.0
        self._preview_paths: list[str] = []
        self.preview_frames: list[int] = []
        #: frame indices of the final keyframes, set by the export.
        self.final_keyframes: list[int] = []
        self._superseded: list[str] = []
        self._segments: SegmentWriter | None = None  # started with a long clip's first finished section

    @property
    def preview_paths(self) -> list[str]:
        return list(self._preview_paths)

    def is_canceled(self) -> bool:
        return self._cancel.is_set() or self._stopping.is_set()

    def checkpoint(self, where: str) -> None:
        """Stop here if the job was canceled (or the studio is stopping).

        Raises:
            JobCanceledError: with ``"canceled <where>"``.
        """
        if self.is_canceled():
            raise JobCanceledError(f"canceled {where}")

    def _progress_value(self) -> float:
        return self._step / self._total if self._total else 0.0

    def _event(self, kind: str, message: str = "", **extra: object) -> JobEvent:
        return JobEvent(
            job_id=self.job_id, kind=kind, status=JobStatus.RUNNING, phase=self._phase, step=self._step,  # type: ignore[arg-type]
            total_steps=self._total, progress=self._progress_value(), message=message, **extra,  # type: ignore[arg-type]
        )  # fmt: skip

    def prune_previews(self) -> None:
        for old in self._superseded:
            Path(old).unlink(missing_ok=True)
        self._superseded = []

    def phase(self, phase: Phase, message: str = "") -> None:
        """Enter ``phase``; entering a new one is a cancellation point (before loading, the guide, encoding, ...)."""
        if phase != self._phase:
            self.checkpoint(f"before {phase.value}" + (f" ({message})" if message else ""))
        self._phase = phase
        self._store.update(self.job_id, phase=phase, message=message)
        self._bus.publish(self._event("phase", message))

    def progress(self, step: int, total_steps: int) -> None:
        self._step, self._total = step, total_steps
        now = time.monotonic()
        if now - self._stored_at >= _STORE_INTERVAL_S or step == total_steps:
            self._stored_at = now
            self._store.update(self.job_id, step=step, total_steps=total_steps, progress=self._progress_value())
        self._bus.publish(self._event("progress", f"step {step}/{total_steps}"))

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        folder = self._output_dir / "previews"
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for index, (image, frame) in enumerate(zip(images, frame_indices, strict=True)):
            path = folder / f"step{step:04d}_k{index}_f{frame:04d}.png"
            Image.fromarray(np.asarray(image)).save(path, compress_level=1)
            paths.append(str(path))
        # Earlier sets stay on disk while the job runs (a slow UI stream may still fetch them);
        # ``prune_previews`` keeps only the newest set when the job ends.
        self._superseded.extend(self._preview_paths)
        self._preview_paths = paths
        self.preview_frames = list(frame_indices)
        self._bus.publish(self._event("preview", f"preview at step {step}", preview_paths=paths, preview_frames=list(frame_indices)))

    def preview_paths_relative(self) -> list[str]:
        """The newest previews, relative to the job folder (as stored in ``JobOutputs``)."""
        return [str(Path(p).relative_to(self._output_dir)) for p in self._preview_paths]

    def keyframes(self, paths: Sequence[str], factor: int) -> None:
        """Generated keyframes are decoded and saved: show them before the in-betweens exist."""
        frames = [i * factor for i in range(len(paths))]
        self._bus.publish(self._event("keyframes", f"{len(paths)} keyframes ready", preview_paths=list(paths), preview_frames=frames))

    def running_on(self, worker: str) -> None:
        """The executor placed the job on ``worker`` (a Ray worker): stored on the job and announced."""
        self._store.update(self.job_id, worker=worker)
        self._bus.publish(self._event("log", f"running on {worker}"))

    def segment(self, frames: Any, index: int, total: int, fps: int) -> None:
        """A finished section of a clip made section by section: written as a short mp4, shown while the rest generates.

        Files go to ``segments/`` in the job folder (served like previews); the event carries the path and the
        step at which the section was finished. Written off the calling (denoising) thread, in order
        (``SegmentWriter``), so the engine goes on at once; ``sections_written`` waits for them. A section that
        cannot be written is logged and skipped: the job goes on.
        """
        if self._segments is None:
            self._segments = SegmentWriter(self._output_dir / "segments", {"job_id": self.job_id}, self._segment_written)
        event = self._event("segment", f"section {index + 1} of {total} ready", segment_index=index, segment_total=total)
        self._segments.submit(np.asarray(frames), index, total, fps, event)

    def _segment_written(self, path: Path, event: JobEvent) -> None:
        self._bus.publish(event.model_copy(update={"output_path": str(path)}))

    @contextmanager
    def sections_written(self) -> Iterator[None]:
        """On the way out, wait for the sections still being written (those not started are dropped on a cancel
        or shutdown): every section is written and announced before the job goes on to its whole video."""
        try:
            yield
        finally:
            if self._segments is not None:
                self._segments.close(discard=self.is_canceled())
                self._segments = None

    def output(self, path: str) -> None:
        """A finished output file (the video), published before the job's last steps."""
        self._bus.publish(self._event("output", f"{Path(path).name} ready", output_path=path))
