"""``RayExecutor``: the jobs layer's ``Executor`` (and ``Estimator``) on Ray worker actors.

Design: the studio process keeps the queue, the job store and the events; one
``JobWorker`` thread per Ray worker takes jobs as it does in one process and
calls ``run``, which takes a worker from the pool (affinity, then least
loaded), tells the job's sink which worker it is, and replays the worker's
stream of reports (``actor.StudioWorker.run``) to the sink: phases, progress
and previews reach the store and the event bus exactly as from a local run,
in order, and the result (frames from the object store) comes back as the
return value, so export, quality report and provenance run here as always.

Cancel: between reports (and at least every ``_POLL_S`` while waiting for
one) the sink is asked ``is_canceled``; a cancel is sent to the worker, whose
runner stops at its next check, and the stream ends with the runner's
``JobCanceledError``. Loss: when the actor dies mid-run the pool skips it
while Ray restarts it (``_MAX_RESTARTS``) and ``run`` raises
``WorkerLostError``; the ``JobWorker`` queues the job again while its
``attempts`` allow, and the next free worker takes it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from types import ModuleType
from typing import Any

import numpy as np

from studio.config import Settings
from studio.engine.memory import RunEstimate
from studio.engine.registry import ModelRegistry
from studio.errors import ClusterError, WorkerLostError
from studio.scale.actor import StudioWorker, replay
from studio.scale.cluster import check_capacity, connect, node_capacities
from studio.scale.parallel import ParallelRuns, max_job_gpus
from studio.scale.pool import Slot, WorkerPool
from studio.scale.state import CachedModel, WorkerState
from studio.types import GenerationRequest, GenerationResult, KeyframeConditions, ProgressSink

logger = logging.getLogger(__name__)

#: how often a run waiting for its worker's next report looks at the job's cancel flag.
_POLL_S = 0.1
#: restarts Ray makes of a dead worker actor before the pool counts it dead.
_MAX_RESTARTS = 3
#: concurrent calls per actor: the run plus cancel / cache / estimate.
_ACTOR_CONCURRENCY = 4
#: how long the Models tab and the API wait for a worker's cache.
_CACHE_WAIT_S = 2.0


class RayExecutor:
    """Runs jobs on Ray worker actors (see the module docstring). Built by ``start``."""

    def __init__(self, ray: ModuleType, pool: WorkerPool, settings: Settings, owns_ray: bool) -> None:
        self._ray = ray
        self._pool = pool
        self._settings = settings
        self._owns_ray = owns_ray
        #: jobs of ``gpus`` > 1: rank actors in a placement group of their own (``parallel.py``).
        self._parallel = ParallelRuns(ray, settings, ModelRegistry(offline=settings.offline))

    @classmethod
    def start(cls, settings: Settings) -> RayExecutor:
        """Connect, check capacity, start ``ray_workers`` actors and wait until each answers.

        Raises:
            ClusterError: unreachable address, a cluster too small for the settings, workers that do not start.
        """
        ray, owns = connect(settings)
        try:
            check_capacity(settings, node_capacities(ray))
            return cls(ray, WorkerPool(_start_workers(ray, settings)), settings, owns)
        except BaseException:
            if owns:
                ray.shutdown()
            raise

    @property
    def worker_count(self) -> int:
        return len(self._pool.slots)

    # -- Executor ---------------------------------------------------------------------
    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
            keyframes: KeyframeConditions | None = None) -> GenerationResult:  # fmt: skip
        """Run on the best free worker, reporting through ``sink`` (``keyframes``: as the runner takes them).

        Raises:
            WorkerLostError: the worker died mid-run (the job may be queued again).
            ClusterError: no worker is alive.
            whatever the runner raised (``JobCanceledError``, ``InvalidRequestError``, ...), with its type.
        """
        if request.gpus > 1:
            return self._parallel.run(request, seed, sink)
        slot = self._pool.acquire(request.model, getattr(sink, "job_id", None))
        warm: tuple[str, ...] | None = None
        try:
            running_on = getattr(sink, "running_on", None)
            if running_on is not None:
                running_on(slot.name)
            result, warm = self._stream(slot, request, seed, sink, keyframes)
            return result
        except self._ray.exceptions.RayActorError as exc:
            self._lost(slot)
            raise WorkerLostError(f"Ray worker {slot.name} was lost mid-job ({type(exc).__name__})", slot.name) from exc
        finally:
            self._pool.release(slot, warm)

    def _stream(self, slot: Slot, request: GenerationRequest, seed: int, sink: ProgressSink,
                keyframes: KeyframeConditions | None = None) -> tuple[GenerationResult, tuple[str, ...] | None]:  # fmt: skip
        """Replay the worker's reports to ``sink`` until its result; stop the worker if we stop first."""
        ray = self._ray
        run_id = uuid.uuid4().hex
        stream = slot.handle.run.options(num_returns="streaming").remote(run_id, request, seed, keyframes)
        warm: tuple[str, ...] | None = None
        canceled = ended = False
        try:
            while True:
                if not canceled and sink.is_canceled():
                    slot.handle.cancel.remote(run_id)
                    canceled = True
                ready, _ = ray.wait([stream], timeout=_POLL_S)
                if not ready:
                    continue
                kind, payload = ray.get(next(stream))
                if kind == "result":
                    ended = True
                    # a private, writable copy: the export may change frames in place, and the
                    # object store's copy is freed
                    return payload.model_copy(update={"frames": np.array(payload.frames)}), warm
                if kind == "error":
                    ended = True
                    raise payload
                if kind == "cache":
                    warm = tuple(payload)
                else:  # "reports": a batch of the run's reports, in order
                    replay(payload, sink)
        except StopIteration:
            ended = True
            raise RuntimeError(f"Ray worker {slot.name} ended the run without a result") from None
        finally:
            if not ended:  # stopped here (cancel at a checkpoint, shutdown): the worker must stop too
                slot.handle.cancel.remote(run_id)
                self._drain(slot, stream)

    def _drain(self, slot: Slot, stream: Any) -> None:
        """Wait for a stopped run's stream to end, so the worker is free when released.

        The job already ends for its own reason (cancel, shutdown); a worker dying now only takes it out of the pool.
        """
        try:
            for ref in stream:
                kind, _payload = self._ray.get(ref)
                if kind in ("result", "error"):
                    return
        except self._ray.exceptions.RayActorError:
            self._lost(slot)

    def _lost(self, slot: Slot) -> None:
        """Skip the dead worker; a thread marks it ready once Ray has restarted it (or dead)."""
        logger.warning("Ray worker %s died; waiting for Ray to restart it", slot.name)
        self._pool.lost(slot)

        def wait_for_restart() -> None:
            deadline = time.monotonic() + self._settings.ray_start_timeout_s
            while time.monotonic() < deadline:
                try:
                    self._pool.back(slot, self._ray.get(slot.handle.describe.remote(), timeout=5.0))
                    logger.info("Ray worker %s is back", slot.name)
                    return
                except (self._ray.exceptions.RayActorError, self._ray.exceptions.GetTimeoutError):
                    time.sleep(0.5)
            logger.error("Ray worker %s did not come back within %.0f s", slot.name, self._settings.ray_start_timeout_s)
            self._pool.back(slot, None)

        threading.Thread(target=wait_for_restart, name=f"{slot.name}-restart", daemon=True).start()

    # -- Estimator ----------------------------------------------------------------------
    def estimate(self, request: GenerationRequest) -> RunEstimate:
        """The estimate on a worker's device (the workers share one configuration).

        Raises:
            ClusterError: no worker answers.
            InvalidRequestError: a multi-GPU request the cluster cannot place or the model cannot split.
        """
        if request.gpus > 1:
            self._parallel.check(request, node_capacities(self._ray))
        for slot in self._pool.slots:
            if slot.state in ("ready", "busy"):
                try:
                    estimate = self._ray.get(slot.handle.estimate.remote(request), timeout=self._settings.ray_connect_timeout_s)
                except (self._ray.exceptions.RayActorError, self._ray.exceptions.GetTimeoutError):
                    continue
                if not estimate.fits and self._settings.ray_gpus_per_worker == 0:  # say why it is the CPU's budget
                    reason = f"{estimate.reason} (the Ray workers have no GPU: STUDIO_RAY_GPUS_PER_WORKER=0)"
                    estimate = estimate.model_copy(update={"reason": reason})
                return estimate
        raise ClusterError("no Ray worker answers; see the Models tab for their state")

    # -- views ------------------------------------------------------------------------
    def max_job_gpus(self) -> int:
        """The most GPUs one job may ask for now (``GenerationRequest.gpus``; 1: no multi-GPU jobs here)."""
        return max_job_gpus(node_capacities(self._ray), self._settings)

    def workers(self) -> list[WorkerState]:
        """Every worker with its cache (asked now, ``_CACHE_WAIT_S`` at most), then the multi-GPU runs going on."""
        slots = self._pool.slots
        asked = {s.name: s.handle.cache.remote() for s in slots if s.state in ("ready", "busy")}
        if asked:
            self._ray.wait(list(asked.values()), num_returns=len(asked), timeout=_CACHE_WAIT_S)
        return [_state(slot, self._cache(asked.get(slot.name))) for slot in slots] + self._parallel.running()

    def _cache(self, ref: Any) -> list[CachedModel] | None:
        if ref is None:
            return None
        try:
            return self._ray.get(ref, timeout=0.01)
        except (self._ray.exceptions.RayError, self._ray.exceptions.GetTimeoutError):
            return None

    def close(self) -> None:
        """Stop scheduling, end the actors, and shut Ray down if this process started it."""
        self._pool.close()
        for slot in self._pool.slots:
            self._ray.kill(slot.handle, no_restart=True)
        if self._owns_ray:
            self._ray.shutdown()


