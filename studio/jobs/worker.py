"""The worker: one thread per compute device, the only caller of its pipelines."""

from __future__ import annotations

import logging
import platform
import threading
import time
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from studio import __version__
from studio.errors import JobCanceledError, StudioError
from studio.jobs.events import EventBus
from studio.jobs.queue import JobQueue
from studio.jobs.reporter import JobReporter
from studio.jobs.store import JobStore
from studio.media.export import export_video, write_metadata
from studio.types import (
    GenerationRequest,
    GenerationResult,
    Job,
    JobEvent,
    JobOutputs,
    JobStatus,
    Phase,
    ProgressSink,
)

logger = logging.getLogger(__name__)
_LIBRARIES = ("torch", "diffusers", "transformers", "gradio", "moviepy")


class Executor(Protocol):
    """Generates frames for a request (the engine's ``GenerationRunner``)."""

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult: ...


def library_versions() -> dict[str, str]:
    versions = {"studio": __version__, "python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class JobWorker(threading.Thread):
    """Takes job ids from the queue and runs them to a terminal state, one at a time.

    Whatever a job raises ends that job (``failed`` or ``canceled``) and never
    this thread: the next job runs normally.
    """

    def __init__(self, name: str, queue: JobQueue, store: JobStore, bus: EventBus, executor: Executor,
                 outputs_dir: Path, cancel_flags: dict[str, threading.Event], flags_lock: threading.Lock) -> None:  # fmt: skip
        super().__init__(name=name, daemon=True)
        self._queue = queue
        self._store = store
        self._bus = bus
        self._executor = executor
        self._outputs_dir = outputs_dir
        self._cancel_flags = cancel_flags
        self._flags_lock = flags_lock
        self.current_job_id: str | None = None

    def run(self) -> None:
        while True:
            job_id = self._queue.take()
            if job_id is None:
                return
            try:
                self._run_job(job_id)
            except Exception:  # the worker must outlive any job
                logger.exception("job %s: unexpected failure outside the job's own handling", job_id)
            finally:
                self.current_job_id = None
                with self._flags_lock:
                    self._cancel_flags.pop(job_id, None)

    def _finish(self, job_id: str, status: JobStatus, message: str, error: str | None = None, outputs: JobOutputs | None = None) -> None:
        fields: dict[str, object] = {"status": status, "phase": Phase.DONE, "message": message, "error": error, "finished_at": time.time()}
        if outputs is not None:
            fields["outputs"] = outputs
        self._store.update(job_id, **fields)
        job = self._store.get(job_id)
        self._bus.publish(JobEvent(
            job_id=job_id, kind="status", status=status, phase=Phase.DONE, step=job.step,
            total_steps=job.total_steps, progress=job.progress, message=error or message,
        ))  # fmt: skip

    def _run_job(self, job_id: str) -> None:
        job = self._store.get(job_id)
        if job.status != JobStatus.QUEUED:
            return  # canceled while queued
        with self._flags_lock:
            cancel_flag = self._cancel_flags.setdefault(job_id, threading.Event())
        self.current_job_id = job_id
        output_dir = self._outputs_dir / job_id
        reporter = JobReporter(job_id, self._store, self._bus, output_dir, cancel_flag)
        self._store.update(job_id, status=JobStatus.RUNNING, started_at=time.time(), total_steps=job.request.steps)
        self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.RUNNING, phase=Phase.QUEUED,
                                   total_steps=job.request.steps, message="started"))  # fmt: skip
        try:
            result = self._executor.run(job.request, job.seed or 0, reporter)
            if cancel_flag.is_set():
                raise JobCanceledError("canceled")
            outputs = self._export(job, result, reporter, output_dir)
        except JobCanceledError:
            self._finish(job_id, JobStatus.CANCELED, "canceled")
        except StudioError as exc:
            self._finish(job_id, JobStatus.FAILED, "failed", error=str(exc))
        except Exception as exc:
            logger.exception("job %s failed", job_id)
            self._finish(job_id, JobStatus.FAILED, "failed", error=f"internal error: {type(exc).__name__}: {exc}")
        else:
            notes = [n for n in (job.message, *result.notes) if n and n != "queued"]
            self._finish(job_id, JobStatus.SUCCEEDED, "; ".join(["done", *notes]), outputs=outputs)
        finally:
            reporter.prune_previews()

    def _export(self, job: Job, result: GenerationResult, reporter: JobReporter, output_dir: Path) -> JobOutputs:
        reporter.phase(Phase.EXPORTING, "writing video")
        metadata = {
            "job_id": job.id,
            "request": job.request.model_dump(mode="json"),
            "seed": result.seed,
            "model": {"key": result.model_key, "source": result.model_source, "revision": result.model_revision},
            "output": {"width": result.width, "height": result.height, "num_frames": result.num_frames, "fps": result.fps},
            "timings_s": result.timings_s,
            "notes": result.notes,
            "versions": library_versions(),
            "step_cache": result.step_cache.model_dump(mode="json") if result.step_cache else None,
        }
        export_video(result.frames, output_dir / "video.mp4", result.fps, metadata)  # type: ignore[arg-type]
        write_metadata(output_dir / "metadata.json", metadata)
        previews = [str(Path(p).relative_to(output_dir)) for p in reporter.preview_paths]
        keyframes = _save_keyframes(result.frames, reporter.preview_frames, output_dir)  # type: ignore[arg-type]
        return JobOutputs(video="video.mp4", metadata="metadata.json", previews=previews, keyframes=keyframes,
                          step_cache=result.step_cache)  # fmt: skip


def _save_keyframes(frames: np.ndarray, indices: list[int], output_dir: Path, count: int = 4) -> list[str]:
    """Save the final frames at the preview positions (or spread over the clip); relative paths."""
    if not indices:
        last = len(frames) - 1
        indices = sorted({round(i * last / max(1, count - 1)) for i in range(count)})
    folder = output_dir / "keyframes"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in indices:
        index = min(max(index, 0), len(frames) - 1)
        path = folder / f"frame{index:04d}.png"
        Image.fromarray(frames[index]).save(path)
        paths.append(str(path.relative_to(output_dir)))
    return paths
