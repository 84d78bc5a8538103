"""The Ray executor on a local Ray cluster of 2 CPUs with 2 worker actors (started once for the module).

Real demo pipelines run in the actors; the studio's store, queue and events stay in this process.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import Container, build_container
from studio.engine.demo import ensure_demo
from studio.engine.registry import ModelRegistry
from studio.errors import ClusterError, InvalidRequestError
from studio.scale.cluster import SYSTEM_CONFIG
from studio.scale.executor import RayExecutor
from studio.types import GenerationRequest, Job, JobEvent, JobStatus
from studio.ui.common import JOB_COLUMNS, job_row
from studio.ui.workers_view import workers_markdown

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

_MODELS = ("wan-demo", "wan22-ti2v-demo")


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Container]:
    registry = ModelRegistry(offline=True)
    for key in _MODELS:  # built here once, so the workers only load them
        ensure_demo(shared_model_dir, registry.resolve(key))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _system_config=SYSTEM_CONFIG)
    settings = Settings(data_dir=tmp_path_factory.mktemp("ray") / "data", model_dir=shared_model_dir, device="cpu",
                        offline=True, executor="ray", ray_workers=2, ray_cpus_per_worker=1, ray_torch_threads=1,
                        c2pa_signing=False, watermark=False, api_token="op-token", api_tokens="alice=alice-token")  # fmt: skip
    container = build_container(settings)
    try:
        yield container
    finally:
        container.close()
        ray.shutdown()


def _request(model: str = "wan-demo", steps: int = 2, seed: int = 1, **extra: object) -> GenerationRequest:
    values = {"width": 64, "height": 64, "num_frames": 5, **extra}
    return GenerationRequest(prompt="a lighthouse at dusk", model=model, steps=steps, seed=seed, **values)  # type: ignore[arg-type]


def _events(studio: Container, job_id: str) -> list[JobEvent]:
    """The job's whole event history, as a late subscriber gets it."""
    events = []
    with studio.jobs.subscribe(job_id) as subscription:
        while (event := subscription.get(timeout_s=0.05)) is not None:
            events.append(event)
    return events


def _wait_for(predicate, timeout_s: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _running_step(studio: Container, job_id: str, step: int = 1) -> Job:
    _wait_for(lambda: studio.jobs.get(job_id).step >= step and studio.jobs.get(job_id).worker is not None)
    return studio.jobs.get(job_id)


def test_jobs_spread_over_both_workers_and_record_which_ran_them(studio: Container) -> None:
    jobs = [studio.jobs.submit(_request(steps=6, seed=i)) for i in range(4)]
    done = [studio.jobs.wait(job.id, 300) for job in jobs]
    assert [job.status for job in done] == [JobStatus.SUCCEEDED] * 4, [job.error for job in done]
    assert {job.worker for job in done} == {"ray-0", "ray-1"}
    assert [job_row(job)[JOB_COLUMNS.index("worker")] for job in done] == [job.worker for job in done]  # Jobs tab
    for job in done:
        assert (studio.jobs.output_dir(job.id) / job.outputs.video).stat().st_size > 0  # exported here, from the frames


def test_events_arrive_in_order_and_none_is_lost(studio: Container) -> None:
    job = studio.jobs.wait(studio.jobs.submit(_request(steps=5, seed=7)).id, 300)
    assert job.status == JobStatus.SUCCEEDED
    events = _events(studio, job.id)
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + len(events)))
    steps = [e.step for e in events if e.kind == "progress"]
    assert steps == [1, 2, 3, 4, 5]
    kinds = [e.kind for e in events]
    assert kinds[0] == "status" and events[0].status == JobStatus.QUEUED
    assert f"running on {job.worker}" in [e.message for e in events if e.kind == "log"]
    assert kinds.index("preview") > kinds.index("log") and kinds.index("output") > max(i for i, k in enumerate(kinds) if k == "progress")
    phases = [e.phase.value for e in events if e.kind == "phase"]
    assert phases.index("loading") < phases.index("denoising") < phases.index("decoding") < phases.index("exporting")
    assert events[-1].kind == "status" and events[-1].status == JobStatus.SUCCEEDED
    previews = [e for e in events if e.kind == "preview"]
    assert previews and all(Path(p).is_file() for p in previews[-1].preview_paths)
    assert previews[0].step == 1 and previews[-1].step == 5  # the workers' sparser cadence keeps the first and last


def test_a_job_goes_to_the_worker_with_its_model_warm(studio: Container) -> None:
    by_model: dict[str, set[str]] = {key: set() for key in _MODELS}
    for round_ in range(3):
        for key in _MODELS:  # one at a time, so both workers are free at each choice
            job = studio.jobs.wait(studio.jobs.submit(_request(key, seed=round_)).id, 300)
            assert job.status == JobStatus.SUCCEEDED, job.error
            by_model[key].add(job.worker)  # type: ignore[arg-type]
    (ti2v_worker,) = by_model["wan22-ti2v-demo"]  # always the same worker, once it has the model
    caches = {w.name: [m.key for m in w.cache or []] for w in studio.ray.workers()}  # type: ignore[union-attr]
    assert "wan22-ti2v-demo" in caches[ti2v_worker]
    assert [w for w, keys in caches.items() if "wan22-ti2v-demo" in keys] == [ti2v_worker]


