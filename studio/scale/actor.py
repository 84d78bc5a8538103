"""The Ray worker actor: owns its device(s), its own model manager and runner.

Ray gives the actor its GPUs (``CUDA_VISIBLE_DEVICES``), so the engine it
builds from the studio's ``Settings`` sees exactly those. A run is a streaming
generator (``num_returns="streaming"``): the runner works in a thread of the
actor and every report it makes (phase, progress, preview) becomes the next
item of the stream, then the worker's cache, then the result; frames and
previews travel through Ray's object store. The actor is threaded
(``max_concurrency`` > 1), so ``cancel``, ``cache`` and ``estimate`` answer
while a run is going: ``cancel`` sets the flag the run's sink reports, and the
runner stops at its next check (every step and every denoiser call), as in
one process.
"""

from __future__ import annotations

import os
import pickle
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from studio.config import Settings
from studio.jobs.relay import QueueSink, relay
from studio.scale.state import CachedModel
from studio.types import GenerationRequest, KeyframeConditions, ProgressSink

#: the kinds of item a run's stream yields, in order: ("reports", [report, ...])..., "cache", then "result" or "error".
Report = tuple[str, Any]
#: the kinds that end a run.
_ENDS = ("result", "error")
#: how long a worker gathers reports into one item of the stream: each item is a round trip through Ray
#: (and the object store), so a run of fast steps sends a few batches instead of one item per report.
#: Every report is in some batch, in order; events reach the studio at most this much later.
GATHER_S = 0.05


def _sendable(exc: BaseException) -> BaseException:
    """The exception itself when it pickles (studio errors keep their type), else a RuntimeError naming it."""
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class StudioWorker:
    """One worker: ``run`` streams a job, ``cancel`` stops it, ``cache`` and ``estimate`` answer meanwhile."""

    def __init__(self, name: str, settings: Settings, torch_threads: int) -> None:
        from studio.engine import build_engine
        from studio.engine.registry import ModelRegistry

        self._name = name
        self._torch_threads = torch_threads
        self._pin_threads()
        # previews cross to the studio process, which writes them: the workers' own (sparser) cadence
        settings = settings.model_copy(update={"preview_min_interval_ms": settings.ray_preview_min_interval_ms})
        self._device, self._manager, self._runner = build_engine(settings, ModelRegistry(offline=settings.offline))
        self._cancels: dict[str, threading.Event] = {}

    def _pin_threads(self) -> None:
        if self._torch_threads:
            import torch

            torch.set_num_threads(self._torch_threads)

    def describe(self) -> dict[str, Any]:
        """Where this worker runs: node, device, the GPUs Ray gave it, process id."""
        gpus = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        return {"name": self._name, "node": socket.gethostname(), "device": str(self._device.device),
                "gpus": [g for g in gpus.split(",") if g], "pid": os.getpid()}  # fmt: skip

    def cache(self) -> list[CachedModel]:
        return [CachedModel(key=m.key, modes=list(m.modes), size_gb=m.size_gb, policy=str(m.policy), in_use=m.in_use)
                for m in self._manager.loaded()]  # fmt: skip

    def estimate(self, request: GenerationRequest) -> Any:
        return self._manager.estimate(request)

    def cancel(self, run_id: str) -> None:
        """Ask run ``run_id`` to stop at its next check.

        Calls of a threaded actor may overtake each other: a cancel that comes before its run starts leaves
        the flag set for it (one small entry stays behind when a cancel comes after its run ended).
        """
        self._cancels.setdefault(run_id, threading.Event()).set()

    def run(self, run_id: str, request: GenerationRequest, seed: int,
            keyframes: KeyframeConditions | None = None) -> Iterator[Report]:  # fmt: skip
        """Stream of one generation: ("reports", [("phase"|"progress"|"preview"|"segment", args), ...])...,
        ("cache", keys), ("result"|"error", x); ``keyframes`` as the runner takes them (keyframe mode's model fill-in)."""
        reports: queue.Queue[Report] = queue.Queue()
        cancel = self._cancels.setdefault(run_id, threading.Event())

        def target() -> None:
            self._pin_threads()  # torch's thread count is per thread under OpenMP
            try:
                reports.put(("result", self._runner.run(request, seed, QueueSink(reports, cancel), keyframes)))
            except BaseException as exc:  # handed to the studio, which ends the job with it
                reports.put(("error", _sendable(exc)))

        threading.Thread(target=target, name=f"{self._name}-run", daemon=True).start()
        try:
            while True:
                batch = gather(reports, GATHER_S)
                end = batch.pop() if batch[-1][0] in _ENDS else None
                if batch:
                    yield "reports", batch
                if end is not None:
                    yield "cache", [m.key for m in self._manager.loaded()]
                    yield end
                    return
        finally:
            self._cancels.pop(run_id, None)


def gather(reports: queue.Queue[Report], within_s: float) -> list[Report]:
    """The next report (waiting for it), then those that come within ``within_s`` of it, up to a run's end."""
    batch = [reports.get()]
    deadline = time.monotonic() + within_s
    while batch[-1][0] not in _ENDS:
        try:
            batch.append(reports.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            break
    return batch


def replay(batch: list[Report], sink: ProgressSink) -> None:
    """Hand a gathered batch (the payload of a "reports" item) to the job's ``sink``, in order."""
    for kind, args in batch:
        relay(kind, args, sink)
