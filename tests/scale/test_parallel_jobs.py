"""Jobs of several GPUs on a local Ray cluster that declares 2 logical GPUs (the ranks compute on the CPU over gloo).

One pool worker serves the jobs of one GPU; a job of ``gpus=2`` runs on 2 rank actors in a placement group of
its own, split with diffusers' context parallelism, and must give the frames of the one-GPU job of the same seed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.container import Container, build_container
from studio.engine.demo import ensure_demo
from studio.engine.registry import ModelRegistry
from studio.errors import ClusterError, InvalidRequestError, WorkerLostError
from studio.scale.cluster import SYSTEM_CONFIG
from studio.scale.parallel import ParallelRuns
from studio.types import GenerationRequest, Job, JobStatus, Phase

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Container]:
    ensure_demo(shared_model_dir, ModelRegistry(offline=True).resolve("wan-demo"))  # built once; the ranks load it
    ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False, _system_config=SYSTEM_CONFIG)
    settings = Settings(data_dir=tmp_path_factory.mktemp("ray-gpus") / "data", model_dir=shared_model_dir, device="cpu",
                        offline=True, executor="ray", ray_workers=1, ray_cpus_per_worker=1, ray_torch_threads=1,
                        c2pa_signing=False, watermark=False)  # fmt: skip
    container = build_container(settings)
    try:
        yield container
    finally:
        container.close()
        ray.shutdown()


def _request(gpus: int, steps: int = 2, model: str = "wan-demo", **extra: object) -> GenerationRequest:
    values = {"width": 64, "height": 64, "num_frames": 5, **extra}
    return GenerationRequest(prompt="a lighthouse at dusk", model=model, steps=steps, seed=3, gpus=gpus, **values)  # type: ignore[arg-type]


def _keyframes(studio: Container, job: Job) -> list[np.ndarray]:
    assert job.outputs is not None and job.outputs.keyframes
    return [np.asarray(Image.open(studio.jobs.output_dir(job.id) / name)) for name in job.outputs.keyframes]


def _gpus_free_again() -> None:
    """The ranks are gone and the placement group is removed: both GPUs are available again."""
    deadline = time.monotonic() + 30
    while ray.available_resources().get("GPU", 0) < 2:
        assert time.monotonic() < deadline, ray.available_resources()
        time.sleep(0.1)
    assert all(pg["state"] == "REMOVED" for pg in ray.util.placement_group_table().values())


def test_a_two_gpu_job_gives_the_frames_of_the_one_gpu_job(studio: Container) -> None:
    single = studio.jobs.wait(studio.jobs.submit(_request(gpus=1)).id, 300)
    split = studio.jobs.wait(studio.jobs.submit(_request(gpus=2)).id, 300)
    assert (single.status, split.status) == (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED), (single.error, split.error)
    assert single.worker == "ray-0" and split.worker is not None and split.worker.startswith("gpus2-")
    frames_1, frames_2 = _keyframes(studio, single), _keyframes(studio, split)
    assert len(frames_1) == len(frames_2) and all(np.array_equal(a, b) for a, b in zip(frames_1, frames_2, strict=True))
    with studio.jobs.subscribe(split.id) as subscription:  # rank 0's reports, relayed like a pool worker's
        events = []
        while (event := subscription.get(timeout_s=0.05)) is not None:
            events.append(event)
    assert [e.step for e in events if e.kind == "progress"] == [1, 2]
    messages = [e.message for e in events if e.kind == "phase" and e.phase == Phase.LOADING]
    assert "reserving 2 GPUs on one node" in messages and "loading wan-demo on 2 ranks" in messages
    assert "wan-demo's attention split 2 ways (Ulysses)" in messages  # as each rank's transformer reports it
    _gpus_free_again()


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (_request(gpus=3), r"gpus=3: one video runs on the GPUs of one node, and the Ray cluster has at most 2 GPUs on one node"),
        (_request(gpus=2, model="cogvideox-demo"), "model 'cogvideox-demo' cannot run on 2 GPUs: CogVideoXTransformer3DModel has no context-parallel plan"),
        (_request(gpus=2, step_cache="mag"), "gpus=2 cannot use the step cache 'mag'"),
    ],
)
def test_a_job_the_cluster_or_the_model_cannot_split_is_refused_at_submit(studio: Container, request_: GenerationRequest,
                                                                          message: str) -> None:  # fmt: skip
    before = len(studio.jobs.recent())
    with pytest.raises(InvalidRequestError, match=message):
        studio.jobs.submit(request_)
    assert len(studio.jobs.recent()) == before  # nothing stored, nothing queued


def test_the_gpus_a_job_may_ask_for_leave_out_what_the_workers_hold(studio: Container) -> None:
    from studio.scale.cluster import node_capacities
    from studio.scale.parallel import check_gpus_fit, max_job_gpus

    assert studio.ray is not None and studio.ray.max_job_gpus() == 2  # CPU workers: both GPUs (the UI's slider)
    settings = studio.settings.model_copy(update={"ray_workers": 1, "ray_gpus_per_worker": 1})
    assert max_job_gpus(node_capacities(ray), settings) == 1
    with pytest.raises(InvalidRequestError, match="the studio's 1 Ray workers hold 1 of the cluster's 2 GPUs, leaving 1"):
        check_gpus_fit(2, node_capacities(ray), settings)


class _Sink:
    """A job's sink as the executor sees it: reports kept, a cancel flag."""

    def __init__(self) -> None:
        self.phases: list[str] = []
        self.steps: list[int] = []
        self.cancel = threading.Event()
        self.worker = ""

    def phase(self, phase: Phase, message: str = "") -> None:
        self.phases.append(message)

    def progress(self, step: int, total_steps: int) -> None:
        self.steps.append(step)

    def preview(self, *_args: object) -> None:
        pass

    def is_canceled(self) -> bool:
        return self.cancel.is_set()

    def running_on(self, worker: str) -> None:
        self.worker = worker


