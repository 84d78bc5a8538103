"""One generation across several GPUs: rank actors in one placement group, diffusers' context parallelism.

A job with ``gpus=N`` (N > 1) does not go to a pool worker. ``ParallelRuns.run``:

1. reserves a placement group of N one-GPU bundles packed on one node (``STRICT_PACK``: the ranks exchange
   attention heads at every block, which only a node's interconnect carries well), waiting while the
   studio's other multi-GPU jobs hold GPUs, and failing the job with a ``ClusterError`` when it still
   cannot be placed after ``ray_start_timeout_s``: a job never waits without a reason;
2. starts N ``RankWorker`` actors, one per bundle (named ``<job's worker name>-rank<i>`` in Ray); they
   join one ``torch.distributed`` group (nccl on GPUs, gloo on CPU ranks), load the same model and split
   its transformers N ways (``engine.context_parallel.enable_context_parallel``);
3. runs the same request with the same seed on every rank; rank 0's reports (phases, progress, previews)
   and result reach the job's sink as a pool worker's do (``jobs.relay``); the other ranks' reports are
   dropped, their errors end the job;
4. kills the ranks and removes the placement group, whatever happened (success, error, cancel, loss).

Cancel goes to every rank. Ranks that stop at different checks could leave one waiting in a collective,
so a canceled run ends here at the latest ``_CANCEL_GRACE_S`` after the cancel, and step 4 stops them all.
Ranks are started per job (each loads the model: a cold start every time) and own no pool slot.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from datetime import timedelta
from types import ModuleType
from typing import Any

import numpy as np

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import ClusterError, InvalidRequestError, JobCanceledError, WorkerLostError
from studio.scale.actor import StudioWorker, _sendable, replay
from studio.scale.cluster import NodeCapacity
from studio.scale.state import WorkerState
from studio.types import GenerationRequest, GenerationResult, Phase, ProgressSink

logger = logging.getLogger(__name__)

#: how often a waiting run looks at the job's cancel flag (and the placement group at its state).
_POLL_S = 0.1
#: how long a canceled run waits for rank 0 to stop by itself before the ranks are killed.
_CANCEL_GRACE_S = 5.0
#: concurrent calls per rank actor: the run plus cancel.
_RANK_CONCURRENCY = 3


class RankWorker(StudioWorker):
    """One rank of a multi-GPU run: a ``StudioWorker`` that joins a process group and splits its transformers."""

    def __init__(self, name: str, settings: Settings, torch_threads: int) -> None:
        super().__init__(name, settings, torch_threads)
        self._registry = ModelRegistry(offline=settings.offline)

    def address(self) -> tuple[str, int]:
        """This node's address and a free port, where rank 0 listens for the others."""
        import ray

        with socket.socket() as s:
            s.bind(("", 0))
            return ray.util.get_node_ip_address(), s.getsockname()[1]

    def join(self, rank: int, world: int, host: str, port: int, request: GenerationRequest,
             timeout_s: float) -> int | BaseException:  # fmt: skip
        """Join the group of ``world`` ranks at ``host:port``, load ``request``'s model and split it ``world`` ways.

        Returns:
            how many ways its transformers split now, or the error that stopped it (sent back rather than
            raised, so it keeps its type and message).
        """
        import torch.distributed as dist

        from studio.engine.context_parallel import enable_context_parallel, split_degree

        try:
            backend = "nccl" if self._device.device.type == "cuda" else "gloo"
            dist.init_process_group(backend, init_method=f"tcp://{host}:{port}", rank=rank, world_size=world,
                                    timeout=timedelta(seconds=timeout_s))  # fmt: skip
            spec = self._registry.resolve(request.model)
            with self._manager.use(spec, request.mode.value, request=request) as pipe:
                enable_context_parallel(pipe, world)
                return split_degree(pipe)
        except BaseException as exc:
            return _sendable(exc)

    def run_quietly(self, run_id: str, request: GenerationRequest, seed: int) -> BaseException | None:
        """Run as ``run`` does, dropping the reports (another rank makes them); returns the error, if any."""
        for kind, payload in self.run(run_id, request, seed):
            if kind == "error":
                return payload
        return None


