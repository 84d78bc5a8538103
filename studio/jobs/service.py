"""The job service: the one way a generation is requested, watched and canceled."""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from pathlib import Path

from studio.config import Settings
from studio.engine.memory import RunEstimate
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError
from studio.jobs.estimates import Estimator, refuse_if_too_big
from studio.jobs.events import EventBus, Subscription
from studio.jobs.queue import JobQueue
from studio.jobs.store import JobStore
from studio.jobs.validation import check_shape, validate_request
from studio.jobs.worker import Executor, JobWorker
from studio.types import GenerationRequest, Job, JobEvent, JobStatus, Phase

logger = logging.getLogger(__name__)


class JobService:
    """Queue, persist, run, cancel and watch generation jobs.

    A job is stored (``queued``) before anything else happens; every state
    change is stored, then published as a ``JobEvent``. On start, jobs left
    ``queued`` by a previous process are queued again and jobs left
    ``running`` are marked failed (interrupted).
    """

    def __init__(self, settings: Settings, store: JobStore, bus: EventBus, registry: ModelRegistry, executor: Executor,
                 *, estimator: Estimator) -> None:  # fmt: skip
        self._settings = settings
        self._estimator = estimator
        self._store = store
        self._bus = bus
        self._registry = registry
        self._queue = JobQueue()
        self._cancel_flags: dict[str, threading.Event] = {}
        self._flags_lock = threading.Lock()
        self._worker = JobWorker("studio-worker-0", self._queue, store, bus, executor, settings.outputs_dir,
                                 self._cancel_flags, self._flags_lock)  # fmt: skip

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> None:
        queued, interrupted = self._store.recover_after_restart()
        for job_id in interrupted:
            logger.warning("job %s was interrupted by a restart and is marked failed", job_id)
        for job_id in queued:
            self._queue.put(job_id)
        self._worker.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._flags_lock:
            for flag in self._cancel_flags.values():
                flag.set()
        self._queue.close()
        if self._worker.is_alive():
            self._worker.join(timeout_s)

    # -- requests ---------------------------------------------------------------
    def submit(self, request: GenerationRequest) -> Job:
        """Validate, persist and enqueue ``request``; returns the queued job.

        Raises:
            InvalidRequestError / UnknownModelError: the request cannot run, or cannot fit this device under
                any offload policy (nothing is stored).
        """
        request, notes = validate_request(request, self._settings, self._registry)
        refuse_if_too_big(self._estimator.estimate(request))
        if len(self._queue) >= self._settings.max_queue_length:
            raise InvalidRequestError(f"the queue is full ({self._settings.max_queue_length} jobs); try again later")
        seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
        request = request.model_copy(update={"seed": seed})
        job = Job(id=uuid.uuid4().hex[:16], request=request, seed=seed, total_steps=request.steps,
                  message="; ".join(notes) or "queued")  # fmt: skip
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
        return self._estimator.estimate(request)

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (a finished one is returned unchanged)."""
        job = self._store.get(job_id)
        if job.status.is_terminal:
            return job
        with self._flags_lock:
            self._cancel_flags.setdefault(job_id, threading.Event()).set()
        if job.status == JobStatus.QUEUED and self._queue.remove(job_id):
            self._store.update(job_id, status=JobStatus.CANCELED, phase=Phase.DONE, message="canceled", finished_at=time.time())
            self._bus.publish(JobEvent(job_id=job_id, kind="status", status=JobStatus.CANCELED, phase=Phase.DONE, message="canceled"))
        return self._store.get(job_id)

    def get(self, job_id: str) -> Job:
        return self._store.get(job_id)

    def recent(self, limit: int = 100) -> list[Job]:
        return self._store.recent(limit=limit)

    def queue_position(self, job_id: str) -> int | None:
        return self._queue.position(job_id)

    def subscribe(self, job_id: str | None = None) -> Subscription:
        if job_id is not None:
            self._store.get(job_id)  # raises JobNotFoundError for an unknown id
        return self._bus.subscribe(job_id)

    def output_dir(self, job_id: str) -> Path:
        return self._settings.outputs_dir / job_id

    def wait(self, job_id: str, timeout_s: float = 600.0) -> Job:
        """Block until the job is terminal (CLI and tests)."""
        deadline = time.monotonic() + timeout_s
        with self.subscribe(job_id) as subscription:
            while True:
                job = self._store.get(job_id)
                if job.status.is_terminal:
                    return job
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"job {job_id!r} did not finish within {timeout_s:.0f} s")
                subscription.get(timeout_s=min(remaining, 1.0))
