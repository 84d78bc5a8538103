"""Which worker runs the next job: model affinity first, then the least loaded.

The pool keeps, per worker, whether it is free, the model keys its cache held
after its last run, and how many jobs it ran. ``acquire(model)`` blocks until
a worker is free, then picks, among the free ones:

1. one that has ``model`` loaded (affinity: no load, no eviction);
2. else the one with the fewest models loaded (a load there evicts least),
   then the fewest jobs run (spreads a cold start over every worker).

A worker that died is ``restarting`` while Ray starts it again (its cache is
gone) and ``ready`` once it answers; it is skipped meanwhile. When no worker
is alive or coming back, ``acquire`` raises instead of waiting forever.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from studio.errors import ClusterError


@dataclass
class Slot:
    """One worker actor as the pool sees it."""

    name: str
    handle: Any  # ray.actor.ActorHandle
    info: dict[str, Any] = field(default_factory=dict)
    state: str = "ready"  # ready | busy | restarting | dead
    job_id: str | None = None
    warm: tuple[str, ...] = ()
    jobs_run: int = 0


class WorkerPool:
    """Thread-safe choice and bookkeeping of the worker slots (see the module docstring)."""

    def __init__(self, slots: list[Slot]) -> None:
        self._slots = slots
        self._cond = threading.Condition()
        self._closed = False

    @property
    def slots(self) -> list[Slot]:
        with self._cond:
            return list(self._slots)

    def acquire(self, model: str, job_id: str | None = None) -> Slot:
        """Block until a worker is free and take the best one for ``model``.

        Raises:
            ClusterError: every worker is dead (none will come back), or the pool was closed.
        """
        with self._cond:
            while True:
                if self._closed:
                    raise ClusterError("the Ray workers are shutting down")
                free = [s for s in self._slots if s.state == "ready"]
                if free:
                    slot = min(free, key=lambda s: (model not in s.warm, len(s.warm), s.jobs_run))
                    slot.state, slot.job_id = "busy", job_id
                    return slot
                if all(s.state == "dead" for s in self._slots):
                    raise ClusterError("every Ray worker has died and Ray will not restart them; restart the studio")
                self._cond.wait()

    def release(self, slot: Slot, warm: tuple[str, ...] | None) -> None:
        """The run on ``slot`` ended; ``warm``: the models its cache holds now (None: unknown, keep the last)."""
        with self._cond:
            if slot.state == "busy":
                slot.state = "ready"
            slot.job_id = None
            slot.jobs_run += 1
            if warm is not None:
                slot.warm = warm
            self._cond.notify_all()

    def lost(self, slot: Slot) -> None:
        """The worker died: skip it until ``back`` (its cache went with it)."""
        with self._cond:
            slot.state, slot.job_id, slot.warm = "restarting", None, ()
            self._cond.notify_all()

    def back(self, slot: Slot, info: dict[str, Any] | None) -> None:
        """Ray restarted the worker (``info`` from it), or gave up on it (None)."""
        with self._cond:
            slot.state = "ready" if info is not None else "dead"
            if info is not None:
                slot.info = info
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
