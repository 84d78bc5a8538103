"""GET /api/v1/audit: operator token, pagination, owner and time filters, JSON lines export, bad values."""

from __future__ import annotations

import json
import os

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container
from studio.jobs.audit import AuditLog, AuditRecord, FileHash

OPERATOR = {"Authorization": "Bearer op"}


@pytest.fixture
def api(settings: Settings):
    container = build_container(settings.model_copy(update={"api_token": "op", "api_tokens": "alice=client"}), start=False)
    log = AuditLog(container.store)
    for index in range(7):
        log.record(AuditRecord(job_id=f"job{index}", owner="alice" if index % 2 else "bob", created_at=1000.0 + index,
                               recorded_at=2000.0, request_sha256=f"{index:064x}", policy="no policy", model_key="wan-demo",
                               model_source="/m", watermark_id=f"{index:08x}", credentials="off",
                               outputs=[FileHash(name="video.mp4", sha256="ab" * 32, size_bytes=10)]))  # fmt: skip
    app = FastAPI()
    app.state.container = container
    install(app)
    yield TestClient(app)
    container.close()


def test_only_the_operator_reads_the_trail(api: TestClient) -> None:
    assert api.get("/api/v1/audit").status_code == 401
    assert api.get("/api/v1/audit", headers={"Authorization": "Bearer client"}).status_code == 403
    assert api.get("/api/v1/audit/export", headers={"Authorization": "Bearer client"}).status_code == 403
    assert api.get("/api/v1/audit", headers=OPERATOR).status_code == 200


def test_pages_newest_first_with_the_total(api: TestClient) -> None:
    page = api.get("/api/v1/audit?limit=3&offset=2", headers=OPERATOR).json()
    assert page["total"] == 7 and [r["job_id"] for r in page["records"]] == ["job4", "job3", "job2"]
    assert page["records"][0]["outputs"][0]["name"] == "video.mp4"


def test_filters_by_owner_time_and_watermark(api: TestClient) -> None:
    alice = api.get("/api/v1/audit?owner=alice", headers=OPERATOR).json()
    assert [r["job_id"] for r in alice["records"]] == ["job5", "job3", "job1"]
    window = api.get("/api/v1/audit?since=1002&until=1004", headers=OPERATOR).json()
    assert [r["job_id"] for r in window["records"]] == ["job3", "job2"]
    iso = api.get("/api/v1/audit?since=1970-01-01T00:16:45", headers=OPERATOR).json()  # 1005 s
    assert [r["job_id"] for r in iso["records"]] == ["job6", "job5"]
    assert api.get("/api/v1/audit?watermark_id=00000004", headers=OPERATOR).json()["records"][0]["job_id"] == "job4"


def test_export_is_json_lines_oldest_first(api: TestClient) -> None:
    response = api.get("/api/v1/audit/export?owner=bob", headers=OPERATOR)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [r["job_id"] for r in lines] == ["job0", "job2", "job4", "job6"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("since=yesterday", 422, "since must be epoch seconds or an ISO 8601 date/time, got 'yesterday'"),
        ("until=2026-13-01", 422, "until must be epoch seconds or an ISO 8601 date/time, got '2026-13-01'"),
        ("limit=0", 422, None),
        ("offset=-1", 422, None),
    ],
)
def test_bad_values_are_named(api: TestClient, query: str, status: int, message: str | None) -> None:
    response = api.get(f"/api/v1/audit?{query}", headers=OPERATOR)
    assert response.status_code == status
    if message:
        assert response.json()["detail"] == message


def test_retention_removes_the_audit_records_of_removed_outputs(settings: Settings) -> None:
    from studio.container import _retention

    settings = settings.model_copy(update={"output_retention_days": 1.0})
    container = build_container(settings, start=False)
    try:
        log = AuditLog(container.store)
        for job_id in ("old", "new"):
            (settings.outputs_dir / job_id).mkdir(parents=True)
            (settings.outputs_dir / job_id / "video.mp4").write_bytes(b"x")
            log.record(AuditRecord(job_id=job_id, created_at=1.0, recorded_at=1.0, request_sha256="0" * 64, policy="no policy",
                                   model_key="m", model_source="s", credentials="off"))  # fmt: skip
        os.utime(settings.outputs_dir / "old" / "video.mp4", (0, 0))
        os.utime(settings.outputs_dir / "old", (0, 0))
        task = _retention(settings, container.store)
        assert task is not None
        task._clean()
        assert [r.job_id for r in log.page().records] == ["new"]
    finally:
        container.close()
