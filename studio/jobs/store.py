"""SQLite job store with numbered migrations.

Tables are migrated in order by ``PRAGMA user_version``; a migration is a list
of statements and is never edited once released, only followed by the next.
One connection, guarded by a lock, shared by the worker and the front ends.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio.errors import JobNotFoundError
from studio.types import GenerationRequest, Job, JobOutputs, JobStatus, Phase

MIGRATIONS: list[list[str]] = [
    # 1: jobs
    [
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            phase TEXT NOT NULL,
            request_json TEXT NOT NULL,
            seed INTEGER,
            step INTEGER NOT NULL DEFAULT 0,
            total_steps INTEGER NOT NULL DEFAULT 0,
            progress REAL NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            error TEXT,
            outputs_json TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL
        )""",
        "CREATE INDEX jobs_status ON jobs(status, created_at)",
        "CREATE INDEX jobs_created ON jobs(created_at)",
    ],
    # 2: audit trail (provenance of each exported job; owner nullable until jobs have owners)
    [
        """CREATE TABLE audit (
            job_id TEXT PRIMARY KEY,
            owner TEXT,
            created_at REAL NOT NULL,
            recorded_at REAL NOT NULL,
            request_sha256 TEXT NOT NULL,
            policy TEXT NOT NULL,
            model_key TEXT NOT NULL,
            model_revision TEXT,
            watermark_id TEXT,
            record_json TEXT NOT NULL
        )""",
        "CREATE INDEX audit_owner ON audit(owner, created_at)",
        "CREATE INDEX audit_created ON audit(created_at)",
    ],
]

_COLUMNS = (
    "id, status, phase, request_json, seed, step, total_steps, progress, message, error, "
    "outputs_json, created_at, started_at, finished_at"
)
_UPDATABLE = {"status", "phase", "seed", "step", "total_steps", "progress", "message", "error", "outputs", "started_at", "finished_at"}


class JobStore:
    """Persists jobs. ``path=":memory:"`` gives a private in-memory store (tests)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            self._conn.execute("BEGIN")
            for statement in statements:
                self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {number}")
            self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def insert(self, job: Job) -> None:
        row = (
            job.id, job.status.value, job.phase.value, job.request.model_dump_json(), job.seed, job.step,
            job.total_steps, job.progress, job.message, job.error, job.outputs.model_dump_json(),
            job.created_at, job.started_at, job.finished_at,
        )  # fmt: skip
        with self._lock:
            self._conn.execute(f"INSERT INTO jobs ({_COLUMNS}) VALUES ({', '.join('?' * 14)})", row)

    def update(self, job_id: str, **fields: object) -> None:
        """Set the given fields of one job (``outputs`` takes a ``JobOutputs``)."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values: dict[str, object] = {}
        for name, value in fields.items():
            if name == "outputs":
                values["outputs_json"] = value.model_dump_json()  # type: ignore[attr-defined]
            elif isinstance(value, (JobStatus, Phase)):
                values[name] = value.value
            else:
                values[name] = value
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._lock:
            cursor = self._conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*values.values(), job_id))
        if cursor.rowcount == 0:
            raise JobNotFoundError(f"no job with id {job_id!r}")

    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError(f"no job with id {job_id!r}")
        return _to_job(row)

    def recent(self, *, limit: int = 100, statuses: tuple[JobStatus, ...] = ()) -> list[Job]:
        """Newest first."""
        query = f"SELECT {_COLUMNS} FROM jobs"
        params: list[object] = []
        if statuses:
            query += f" WHERE status IN ({', '.join('?' * len(statuses))})"
            params.extend(s.value for s in statuses)
        query += " ORDER BY created_at DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        return [_to_job(row) for row in rows]

    def recover_after_restart(self) -> tuple[list[str], list[str]]:
        """Mark jobs that were running when the process died as failed.

        Returns:
            (queued job ids oldest first, to enqueue again; ids marked failed).
        """
        now = time.time()
        with self._lock:
            running = [r[0] for r in self._conn.execute("SELECT id FROM jobs WHERE status = 'running'")]
            self._conn.execute(
                "UPDATE jobs SET status = 'failed', phase = 'done', finished_at = ?, "
                "error = 'interrupted: the studio stopped while this job ran; re-run it' WHERE status = 'running'",
                (now,),
            )
            queued = [r[0] for r in self._conn.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at")]
        return queued, running

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection under the store's lock, for tables other modules own (``jobs/audit.py``)."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _to_job(row: tuple) -> Job:
    (job_id, status, phase, request_json, seed, step, total, progress, message, error,
     outputs_json, created, started, finished) = row  # fmt: skip
    return Job(
        id=job_id, status=JobStatus(status), phase=Phase(phase),
        request=GenerationRequest.model_validate(json.loads(request_json)), seed=seed, step=step,
        total_steps=total, progress=progress, message=message, error=error,
        outputs=JobOutputs.model_validate(json.loads(outputs_json)), created_at=created,
        started_at=started, finished_at=finished,
    )  # fmt: skip