def _run_in_thread(runs: ParallelRuns, sink: _Sink) -> tuple[threading.Thread, list[BaseException]]:
    """A long 2-GPU run in a thread, once it has made 2 steps; its error lands in the list."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            runs.run(_request(gpus=2, steps=200, width=128, height=128, num_frames=9), 3, sink)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 300
    while len(sink.steps) < 2:
        assert time.monotonic() < deadline and thread.is_alive(), outcome
        time.sleep(0.05)
    return thread, outcome


def test_gpus_held_by_others_fail_the_job_at_start_after_the_timeout(studio: Container) -> None:
    from ray.util.placement_group import placement_group, remove_placement_group

    held = placement_group([{"GPU": 1}], strategy="STRICT_PACK")  # not the studio's: it will not give it back
    assert held.wait(timeout_seconds=30)
    runs = ParallelRuns(ray, studio.settings.model_copy(update={"ray_start_timeout_s": 1.0}), studio.registry)
    try:
        with pytest.raises(ClusterError, match=r"gpus=2: Ray could not reserve 2 GPUs on one node within STUDIO_RAY_START_TIMEOUT_S=1 s"):
            runs.run(_request(gpus=2), 3, _Sink())
    finally:
        remove_placement_group(held)
    _gpus_free_again()


def test_a_running_job_is_listed_with_its_gpus_and_cancel_reaches_its_ranks(studio: Container) -> None:
    assert studio.ray is not None
    job = studio.jobs.submit(_request(gpus=2, steps=200, width=128, height=128, num_frames=9))
    deadline = time.monotonic() + 300
    while studio.jobs.get(job.id).step < 2:
        assert time.monotonic() < deadline and not studio.jobs.get(job.id).status.is_terminal, studio.jobs.get(job.id).error
        time.sleep(0.05)
    (run,) = [w for w in studio.ray.workers() if w.name == studio.jobs.get(job.id).worker]
    assert run.state == "busy" and run.job_id == job.id and len(run.gpus) == 2 and run.pid
    assert [m.key for m in run.cache or []] == ["wan-demo"]  # rank 0's model manager
    studio.jobs.cancel(job.id)
    done = studio.jobs.wait(job.id, 60)
    assert done.status == JobStatus.CANCELED and done.step < 200, done.message
    assert [w.name for w in studio.ray.workers()] == ["ray-0"]  # the run is gone from the list
    _gpus_free_again()


def test_a_rank_lost_mid_run_ends_it_as_a_lost_worker_and_frees_the_gpus(studio: Container) -> None:
    sink = _Sink()
    thread, outcome = _run_in_thread(ParallelRuns(ray, studio.settings, studio.registry), sink)
    ray.kill(ray.get_actor(f"{sink.worker}-rank1"), no_restart=True)  # as on a lost node
    thread.join(60)
    assert not thread.is_alive() and len(outcome) == 1 and isinstance(outcome[0], WorkerLostError), outcome
    assert f"a rank of {sink.worker} was lost mid-job" in str(outcome[0]) and sink.steps[-1] < 200
    _gpus_free_again()
