"""Status polls and event streams while the worker generates: store reads never run on the event loop.

The worker holds the executor (a stub blocked on an event) or the store's lock
(a long write); polls, streams and other routes still answer, and every store
read of the jobs routes happens in a pool thread, not in the loop's thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import Container, build_container
from studio.jobs.service import JobService
from tests.jobs.stub_executor import StubExecutor

JOB = {"prompt": "a fox", "model": "wan-demo", "width": 32, "height": 32, "num_frames": 5, "steps": 2}


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@dataclass
class Rig:
    client: TestClient
    container: Container
    executor: StubExecutor
    #: for each ``JobService.get`` call: did it run in the event loop's thread?
    reads_on_loop: list[bool]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory, shared_model_dir) -> Iterator[Rig]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("poll-data"), model_dir=shared_model_dir, device="cpu", offline=True)
    container = build_container(settings, start=False)
    executor = StubExecutor()
    container.jobs = JobService(settings, container.store, container.bus, container.registry, executor)
    reads_on_loop: list[bool] = []
    read = container.jobs.get

    def recording_get(*args, **kwargs):
        reads_on_loop.append(_on_event_loop())
        return read(*args, **kwargs)

    container.jobs.get = recording_get  # type: ignore[method-assign]
    container.jobs.start()
    app = FastAPI()
    app.state.container = container
    install(app)
    with TestClient(app) as client:
        yield Rig(client, container, executor, reads_on_loop)
    executor.release.set()
    container.close()


@pytest.fixture
def blocked(rig: Rig) -> Iterator[str]:
    """A job whose run is inside the executor, held there until the test ends."""
    rig.executor.release.clear()
    rig.executor.entered.clear()
    response = rig.client.post("/api/v1/jobs", json=JOB)
    assert response.status_code == 202, response.text
    assert rig.executor.entered.wait(10), "the worker never took the job"
    rig.reads_on_loop.clear()
    yield response.json()["id"]
    rig.executor.release.set()


def test_a_poll_is_answered_while_the_worker_holds_the_executor_and_reads_off_the_loop(rig: Rig, blocked: str) -> None:
    response = rig.client.get(f"/api/v1/jobs/{blocked}")
    assert response.status_code == 200
    assert response.json()["status"] == "running"
    assert rig.reads_on_loop == [False]


def test_a_poll_waiting_for_the_store_leaves_the_loop_serving_other_requests(rig: Rig, blocked: str) -> None:
    answers: dict[str, int] = {}

    def poll() -> None:
        answers["poll"] = rig.client.get(f"/api/v1/jobs/{blocked}").status_code

    def health() -> None:
        answers["health"] = rig.client.get("/api/v1/health").status_code

    with rig.container.store.locked():  # a long write by the worker holds the store
        poller = threading.Thread(target=poll)
        poller.start()
        poller.join(0.3)
        assert poller.is_alive(), "the poll should wait for the store"
        other = threading.Thread(target=health)
        other.start()
        other.join(10)
        assert not other.is_alive(), "the event loop was blocked by a poll waiting for the store"
        assert "poll" not in answers
    poller.join(10)
    assert answers == {"poll": 200, "health": 200}


def test_an_event_stream_reads_the_store_off_the_loop_and_ends_with_the_job(rig: Rig, blocked: str) -> None:
    releaser = threading.Timer(0.5, rig.executor.release.set)  # the stream is open and waiting when the run goes on
    releaser.start()
    events = []
    with rig.client.stream("GET", f"/api/v1/jobs/{blocked}/events") as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    releaser.join()
    assert events[0]["status"] == "queued"
    assert events[-1]["status"] == "succeeded"
    assert events[-1]["job"]["id"] == blocked
    assert any(e["kind"] == "progress" for e in events)
    assert rig.reads_on_loop and not any(rig.reads_on_loop), rig.reads_on_loop
