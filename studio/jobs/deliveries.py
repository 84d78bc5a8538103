"""Webhook deliveries as stored rows: what to send where, every attempt, and when to try next."""

from __future__ import annotations

import time
import uuid

from pydantic import BaseModel, Field

from studio.jobs.store import JobStore


class DeliveryAttempt(BaseModel):
    attempt: int
    at: float
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


class Delivery(BaseModel):
    """One event for one URL; ``id`` is the Standard Webhooks message id, the same on every retry."""

    id: str
    job_id: str
    event: str
    url: str
    payload: str
    #: pending (will be tried at ``next_attempt_at``), delivered, or failed (given up).
    status: str
    attempts: int = 0
    next_attempt_at: float | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: float
    log: list[DeliveryAttempt] = Field(default_factory=list)


_COLUMNS = "id, job_id, event, url, payload, status, attempts, next_attempt_at, last_status_code, last_error, created_at"


class DeliveryStore:
    """The ``webhook_deliveries`` and ``webhook_attempts`` tables of the job store."""

    def __init__(self, store: JobStore) -> None:
        self._store = store

    def add(self, job_id: str, event: str, url: str, payload: str) -> str:
        delivery_id = f"msg_{uuid.uuid4().hex}"
        now = time.time()
        self._store.execute(
            f"INSERT INTO webhook_deliveries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, ?)",
            (delivery_id, job_id, event, url, payload, now, now),
        )
        return delivery_id

    def due(self, now: float, limit: int = 20) -> list[Delivery]:
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        )
        return [Delivery(**dict(row)) for row in rows]

    def next_due_at(self) -> float | None:
        rows = self._store.query("SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'")
        return rows[0][0] if rows else None

    def record(self, delivery: Delivery, attempt: DeliveryAttempt, status: str, next_attempt_at: float | None) -> None:
        """Log one attempt and the delivery's new state."""
        self._store.execute(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
            (delivery.id, attempt.attempt, attempt.at, attempt.status_code, attempt.error, attempt.duration_ms),
        )
        self._store.execute(
            "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, "
            "last_error = ? WHERE id = ?",
            (status, attempt.attempt, next_attempt_at, attempt.status_code, attempt.error, delivery.id),
        )

    def for_job(self, job_id: str) -> list[Delivery]:
        """The job's deliveries, oldest first, each with its attempt log."""
        rows = self._store.query(f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE job_id = ? ORDER BY created_at", (job_id,))
        deliveries = [Delivery(**dict(row)) for row in rows]
        for delivery in deliveries:
            attempts = self._store.query(
                "SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
                (delivery.id,),
            )
            delivery.log = [DeliveryAttempt(**dict(row)) for row in attempts]
        return deliveries