def check_gpus_fit(gpus: int, nodes: list[NodeCapacity], settings: Settings) -> None:
    """Refuse a job of ``gpus`` GPUs the cluster could never place (one node must hold them all).

    Raises:
        InvalidRequestError: no node has ``gpus`` GPUs, or the studio's own workers hold too many of them.
    """
    most = max((n.gpus for n in nodes), default=0.0)
    if gpus > most:
        have = "no GPU" if most == 0 else f"at most {most:g} GPUs on one node"
        raise InvalidRequestError(f"gpus={gpus}: one video runs on the GPUs of one node, and the Ray cluster has {have}")
    total = sum(n.gpus for n in nodes)
    held = settings.ray_workers * settings.ray_gpus_per_worker
    if gpus > total - held:
        raise InvalidRequestError(f"gpus={gpus}: the studio's {settings.ray_workers} Ray workers hold {held} of the "
                                  f"cluster's {total:g} GPUs, leaving {total - held:g}; lower STUDIO_RAY_WORKERS or "
                                  "STUDIO_RAY_GPUS_PER_WORKER to leave GPUs to multi-GPU jobs")  # fmt: skip


def max_job_gpus(nodes: list[NodeCapacity], settings: Settings) -> int:
    """The most GPUs one job can ask for: one node's, less what the studio's workers hold (at least 1)."""
    most = max((n.gpus for n in nodes), default=0.0)
    free = sum(n.gpus for n in nodes) - settings.ray_workers * settings.ray_gpus_per_worker
    return max(1, int(min(most, free)))


