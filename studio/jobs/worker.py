"""The worker: one thread per compute device, the only caller of its pipelines."""

from __future__ import annotations

import logging
import platform
import shutil
import threading
import time
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from studio import __version__
from studio.errors import JobCanceledError, StudioError, WorkerLostError
from studio.jobs.control import JobControl
from studio.jobs.events import EventBus
from studio.jobs.keyframes import (
    fill_in,
    fill_in_with_model,
    generate_keyframes,
    load_keyframes,
    save_keyframes,
)
from studio.jobs.provenance import JobProvenance
from studio.jobs.quality_stage import attach_report
from studio.jobs.queue import JobQueue
from studio.jobs.reporter import JobReporter
from studio.jobs.store import JobStore
from studio.media.export import audio_facts, export_video, write_metadata
from studio.quality.summary import FrameOrigins
from studio.types import (
    GenerationRequest,
    GenerationResult,
    Job,
    JobEvent,
    JobOutputs,
    JobStatus,
    KeyframeConditions,
    Phase,
    ProgressSink,
)

logger = logging.getLogger(__name__)
_LIBRARIES = ("torch", "diffusers", "transformers", "gradio", "imageio-ffmpeg", "opencv-python-headless")


class Executor(Protocol):
    """Generates frames for a request (the engine's ``GenerationRunner``); ``keyframes``: keyframe mode's
    model fill-in, the keyframes to condition on at their frames."""

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
            keyframes: KeyframeConditions | None = None) -> GenerationResult: ...  # fmt: skip


