"""The job service: the one way a generation is requested, watched and canceled."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from studio.config import Settings
from studio.engine.memory import RunEstimate
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, JobFinalError, JobNotFoundError, JobStateError
from studio.jobs.audit import AuditLog
from studio.jobs.control import JobControl
from studio.jobs.estimates import Estimator, refuse_if_too_big
from studio.jobs.events import AsyncSubscription, EventBus, Subscription
from studio.jobs.owners import LOCAL_OPERATOR, Viewer
from studio.jobs.provenance import JobProvenance
from studio.jobs.queue import JobQueue
from studio.jobs.store import JobStore
from studio.jobs.validation import check_shape, validate_request
from studio.jobs.worker import Executor, ExportStep, JobWorker
from studio.types import GenerationRequest, Job, JobEvent, JobOutputs, JobStatus, Phase

logger = logging.getLogger(__name__)


class JobService:
    """Queue, persist, run, cancel and watch generation jobs.

    A job is stored (``queued``) before anything else happens; every state
    change is stored, then published as a ``JobEvent``. On start, jobs left
    ``queued`` are queued again, and jobs a dead process left ``running`` or
    ``interrupted`` are queued again once (``Settings.max_attempts``), then
    failed with the reason. Every read takes a ``Viewer``: a job of another
    owner is "not found", exactly like a job that does not exist.
    """

    def __init__(self, settings: Settings, store: JobStore, bus: EventBus, registry: ModelRegistry, executor: Executor,
                 after_export: Sequence[ExportStep] = (), *, estimator: Estimator | None = None,
                 workers: int = 1) -> None:  # fmt: skip
        self._settings = settings
        self._estimator = estimator
        self._store = store
        self._bus = bus
        self._registry = registry
        self._queue = JobQueue()
        self._control = JobControl()
        provenance = JobProvenance(settings, AuditLog(store))
        # one thread per device the executor drives: one in process, one per worker with Ray
        self._workers = [JobWorker(f"studio-worker-{i}", self._queue, store, bus, executor, settings.outputs_dir,
                                   self._control, after_export, provenance, settings.max_attempts)
                         for i in range(workers)]  # fmt: skip

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> None:
        queued, failed = self._store.recover_after_restart(self._settings.max_attempts)
        for job_id in failed:
            logger.warning("job %s was interrupted %d times and is marked failed", job_id, self._settings.max_attempts)
        for job_id in queued:
            self._queue.put(job_id)
        for worker in self._workers:
            worker.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the worker: a running job stops at its next check and is left ``interrupted``; waits for it."""
        self._control.stop()
        self._queue.close()
        deadline = time.monotonic() + timeout_s
        for worker in (w for w in self._workers if w.is_alive()):
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                logger.warning("the worker did not stop within %.0f s; its job will be re-queued on the next start", timeout_s)

    # -- requests ---------------------------------------------------------------
    def submit(self, request: GenerationRequest, owner: str = LOCAL_OPERATOR.owner) -> Job:
        """Validate, persist and enqueue ``request`` for ``owner``; returns the queued job.

        Raises:
            InvalidRequestError / UnknownModelError: the request cannot run, or cannot fit this device under
                any offload policy (nothing is stored).
        """
        request, notes = validate_request(request, self._settings, self._registry)
        if self._estimator is not None:  # the engine's estimate; a stub executor (tests) has none
            refuse_if_too_big(self._estimator.estimate(request))
        if len(self._queue) >= self._settings.max_queue_length:
            raise InvalidRequestError(f"the queue is full ({self._settings.max_queue_length} jobs); try again later")
        seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
        request = request.model_copy(update={"seed": seed})
        job = Job(id=uuid.uuid4().hex[:16], request=request, seed=seed, total_steps=request.steps,
                  message="; ".join(notes) or "queued", owner=owner, notes=notes)  # fmt: skip
        self._store.insert(job)
        self._bus.publish(JobEvent(job_id=job.id, kind="status", status=JobStatus.QUEUED, phase=Phase.QUEUED,
                                   total_steps=request.steps, message=job.message))  # fmt: skip
        self._queue.put(job.id)
        return job

    def estimate(self, request: GenerationRequest) -> RunEstimate:
        """The preflight estimate of ``request`` (limits and size rules checked, sizes rounded; nothing stored).

        Raises:
            InvalidRequestError / UnknownModelError: a bad value or an unknown model.
        """
        request, _notes = check_shape(request, self._settings, self._registry)
        if self._estimator is None:
            raise InvalidRequestError("this studio was built without an estimator")
        return self._estimator.estimate(request)

    def cancel(self, job_id: str, viewer: Viewer = LOCAL_OPERATOR) -> Job:
        """Cancel a queued job at once, or ask a running one to stop at its next check.

        Raises:
            JobNotFoundError: no such job for this viewer.
            JobFinalError: the job already ended (the cancel came too late; the message says how it ended).
        """
        job = self.get(job_id, viewer)
        if job.status.is_terminal:
            raise JobFinalError(f"too late to cancel job {job_id!r}: it already {job.status.value}")
        self._control.cancel(job_id)
        stopped = self._store.transition(job_id, (JobStatus.QUEUED, JobStatus.INTERRUPTED, JobStatus.AWAITING_REVIEW), status=JobStatus.CANCELED,
                                         phase=Phase.DONE, message="canceled while queued", finished_at=time.time())  # fmt: skip
        if stopped:
            self._queue.remove(job_id)
            self._control.forget(job_id)
            self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.CANCELED, phase=Phase.DONE,
                                       message="canceled while queued"))  # fmt: skip
        return self._store.get(job_id)

    def accept_keyframes(self, job_id: str, viewer: Viewer = LOCAL_OPERATOR) -> Job:
        """Accept a waiting job's keyframes: it is queued again to fill the in-betweens and export.

        Raises:
            JobStateError: the job is not waiting for review.
        """
        job = self._waiting(job_id, viewer)
        outputs = job.outputs.model_copy(update={"review": job.outputs.review.model_copy(update={"accepted": True})})  # type: ignore[union-attr]
        return self._requeue(job_id, "keyframes accepted; filling in", outputs=outputs)

    def regenerate_keyframes(self, job_id: str, seed: int | None = None, viewer: Viewer = LOCAL_OPERATOR) -> Job:
        """Throw a waiting job's keyframes away and generate new ones with ``seed`` (None = a new random seed).

        Raises:
            JobStateError: the job is not waiting for review.
            InvalidRequestError: a seed outside 0..2**63-1.
        """
        self._waiting(job_id, viewer)
        if seed is not None and not 0 <= seed <= 2**63 - 1:
            raise InvalidRequestError(f"seed must be between 0 and 2**63-1, got {seed}")
        seed = seed if seed is not None else secrets.randbelow(2**32)
        return self._requeue(job_id, f"regenerating keyframes with seed {seed}", outputs=JobOutputs(), seed=seed,
                             step=0, progress=0.0)  # fmt: skip

    def _waiting(self, job_id: str, viewer: Viewer) -> Job:
        job = self.get(job_id, viewer)
        if job.status != JobStatus.AWAITING_REVIEW or job.outputs.review is None:
            raise JobStateError(f"job {job_id!r} is {job.status.value}, not waiting for keyframe review")
        return job

    def _requeue(self, job_id: str, message: str, **fields: object) -> Job:
        if len(self._queue) >= self._settings.max_queue_length:
            raise InvalidRequestError(f"the queue is full ({self._settings.max_queue_length} jobs); try again later")
        self._store.update(job_id, status=JobStatus.QUEUED, phase=Phase.QUEUED, message=message, **fields)
        job = self._store.get(job_id)
        self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.QUEUED, phase=Phase.QUEUED,
                                   total_steps=job.total_steps, message=message))  # fmt: skip
        self._queue.put(job_id)
        return job

    def get(self, job_id: str, viewer: Viewer = LOCAL_OPERATOR) -> Job:
        """Raises JobNotFoundError for an unknown id and for another owner's job alike."""
        job = self._store.get(job_id)
        if not viewer.can_see(job.owner):
            raise JobNotFoundError(f"no job with id {job_id!r}")
        return job

    def recent(self, limit: int = 100, viewer: Viewer = LOCAL_OPERATOR, statuses: tuple[JobStatus, ...] = (),
               before: tuple[float, str] | None = None) -> list[Job]:  # fmt: skip
        """Newest first: all jobs for the operator, the viewer's own otherwise."""
        owner = None if viewer.operator else viewer.owner
        return self._store.recent(limit=limit, statuses=statuses, owner=owner, before=before)

    def queue_position(self, job_id: str) -> int | None:
        return self._queue.position(job_id)

    def subscribe(self, job_id: str | None = None, viewer: Viewer = LOCAL_OPERATOR) -> Subscription:
        if job_id is not None:
            self.get(job_id, viewer)  # raises JobNotFoundError for an unknown or foreign id
        elif not viewer.operator:
            raise JobNotFoundError("only the operator may watch every job")
        return self._bus.subscribe(job_id)

    def subscribe_async(self, job_id: str, viewer: Viewer, loop: asyncio.AbstractEventLoop) -> AsyncSubscription:
        self.get(job_id, viewer)
        return self._bus.subscribe_async(job_id, loop)

    @property
    def event_boot(self) -> str:
        """Changes with every process: event sequence numbers restart with it."""
        return self._bus.boot

    def output_dir(self, job_id: str) -> Path:
        return self._settings.outputs_dir / job_id

    def wait(self, job_id: str, timeout_s: float = 600.0) -> Job:
        """Block until the job is terminal or waits for keyframe review (CLI and tests)."""
        deadline = time.monotonic() + timeout_s
        with self.subscribe(job_id) as subscription:
            while True:
                job = self._store.get(job_id)
                if job.status.is_terminal or job.status == JobStatus.AWAITING_REVIEW:
                    return job
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"job {job_id!r} did not finish within {timeout_s:.0f} s")
                subscription.get(timeout_s=min(remaining, 1.0))
