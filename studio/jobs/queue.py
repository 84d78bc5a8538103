"""A small lock-guarded FIFO of job ids."""

from __future__ import annotations

import threading
from collections import deque


class JobQueue:
    """FIFO of job ids; ``take`` blocks until one is there or the queue is closed (then None)."""

    def __init__(self) -> None:
        self._items: deque[str] = deque()
        self._cond = threading.Condition()
        self._closed = False

    def put(self, job_id: str) -> None:
        with self._cond:
            self._items.append(job_id)
            self._cond.notify()

    def take(self, timeout_s: float | None = None) -> str | None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._items or self._closed, timeout=timeout_s):
                return None
            return None if self._closed else self._items.popleft()

    def remove(self, job_id: str) -> bool:
        with self._cond:
            try:
                self._items.remove(job_id)
                return True
            except ValueError:
                return False

    def position(self, job_id: str) -> int | None:
        with self._cond:
            return self._items.index(job_id) if job_id in self._items else None

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
