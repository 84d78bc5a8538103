"""SQLite job store with numbered migrations.

Tables are migrated in order by ``PRAGMA user_version``; a migration is a list
of statements and is never edited once released, only followed by the next.
One connection, guarded by a lock, shared by the worker and the front ends.
A new ``Job`` field needs a migration adding its column (JSON ones also an
entry in ``_JSON_COLUMNS``); rows are read and written by field name.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from studio.errors import JobFinalError, JobNotFoundError
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
    # 2: owners, attempts and structured results; uploads; webhook deliveries and their attempts
    [
        "ALTER TABLE jobs ADD COLUMN owner TEXT",
        "ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN keyframe_indices_json TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE jobs ADD COLUMN notes_json TEXT NOT NULL DEFAULT '[]'",
        "CREATE INDEX jobs_owner ON jobs(owner, created_at)",
        """CREATE TABLE files (
            handle TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            path TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL,
            event TEXT NOT NULL,
            url TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            last_status_code INTEGER,
            last_error TEXT,
            created_at REAL NOT NULL
        )""",
        "CREATE INDEX deliveries_due ON webhook_deliveries(status, next_attempt_at)",
        "CREATE INDEX deliveries_job ON webhook_deliveries(job_id, created_at)",
        """CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at REAL NOT NULL,
            status_code INTEGER,
            error TEXT,
            duration_ms REAL NOT NULL,
            PRIMARY KEY (delivery_id, attempt)
        )""",
    ],
    # 3: audit trail (provenance of each exported job: hashes, policy, model, watermark)
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
    # 4: scale out: the Ray worker that ran each job
    ["ALTER TABLE jobs ADD COLUMN worker TEXT"],
]

#: Job fields kept as JSON text, and their columns; every other field has a column of its own name.
_JSON_COLUMNS = {"request": "request_json", "outputs": "outputs_json",
                 "keyframe_indices": "keyframe_indices_json", "notes": "notes_json"}  # fmt: skip
_FIELDS = tuple(Job.model_fields)
_COLUMNS = ", ".join(_JSON_COLUMNS.get(name, name) for name in _FIELDS)
_UPDATABLE = set(_FIELDS) - {"id", "request", "created_at"}
_FINAL = tuple(s.value for s in JobStatus if s.is_terminal)


class JobStore:
    """Persists jobs (and, through ``execute``/``query``, uploads and webhook deliveries).

    Final states are final: ``update`` refuses to change a succeeded, failed or
    canceled job. ``path=":memory:"`` gives a private in-memory store (tests).
    """

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
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

    # -- raw access for the sibling tables (files, webhook deliveries) ------------------
    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- jobs -------------------------------------------------------------------------
    def insert(self, job: Job) -> None:
        row = [_column_value(name, getattr(job, name)) for name in _FIELDS]
        with self._lock:
            self._conn.execute(f"INSERT INTO jobs ({_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)

    def update(self, job_id: str, **fields: object) -> None:
        """Set the given fields of a job that is not final yet.

        Raises:
            JobNotFoundError: no such job.
            JobFinalError: the job already succeeded, failed or was canceled.
        """
        if not self._set(job_id, "status NOT IN ({})".format(", ".join("?" * len(_FINAL))), _FINAL, fields):
            final = self.get(job_id).status  # raises JobNotFoundError for an unknown id
            raise JobFinalError(f"job {job_id!r} already {final.value}; a finished job does not change")

    def transition(self, job_id: str, expected: tuple[JobStatus, ...], **fields: object) -> bool:
        """Set ``fields`` only if the job's status is one of ``expected`` (atomic); True when it was."""
        return self._set(job_id, "status IN ({})".format(", ".join("?" * len(expected))), [s.value for s in expected], fields)

    def claim(self, job_id: str) -> bool:
        """Atomically take a queued job for running (one worker wins); counts the attempt."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE jobs SET status = 'running', started_at = ?, attempts = attempts + 1 WHERE id = ? AND status = 'queued'",
                (time.time(), job_id),
            )
        return cursor.rowcount == 1

    def _set(self, job_id: str, condition: str, condition_params: Sequence[object], fields: dict[str, object]) -> bool:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        assignments = ", ".join(f"{_JSON_COLUMNS.get(name, name)} = ?" for name in fields)
        values = [_column_value(name, value) for name, value in fields.items()]
        with self._lock:
            cursor = self._conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ? AND {condition}",
                                        (*values, job_id, *condition_params))  # fmt: skip
        return cursor.rowcount == 1

    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError(f"no job with id {job_id!r}")
        return _to_job(row)

    def recent(self, *, limit: int = 100, statuses: tuple[JobStatus, ...] = (), owner: str | None = None,
               before: tuple[float, str] | None = None) -> list[Job]:  # fmt: skip
        """Newest first; only ``owner``'s jobs when given; ``before`` = (created_at, id) of the last job of the previous page."""
        clauses: list[str] = []
        params: list[object] = []
        if statuses:
            clauses.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(s.value for s in statuses)
        if owner is not None:
            clauses.append("owner = ?")
            params.append(owner)
        if before is not None:
            clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
            params.extend((before[0], before[0], before[1]))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        query = f"SELECT {_COLUMNS} FROM jobs{where} ORDER BY created_at DESC, id DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(query, (*params, limit)).fetchall()
        return [_to_job(row) for row in rows]

    def recover_after_restart(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """Queue again the jobs a dead process left running or interrupted, once; fail those out of attempts.

        Returns:
            (queued job ids oldest first, re-queued ones included; ids failed for good).
        """
        now = time.time()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            stuck = self._conn.execute("SELECT id, attempts FROM jobs WHERE status IN ('running', 'interrupted')").fetchall()
            failed = [r["id"] for r in stuck if r["attempts"] >= max_attempts]
            for row in stuck:
                if row["attempts"] >= max_attempts:
                    self._conn.execute(
                        "UPDATE jobs SET status = 'failed', phase = 'done', finished_at = ?, error = ? WHERE id = ?",
                        (now, f"interrupted: the studio stopped while this job ran, {row['attempts']} times "
                              f"(the limit is {max_attempts} attempts); re-run it", row["id"]),
                    )  # fmt: skip
                else:
                    self._conn.execute(
                        "UPDATE jobs SET status = 'queued', phase = 'queued', step = 0, progress = 0, message = ? WHERE id = ?",
                        (f"queued again after an interruption (attempt {row['attempts']} of {max_attempts} was cut short)", row["id"]),
                    )  # fmt: skip
            self._conn.execute("COMMIT")
            queued = [r[0] for r in self._conn.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at")]
        return queued, failed

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection under the store's lock, for tables other modules own (``jobs/audit.py``)."""
        with self._lock:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _column_value(name: str, value: object) -> object:
    if name in ("request", "outputs"):
        return value.model_dump_json()  # type: ignore[attr-defined]
    if name in _JSON_COLUMNS:
        return json.dumps(value)
    if isinstance(value, (JobStatus, Phase)):
        return value.value
    return value


def _to_job(row: sqlite3.Row) -> Job:
    values = {name: row[_JSON_COLUMNS.get(name, name)] for name in _FIELDS}
    values["request"] = GenerationRequest.model_validate_json(values["request"])
    values["outputs"] = JobOutputs.model_validate_json(values["outputs"])
    values["keyframe_indices"] = json.loads(values["keyframe_indices"])
    values["notes"] = json.loads(values["notes"])
    return Job.model_validate(values)
