"""The audit trail: one record per exported job (who, what was asked, what the policy said, what came out).

Records live in the ``audit`` table of ``jobs.db`` (migration 3) and repeat
what ``metadata.json`` says under ``provenance``, so the trail survives a
deleted output folder and can be queried by owner and time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pydantic import BaseModel, Field

from studio.jobs.store import JobStore


class FileHash(BaseModel):
    name: str
    sha256: str
    size_bytes: int


class AuditRecord(BaseModel):
    """What the studio knows about the provenance of one job's outputs."""

    job_id: str
    owner: str | None = None
    created_at: float
    recorded_at: float
    request_sha256: str
    policy: str  # e.g. "allowed (policy sha256 1a2b3c4d5e6f, rules)" or "no policy"
    model_key: str
    model_source: str
    model_revision: str | None = None
    #: for a model loaded from a local folder: sha256 of each file (the folder has no revision)
    model_files: list[FileHash] = Field(default_factory=list)
    watermark_id: str | None = None
    credentials: str  # "signed by <source>" or "off"
    inputs: list[FileHash] = Field(default_factory=list)
    outputs: list[FileHash] = Field(default_factory=list)


class AuditPage(BaseModel):
    records: list[AuditRecord]
    total: int
    offset: int
    limit: int


class AuditLog:
    """Writes and queries audit records through the job store's connection."""

    def __init__(self, store: JobStore) -> None:
        self._store = store

    def record(self, record: AuditRecord) -> None:
        row = (record.job_id, record.owner, record.created_at, record.recorded_at, record.request_sha256, record.policy,
               record.model_key, record.model_revision, record.watermark_id, record.model_dump_json())  # fmt: skip
        with self._store.locked() as conn:
            conn.execute("INSERT OR REPLACE INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def forget(self, job_ids: list[str]) -> None:
        """Drop the records of jobs whose outputs were removed (retention)."""
        with self._store.locked() as conn:
            conn.executemany("DELETE FROM audit WHERE job_id = ?", [(job_id,) for job_id in job_ids])

    @staticmethod
    def _where(owner: str | None, since: float | None, until: float | None, watermark_id: str | None) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        for clause, value in (("owner = ?", owner), ("created_at >= ?", since), ("created_at < ?", until),
                              ("watermark_id = ?", watermark_id)):  # fmt: skip
            if value is not None:
                clauses.append(clause)
                params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def page(self, *, owner: str | None = None, since: float | None = None, until: float | None = None,
             watermark_id: str | None = None, offset: int = 0, limit: int = 50) -> AuditPage:  # fmt: skip
        """Newest first, ``limit`` records from ``offset``, with the total that matches."""
        where, params = self._where(owner, since, until, watermark_id)
        with self._store.locked() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM audit{where}", params).fetchone()[0]
            rows = conn.execute(f"SELECT record_json FROM audit{where} ORDER BY created_at DESC, job_id LIMIT ? OFFSET ?",
                                [*params, limit, offset]).fetchall()  # fmt: skip
        return AuditPage(records=[AuditRecord.model_validate_json(r[0]) for r in rows], total=total, offset=offset, limit=limit)

    def export_lines(self, *, owner: str | None = None, since: float | None = None, until: float | None = None) -> Iterator[str]:
        """Every matching record as one JSON line, oldest first, read in batches."""
        where, params = self._where(owner, since, until, None)
        offset = 0
        while True:
            with self._store.locked() as conn:
                rows = conn.execute(f"SELECT record_json FROM audit{where} ORDER BY created_at, job_id LIMIT 500 OFFSET ?",
                                    [*params, offset]).fetchall()  # fmt: skip
            if not rows:
                return
            for (text,) in rows:
                yield json.dumps(json.loads(text), separators=(",", ":")) + "\n"
            offset += len(rows)
