"""In-process publish/subscribe of job events, with replay.

Every subscriber gets its own queue. The bus numbers each job's events
(``JobEvent.seq`` = 1, 2, ...) and keeps each recent job's events, so a
subscriber that arrives late (a UI stream started just after the job, an SSE
client reconnecting with ``Last-Event-ID``) first receives what already
happened, then the rest. ``boot`` tells one process's numbering from the next.
Listeners are called synchronously on every event (webhooks record their
deliveries there, right after the state change was stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable

from studio.types import JobEvent

logger = logging.getLogger(__name__)
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


class AsyncSubscription(Subscription):
    """A subscription read from an asyncio loop (SSE): the publisher's thread hands events to the loop."""

    def __init__(self, bus: EventBus, job_id: str | None, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(bus, job_id)
        self._loop = loop
        self._async_queue: asyncio.Queue[JobEvent | None] = asyncio.Queue()

    def put(self, event: JobEvent | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the client is gone
            self._loop.call_soon_threadsafe(self._async_queue.put_nowait, event)

    async def next(self, timeout_s: float) -> JobEvent | None:
        try:
            return await asyncio.wait_for(self._async_queue.get(), timeout_s)
        except asyncio.TimeoutError:
            return None


class EventBus:
    """Fan-out of ``JobEvent`` to subscribers of one job or of all jobs."""

    def __init__(self, history_jobs: int = 200, history_events_per_job: int = 2000) -> None:
        self.boot = uuid.uuid4().hex[:8]
        self._subscribers: list[Subscription] = []
        self._listeners: list[Callable[[JobEvent], None]] = []
        self._history: OrderedDict[str, list[JobEvent]] = OrderedDict()
        self._counters: OrderedDict[str, int] = OrderedDict()
        self._history_jobs = history_jobs
        self._history_events = history_events_per_job
        self._lock = threading.Lock()

    def add_listener(self, listener: Callable[[JobEvent], None]) -> None:
        """Call ``listener(event)`` on every event, in the publisher's thread (its errors are logged, not raised)."""
        self._listeners.append(listener)

    def publish(self, event: JobEvent) -> JobEvent:
        """Number, keep and fan out ``event``; returns it numbered."""
        with self._lock:
            seq = self._counters.get(event.job_id, 0) + 1
            self._counters[event.job_id] = seq
            self._counters.move_to_end(event.job_id)
            event = event.model_copy(update={"seq": seq})
            events = self._history.setdefault(event.job_id, [])
            self._history.move_to_end(event.job_id)
            if len(events) < self._history_events:
                events.append(event)
            while len(self._history) > self._history_jobs:
                self._history.popitem(last=False)
            while len(self._counters) > self._history_jobs:
                self._counters.popitem(last=False)
            targets = [s for s in self._subscribers if s.job_id in (None, event.job_id)]
        for subscription in targets:
            subscription.put(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a listener must never break the publisher (the worker)
                logger.exception("event listener failed on %s event of job %s", event.kind, event.job_id)
        return event

    def subscribe(self, job_id: str | None = None, *, replay: bool = True) -> Subscription:
        """Subscribe to one job (or all with None); with ``replay`` the job's past events come first."""
        return self._add(Subscription(self, job_id), replay)

    def subscribe_async(self, job_id: str, loop: asyncio.AbstractEventLoop, *, replay: bool = True) -> AsyncSubscription:
        subscription = AsyncSubscription(self, job_id, loop)
        self._add(subscription, replay)
        return subscription

    def _add(self, subscription: Subscription, replay: bool) -> Subscription:
        with self._lock:
            if replay and subscription.job_id is not None:
                for event in self._history.get(subscription.job_id, []):
                    subscription.put(event)
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)
        subscription.put(_CLOSED)