class ParallelRuns:
    """Runs the jobs of ``gpus > 1`` for the ``RayExecutor`` (see the module docstring)."""

    def __init__(self, ray: ModuleType, settings: Settings, registry: ModelRegistry) -> None:
        self._ray = ray
        self._settings = settings
        self._registry = registry
        self._lock = threading.Lock()
        #: multi-GPU runs of this studio holding a placement group now (a reservation waits for them).
        self._holding = 0
        #: the runs whose ranks have loaded their model, as the Models tab and ``GET /api/v1/workers`` list them.
        self._running: dict[str, WorkerState] = {}

    def check(self, request: GenerationRequest, nodes: list[NodeCapacity]) -> None:
        """Submit-time checks of a multi-GPU request: the cluster can place it, the model can split ``gpus`` ways.

        Raises:
            InvalidRequestError: naming the GPUs asked and the cluster's, or the model.
        """
        from studio.engine.context_parallel import check_model_plan

        check_gpus_fit(request.gpus, nodes, self._settings)
        spec = self._registry.resolve(request.model)
        check_model_plan(spec, request.mode.value, request.gpus, self._registry, self._settings.models_dir)

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        """Run ``request`` on ``request.gpus`` ranks, reporting rank 0 through ``sink``.

        Raises:
            ClusterError: the GPUs could not be reserved within ``ray_start_timeout_s``.
            WorkerLostError: a rank died (the job may be queued again).
            JobCanceledError: the job was canceled.
            whatever a rank raised (``InvalidRequestError``, ``OutOfMemoryError``, ...), with its type.
        """
        name = f"gpus{request.gpus}-{uuid.uuid4().hex[:6]}"
        group = self._reserve(request.gpus, sink)
        ranks: list[Any] = []
        try:
            running_on = getattr(sink, "running_on", None)
            if running_on is not None:
                running_on(name)
            ranks = self._start_ranks(group, request.gpus, name)
            self._join(ranks, request, sink)
            self._listed(name, ranks, getattr(sink, "job_id", None))
            return self._generate(ranks, request, seed, sink)
        except self._ray.exceptions.RayActorError as exc:
            logger.warning("a rank of %s died mid-run (%s); its ranks are stopped", name, type(exc).__name__)
            raise WorkerLostError(f"a rank of {name} was lost mid-job ({type(exc).__name__})", name) from exc
        finally:
            with self._lock:
                self._running.pop(name, None)
            for rank in ranks:
                self._ray.kill(rank, no_restart=True)
            self._release(group)

    def running(self) -> list[WorkerState]:
        """The multi-GPU runs going on now, one entry each (busy, its job, its node, all its GPUs, rank 0's cache)."""
        with self._lock:
            return list(self._running.values())

    def _listed(self, name: str, ranks: list[Any], job_id: str | None) -> None:
        infos = self._ray.get([r.describe.remote() for r in ranks])
        cache = self._ray.get(ranks[0].cache.remote())
        state = WorkerState(name=name, state="busy", node=infos[0]["node"], device=infos[0]["device"],
                            gpus=[g for info in infos for g in info["gpus"]], pid=infos[0]["pid"], job_id=job_id,
                            cache=cache)  # fmt: skip
        with self._lock:
            self._running[name] = state

    # -- 1. reserve ----------------------------------------------------------------------
    def _reserve(self, gpus: int, sink: ProgressSink) -> Any:
        """A ready placement group of ``gpus`` one-GPU bundles on one node (see the module docstring)."""
        from ray.util.placement_group import placement_group, remove_placement_group

        group = placement_group([{"GPU": 1}] * gpus, strategy="STRICT_PACK")
        sink.phase(Phase.LOADING, f"reserving {gpus} GPUs on one node")
        timeout_s = self._settings.ray_start_timeout_s
        since = time.monotonic()
        while not group.wait(timeout_seconds=_POLL_S):
            with self._lock:
                if self._holding:  # our own multi-GPU jobs hold GPUs: wait for them, not against the clock
                    since = time.monotonic()
            if sink.is_canceled() or time.monotonic() - since > timeout_s:
                remove_placement_group(group)
                if sink.is_canceled():
                    raise JobCanceledError("canceled while waiting for GPUs")
                raise ClusterError(f"gpus={gpus}: Ray could not reserve {gpus} GPUs on one node within "
                                   f"STUDIO_RAY_START_TIMEOUT_S={timeout_s:g} s: work outside the studio holds them, or a node left")  # fmt: skip
        with self._lock:
            self._holding += 1
        return group

    def _release(self, group: Any) -> None:
        from ray.util.placement_group import remove_placement_group

        remove_placement_group(group)
        with self._lock:
            self._holding -= 1

    # -- 2. start and join ---------------------------------------------------------------
    def _start_ranks(self, group: Any, gpus: int, name: str) -> list[Any]:
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        threads = self._settings.ray_torch_threads or 1
        actor = self._ray.remote(RankWorker)
        return [actor.options(name=f"{name}-rank{i}", num_cpus=0, num_gpus=1, max_restarts=0, max_concurrency=_RANK_CONCURRENCY,
                              scheduling_strategy=PlacementGroupSchedulingStrategy(placement_group=group,
                                                                                   placement_group_bundle_index=i))
                .remote(f"{name}-rank{i}", self._settings, threads)
                for i in range(gpus)]  # fmt: skip

    def _join(self, ranks: list[Any], request: GenerationRequest, sink: ProgressSink) -> None:
        """Every rank joins the group, loads the model and splits it; raises the first rank's error."""
        gpus = len(ranks)
        sink.phase(Phase.LOADING, f"loading {request.model} on {gpus} ranks")
        timeout_s = self._settings.ray_start_timeout_s
        try:
            host, port = self._ray.get(ranks[0].address.remote(), timeout=timeout_s)
        except self._ray.exceptions.GetTimeoutError as exc:
            raise ClusterError(f"the ranks did not start within STUDIO_RAY_START_TIMEOUT_S={timeout_s:g} s") from exc
        pending = [r.join.remote(i, gpus, host, port, request, timeout_s) for i, r in enumerate(ranks)]
        splits: list[int] = []
        while pending:
            if sink.is_canceled():
                raise JobCanceledError("canceled while loading")
            ready, pending = self._ray.wait(pending, num_returns=len(pending), timeout=_POLL_S)
            for ref in ready:
                split = self._ray.get(ref)
                if isinstance(split, BaseException):
                    raise split
                splits.append(split)
        if min(splits) != gpus:  # a transformer left whole would compute every token on every rank
            raise RuntimeError(f"{request.model} split {min(splits)} ways on {gpus} ranks")
        sink.phase(Phase.LOADING, f"{request.model}'s attention split {gpus} ways (Ulysses)")

    # -- 3. generate ---------------------------------------------------------------------
    def _generate(self, ranks: list[Any], request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        """Rank 0's reports to ``sink`` until its result; another rank's error ends the run."""
        ray = self._ray
        run_id = uuid.uuid4().hex
        stream = ranks[0].run.options(num_returns="streaming").remote(run_id, request, seed)
        others = [r.run_quietly.remote(run_id, request, seed) for r in ranks[1:]]
        canceled_at: float | None = None
        while True:
            if canceled_at is None and sink.is_canceled():
                for rank in ranks:
                    rank.cancel.remote(run_id)
                canceled_at = time.monotonic()
            if canceled_at is not None and time.monotonic() - canceled_at > _CANCEL_GRACE_S:
                raise JobCanceledError("canceled")
            ready, _ = ray.wait(others, num_returns=len(others), timeout=0) if others else ([], [])
            for ref in ready:
                others.remove(ref)
                error = ray.get(ref)
                if error is not None:
                    raise error
            done, _ = ray.wait([stream], timeout=_POLL_S)
            if not done:
                continue
            try:
                kind, payload = ray.get(next(stream))
            except StopIteration:
                raise RuntimeError("rank 0 ended the run without a result") from None
            if kind == "result":  # a private, writable copy (see executor._stream)
                return payload.model_copy(update={"frames": np.array(payload.frames)})
            if kind == "error":
                raise payload
            if kind == "reports":
                replay(payload, sink)
