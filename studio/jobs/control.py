"""Cancel requests and the shutdown signal, shared by the service and its workers."""

from __future__ import annotations

import threading


class JobControl:
    """Per-job cancel flags plus one ``stopping`` flag for a shutdown.

    A job stopped by its own flag ends ``canceled``; one stopped only by
    ``stopping`` ends ``interrupted`` and runs again on the next start.
    """

    def __init__(self) -> None:
        self._flags: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def flag(self, job_id: str) -> threading.Event:
        with self._lock:
            return self._flags.setdefault(job_id, threading.Event())

    def cancel(self, job_id: str) -> None:
        self.flag(job_id).set()

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._flags.pop(job_id, None)

    def stop(self) -> None:
        self.stopping.set()