def library_versions() -> dict[str, str]:
    versions = {"studio": __version__, "python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class ExportStep(Protocol):
    """A step that runs after the video is written (quality report, provenance, ...).

    It may write more files into ``output_dir`` and returns the outputs, updated.
    Add one by passing it in ``after_export``; cancellation is checked before each.
    """

    def __call__(self, job: Job, result: GenerationResult, outputs: JobOutputs, output_dir: Path,
                 sink: ProgressSink) -> JobOutputs: ...  # fmt: skip


class JobWorker(threading.Thread):
    """Takes job ids from the queue and runs them to a terminal state, one at a time.

    Whatever a job raises ends that job (``failed`` or ``canceled``) and never
    this thread: the next job runs normally. A job is claimed atomically in the
    store, so two workers never run the same job. Cancellation is honoured at
    every phase change (before loading, the guide, encoding, decoding), before
    export and before each step after it; a shutdown stops the job the same way
    but leaves it ``interrupted``, to run again on the next start.
    """

    def __init__(self, name: str, queue: JobQueue, store: JobStore, bus: EventBus, executor: Executor,
                 outputs_dir: Path, control: JobControl, after_export: Sequence[ExportStep] = (),
                 provenance: JobProvenance | None = None, max_attempts: int = 2) -> None:  # fmt: skip
        super().__init__(name=name, daemon=True)
        self._max_attempts = max_attempts
        self._queue = queue
        self._store = store
        self._bus = bus
        self._executor = executor
        self._outputs_dir = outputs_dir
        self._control = control
        self._after_export = list(after_export)
        self._provenance = provenance
        self.current_job_id: str | None = None

    def run(self) -> None:
        while not self._control.stopping.is_set():
            job_id = self._queue.take()
            if job_id is None:
                return
            try:
                self._run_job(job_id)
            except Exception:  # the worker must outlive any job
                logger.exception("job %s: unexpected failure outside the job's own handling", job_id)
            finally:
                self.current_job_id = None
                self._control.forget(job_id)

    def _finish(self, job_id: str, status: JobStatus, message: str, error: str | None = None, **fields: object) -> None:
        phase = Phase.QUEUED if status == JobStatus.INTERRUPTED else Phase.DONE
        finished_at = None if status == JobStatus.INTERRUPTED else time.time()
        self._store.update(job_id, status=status, phase=phase, message=message, error=error, finished_at=finished_at, **fields)
        job = self._store.get(job_id)
        self._bus.publish(JobEvent(
            job_id=job_id, kind="status", status=status, phase=phase, step=job.step,
            total_steps=job.total_steps, progress=job.progress, message=error or message,
        ))  # fmt: skip

    def _run_job(self, job_id: str) -> None:
        if not self._store.claim(job_id):
            return  # canceled while queued, or another worker took it
        job = self._store.get(job_id)
        cancel_flag = self._control.flag(job_id)
        self.current_job_id = job_id
        output_dir = self._outputs_dir / job_id
        reporter = JobReporter(job_id, self._store, self._bus, output_dir, cancel_flag, self._control.stopping)
        self._store.update(job_id, total_steps=job.request.steps)
        self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.RUNNING, phase=Phase.QUEUED,
                                   total_steps=job.request.steps, message=f"started (attempt {job.attempts})"))  # fmt: skip
        try:
            reporter.checkpoint("before loading")
            with reporter.sections_written():  # a long clip's sections are written off the denoising thread
                staged = self._generate(job, reporter, output_dir)
            if staged is None:
                self._await_review(job_id, reporter)
                return
            result, origins = staged
            reporter.checkpoint("before export")
            outputs = self._export(job, result, reporter, output_dir, origins)
            for step in self._after_export:
                reporter.checkpoint("after export")
                outputs = step(job, result, outputs, output_dir, reporter)
            reporter.checkpoint("after export")
        except JobCanceledError as exc:
            self._stopped(job, cancel_flag.is_set(), str(exc), output_dir)
        except WorkerLostError as exc:
            self._worker_lost(job, exc)
        except StudioError as exc:
            self._finish(job_id, JobStatus.FAILED, "failed", error=str(exc))
        except Exception as exc:
            logger.exception("job %s failed", job_id)
            self._finish(job_id, JobStatus.FAILED, "failed", error=f"internal error: {type(exc).__name__}: {exc}")
        else:
            notes = [*job.notes, *result.notes]
            self._finish(job_id, JobStatus.SUCCEEDED, "; ".join(["done", *notes]), outputs=outputs, notes=notes,
                         keyframe_indices=reporter.final_keyframes)  # fmt: skip
        finally:
            reporter.prune_previews()

    def _stopped(self, job: Job, by_cancel: bool, where: str, output_dir: Path) -> None:
        """A cancel ends the job ``canceled`` (files written after denoising removed; the last previews stay
        for the streams still showing them); a shutdown leaves it ``interrupted``."""
        if by_cancel:
            for child in output_dir.iterdir() if output_dir.is_dir() else ():
                if child.is_dir() and child.name != "previews":
                    shutil.rmtree(child)
                elif child.is_file():
                    child.unlink(missing_ok=True)
            self._finish(job.id, JobStatus.CANCELED, where)
        else:
            self._finish(job.id, JobStatus.INTERRUPTED, f"interrupted by a shutdown during attempt {job.attempts}; "
                                                        "it runs again when the studio starts")  # fmt: skip

    def _worker_lost(self, job: Job, exc: WorkerLostError) -> None:
        """A remote worker died mid-job: queue it again for another worker while attempts remain (as after a crash)."""
        if job.attempts >= self._max_attempts:
            self._finish(job.id, JobStatus.FAILED, "failed", error=f"{exc}; out of attempts ({job.attempts} of {self._max_attempts})")
            return
        message = f"{exc}; queued again (attempt {job.attempts} of {self._max_attempts} was cut short)"
        self._store.update(job.id, status=JobStatus.QUEUED, phase=Phase.QUEUED, message=message, step=0, progress=0.0)
        self._bus.publish(JobEvent(job_id=job.id, kind="status", status=JobStatus.QUEUED, phase=Phase.QUEUED,
                                   total_steps=job.total_steps, message=message))  # fmt: skip
        self._queue.put(job.id)

    def _generate(self, job: Job, reporter: JobReporter, output_dir: Path) -> tuple[GenerationResult, FrameOrigins | None] | None:
        """The clip's frames; in keyframe mode also which are generated. None: keyframes wait for review."""
        request = job.request
        if request.keyframe_factor == 1:
            return self._executor.run(request, job.seed or 0, reporter), None
        review = job.outputs.review
        if review is not None and review.accepted:
            keyframes = load_keyframes(review, request, output_dir)
        else:
            keyframes = generate_keyframes(self._executor, request, job.seed or 0, reporter)
            review = save_keyframes(keyframes, output_dir)
            self._store.update(job.id, outputs=JobOutputs(review=review))
            reporter.keyframes([str(output_dir / p) for p in review.frames], request.keyframe_factor)
            if request.review_keyframes:
                return None
        if request.keyframe_fill == "model":
            return fill_in_with_model(self._executor, keyframes, request, job.seed or 0, reporter)
        return fill_in(keyframes, request, reporter)

    def _await_review(self, job_id: str, reporter: JobReporter) -> None:
        """Keyframes are on disk: park the job (not terminal) and free the worker for the next one."""
        outputs = self._store.get(job_id).outputs.model_copy(update={"previews": reporter.preview_paths_relative()})
        message = "keyframes ready: accept them to fill in the in-betweens, or regenerate with another seed"
        self._store.update(job_id, status=JobStatus.AWAITING_REVIEW, phase=Phase.REVIEW, message=message, outputs=outputs)
        job = self._store.get(job_id)
        self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.AWAITING_REVIEW, phase=Phase.REVIEW,
                                   step=job.step, total_steps=job.total_steps, progress=job.progress, message=message))  # fmt: skip

    def _export(self, job: Job, result: GenerationResult, reporter: JobReporter, output_dir: Path,
                origins: FrameOrigins | None = None) -> JobOutputs:  # fmt: skip
        reporter.phase(Phase.EXPORTING, "writing video")
        if self._provenance is not None:  # watermark the frames; hash inputs and model
            result, provenance = self._provenance.prepare(job, result)
        metadata = {
            "job_id": job.id,
            # the webhook URL may carry a secret; it stays out of a file that may be shared
            "request": job.request.model_dump(mode="json", exclude={"webhook_url"}),
            "seed": result.seed,
            "model": {"key": result.model_key, "source": result.model_source, "revision": result.model_revision},
            "output": {"width": result.width, "height": result.height, "num_frames": result.num_frames, "fps": result.fps},
            "timings_s": result.timings_s,
            "notes": result.notes,
            "versions": library_versions(),
            "step_cache": result.step_cache.model_dump(mode="json") if result.step_cache else None,
            "export": job.request.export.model_dump(mode="json"),
            "frame_origins": origins.model_dump() if origins else None,
            "audio": audio_facts(result.audio, job.request.export.format),
        }
        video = job.request.export.file_name
        export_video(result.frames, output_dir / video, result.fps, metadata, settings=job.request.export,  # type: ignore[arg-type]
                     audio=result.audio)  # fmt: skip
        previews = reporter.preview_paths_relative()
        indices, keyframes = _save_keyframes(result.frames, reporter.preview_frames, output_dir)  # type: ignore[arg-type]
        reporter.final_keyframes = indices
        if self._provenance is not None:  # sign the files, hash them, write the audit record
            self._provenance.finish(job, result, output_dir, [video, *keyframes], provenance)
            metadata["provenance"] = provenance.as_metadata()
        write_metadata(output_dir / "metadata.json", metadata)
        reporter.output(str(output_dir / video))  # streamed once signed: the file no longer changes
        outputs = JobOutputs(video=video, metadata="metadata.json", previews=previews, keyframes=keyframes,
                             step_cache=result.step_cache, frame_origins=origins,
                             review=self._store.get(job.id).outputs.review)  # fmt: skip
        return attach_report(outputs, result.frames, result.fps, origins, reporter, output_dir)  # type: ignore[arg-type]


def _save_keyframes(frames: np.ndarray, indices: list[int], output_dir: Path, count: int = 4) -> tuple[list[int], list[str]]:
    """Save the final frames at the preview positions (or spread over the clip); (frame indices, relative paths)."""
    if not indices:
        last = len(frames) - 1
        indices = sorted({round(i * last / max(1, count - 1)) for i in range(count)})
    folder = output_dir / "keyframes"
    folder.mkdir(parents=True, exist_ok=True)
    kept, paths = [], []
    for index in indices:
        index = min(max(index, 0), len(frames) - 1)
        path = folder / f"frame{index:04d}.png"
        Image.fromarray(frames[index]).save(path)
        kept.append(index)
        paths.append(str(path.relative_to(output_dir)))
    return kept, paths
