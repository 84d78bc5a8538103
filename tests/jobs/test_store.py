from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studio.errors import JobNotFoundError
from studio.jobs.store import MIGRATIONS, JobStore
from studio.types import GenerationRequest, Job, JobOutputs, JobStatus, Phase


def _job(job_id: str, created_at: float) -> Job:
    return Job(id=job_id, request=GenerationRequest(prompt=f"prompt {job_id}"), seed=3, created_at=created_at)


def test_migrations_bring_a_new_database_to_the_latest_version() -> None:
    assert JobStore(":memory:").schema_version == len(MIGRATIONS)


def test_insert_get_update_list() -> None:
    store = JobStore(":memory:")
    store.insert(_job("a", 1.0))
    store.insert(_job("b", 2.0))
    store.update("a", status=JobStatus.SUCCEEDED, phase=Phase.DONE, progress=1.0,
                 outputs=JobOutputs(video="video.mp4", keyframes=["k.png"]))  # fmt: skip
    job = store.get("a")
    assert job.status == JobStatus.SUCCEEDED and job.outputs.video == "video.mp4" and job.outputs.keyframes == ["k.png"]
    assert job.request.prompt == "prompt a" and job.seed == 3
    assert [j.id for j in store.recent()] == ["b", "a"]
    assert [j.id for j in store.recent(statuses=(JobStatus.QUEUED,))] == ["b"]


def test_unknown_ids_and_fields_are_refused() -> None:
    store = JobStore(":memory:")
    with pytest.raises(JobNotFoundError, match="nope"):
        store.get("nope")
    with pytest.raises(JobNotFoundError):
        store.update("nope", progress=0.5)
    store.insert(_job("a", 1.0))
    with pytest.raises(ValueError, match="request"):
        store.update("a", request="x")
    with pytest.raises(sqlite3.IntegrityError):
        store.insert(_job("a", 1.0))


def test_jobs_survive_a_reopen_and_interrupted_ones_are_marked(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    store = JobStore(path)
    store.insert(_job("done", 1.0))
    store.update("done", status=JobStatus.SUCCEEDED)
    store.insert(_job("running", 2.0))
    store.update("running", status=JobStatus.RUNNING)
    store.insert(_job("queued-2", 4.0))
    store.insert(_job("queued-1", 3.0))
    store.close()
    reopened = JobStore(path)
    queued, failed = reopened.recover_after_restart(max_attempts=2)
    assert queued == ["running", "queued-1", "queued-2"] and failed == []  # the interrupted job runs once more
    assert reopened.get("running").status == JobStatus.QUEUED
    assert "queued again after an interruption" in reopened.get("running").message
    assert reopened.get("done").status == JobStatus.SUCCEEDED