def test_keyframe_mode_with_the_model_fill_in_runs_on_a_worker(studio: Container) -> None:
    """The keyframes travel to the worker in memory beside the request; the fill-in is conditioned on them there."""
    ensure_demo(studio.settings.model_dir, studio.registry.resolve("ltx-condition-demo"))
    request = _request("ltx-condition-demo", width=96, height=64, num_frames=17, keyframe_factor=2, keyframe_fill="model")
    job = studio.jobs.wait(studio.jobs.submit(request).id, 300)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.outputs.frame_origins is not None and job.outputs.frame_origins.generated == list(range(0, 17, 2))
    assert any(n.startswith("model fill-in: 9 keyframes conditioned") for n in job.notes), job.notes


def test_the_workers_and_their_caches_are_listed(studio: Container) -> None:
    workers = studio.ray.workers()  # type: ignore[union-attr]
    assert [w.name for w in workers] == ["ray-0", "ray-1"]
    assert all(w.state == "ready" and w.device == "cpu" and w.pid for w in workers)
    assert {w.pid for w in workers}.isdisjoint({os.getpid()})  # each in a process of its own


def test_the_api_and_the_models_tab_show_each_worker_and_its_job_to_the_operator_only(studio: Container) -> None:
    app = FastAPI()
    app.state.container = studio
    install(app)
    api = TestClient(app)
    job = studio.jobs.submit(_request(steps=200, seed=5))
    try:
        worker = _running_step(studio, job.id).worker
        operator = api.get("/api/v1/workers", headers={"Authorization": "Bearer op-token"}).json()
        client = api.get("/api/v1/workers", headers={"Authorization": "Bearer alice-token"}).json()
        job_view = api.get(f"/api/v1/jobs/{job.id}", headers={"Authorization": "Bearer op-token"}).json()
        tab = workers_markdown(studio.ray.workers())  # type: ignore[union-attr]
    finally:
        studio.jobs.cancel(job.id)
        studio.jobs.wait(job.id, 60)
    assert operator["executor"] == "ray" and job_view["worker"] == worker
    busy = next(w for w in operator["workers"] if w["name"] == worker)
    assert busy["state"] == "busy" and busy["job_id"] == job.id
    assert "wan-demo" in [m["key"] for m in busy["cache"]]
    assert all(w["job_id"] is None for w in client["workers"])  # another owner's job id stays hidden
    assert f"| {worker} | busy ({job.id}) |" in tab and "wan-demo (" in tab


def test_cancel_reaches_jobs_on_both_workers(studio: Container) -> None:
    jobs = [studio.jobs.submit(_request(steps=200, seed=i, width=128, height=128, num_frames=9)) for i in range(2)]
    running = [_running_step(studio, job.id, step=2) for job in jobs]
    assert {job.worker for job in running} == {"ray-0", "ray-1"}
    for job in jobs:
        studio.jobs.cancel(job.id)
    done = [studio.jobs.wait(job.id, 60) for job in jobs]
    assert [job.status for job in done] == [JobStatus.CANCELED] * 2
    assert all(job.step < 200 and "canceled" in job.message for job in done), [job.message for job in done]
    after = studio.jobs.wait(studio.jobs.submit(_request(seed=3)).id, 300)  # both workers free again
    assert after.status == JobStatus.SUCCEEDED


def test_a_job_whose_worker_is_killed_finishes_on_the_other(studio: Container) -> None:
    # long enough (200 steps at 128x128) that it is still running when its worker dies, on a quiet machine too
    job = studio.jobs.submit(_request(steps=200, seed=11, width=128, height=128, num_frames=9))
    victim = _running_step(studio, job.id, step=2).worker
    pid = next(w.pid for w in studio.ray.workers() if w.name == victim)  # type: ignore[union-attr]
    os.kill(pid, signal.SIGKILL)  # the actor's process dies mid-job, as on a lost node
    assert studio.jobs.get(job.id).step < 200
    done = studio.jobs.wait(job.id, 300)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.worker != victim and done.attempts == 2
    statuses = [(e.status, e.message) for e in _events(studio, job.id) if e.kind == "status"]
    assert any(s == JobStatus.QUEUED and f"Ray worker {victim} was lost mid-job" in m for s, m in statuses), statuses
    _wait_for(lambda: all(w.state == "ready" for w in studio.ray.workers()), timeout_s=180)  # type: ignore[union-attr]
    assert next(w.pid for w in studio.ray.workers() if w.name == victim) != pid  # Ray restarted it  # type: ignore[union-attr]


def test_a_model_too_big_for_the_cpu_workers_is_refused_at_submit(studio: Container) -> None:
    before = len(studio.jobs.recent())
    with pytest.raises(InvalidRequestError, match="wan2.1-t2v-1.3b needs .*the Ray workers have no GPU"):
        studio.jobs.submit(GenerationRequest(prompt="a fox", model="wan2.1-t2v-1.3b"))
    assert len(studio.jobs.recent()) == before


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ray_gpus_per_worker": 1}, "STUDIO_RAY_GPUS_PER_WORKER=1 but the Ray cluster has no GPU"),
        ({"ray_workers": 3, "ray_cpus_per_worker": 1}, "STUDIO_RAY_WORKERS=3 .* holds 2"),
    ],
)
def test_settings_the_cluster_cannot_hold_fail_at_start(studio: Container, values: dict, message: str) -> None:
    settings = studio.settings.model_copy(update=values)
    with pytest.raises(ClusterError, match=message):
        RayExecutor.start(settings)