def _state(slot: Slot, cache: list[CachedModel] | None) -> WorkerState:
    return WorkerState(name=slot.name, state=slot.state, node=slot.info.get("node", ""),  # type: ignore[arg-type]
                       device=slot.info.get("device", ""), gpus=slot.info.get("gpus", []), job_id=slot.job_id,
                       pid=slot.info.get("pid"), jobs_run=slot.jobs_run, cache=cache)  # fmt: skip


def _start_workers(ray: ModuleType, settings: Settings) -> list[Slot]:
    """Start the actors and wait for each to build its engine.

    Raises:
        ClusterError: a worker failed to start, or not all started within ``ray_start_timeout_s``.
    """
    threads = settings.ray_torch_threads or max(1, int(settings.ray_cpus_per_worker))
    actor = ray.remote(StudioWorker).options(num_cpus=settings.ray_cpus_per_worker, num_gpus=settings.ray_gpus_per_worker,
                                             max_restarts=_MAX_RESTARTS, max_concurrency=_ACTOR_CONCURRENCY)  # fmt: skip
    names = [f"ray-{i}" for i in range(settings.ray_workers)]
    handles = [actor.remote(name, settings, threads) for name in names]
    try:
        infos = ray.get([h.describe.remote() for h in handles], timeout=settings.ray_start_timeout_s)
    except (ray.exceptions.GetTimeoutError, ray.exceptions.RayError) as exc:
        for handle in handles:
            ray.kill(handle, no_restart=True)
        if isinstance(exc, ray.exceptions.GetTimeoutError):
            raise ClusterError(f"the Ray workers did not start within STUDIO_RAY_START_TIMEOUT_S="
                               f"{settings.ray_start_timeout_s:g} s") from exc  # fmt: skip
        raise ClusterError(f"a Ray worker failed to start: {type(exc).__name__}: {exc}") from exc
    return [Slot(name=name, handle=handle, info=info) for name, handle, info in zip(names, handles, infos, strict=True)]
