"""In-process publish/subscribe of job events, with replay.

Every subscriber gets its own queue. The bus keeps each recent job's events,
so a subscriber that arrives late (a UI stream started just after the job, an
SSE client reconnecting) first receives what already happened, then the rest.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict

from studio.types import JobEvent

_CLOSED = None  # sentinel that ends a subscription's stream


class Subscription:
    """An iterator of events; ``get`` waits up to ``timeout_s`` and returns None on timeout."""

    def __init__(self, bus: EventBus, job_id: str | None) -> None:
        self.job_id = job_id
        self._queue: queue.Queue[JobEvent | None] = queue.Queue()
        self._bus = bus

    def put(self, event: JobEvent | None) -> None:
        self._queue.put(event)

    def get(self, timeout_s: float | None = None) -> JobEvent | None:
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._bus.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class EventBus:
    """Fan-out of ``JobEvent`` to subscribers of one job or of all jobs."""

    def __init__(self, history_jobs: int = 200, history_events_per_job: int = 2000) -> None:
        self._subscribers: list[Subscription] = []
        self._history: OrderedDict[str, list[JobEvent]] = OrderedDict()
        self._history_jobs = history_jobs
        self._history_events = history_events_per_job
        self._lock = threading.Lock()

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            events = self._history.setdefault(event.job_id, [])
            self._history.move_to_end(event.job_id)
            if len(events) < self._history_events:
                events.append(event)
            while len(self._history) > self._history_jobs:
                self._history.popitem(last=False)
            targets = [s for s in self._subscribers if s.job_id in (None, event.job_id)]
        for subscription in targets:
            subscription.put(event)

    def subscribe(self, job_id: str | None = None, *, replay: bool = True) -> Subscription:
        """Subscribe to one job (or all with None); with ``replay`` the job's past events come first."""
        subscription = Subscription(self, job_id)
        with self._lock:
            if replay and job_id is not None:
                for event in self._history.get(job_id, []):
                    subscription.put(event)
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)
        subscription.put(_CLOSED)
