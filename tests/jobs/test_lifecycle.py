"""The jobs layer alone (stub executor, in-memory store): cancel at every stage, stop, restarts, races, replay."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import JobFinalError
from studio.jobs import worker as worker_module
from studio.jobs.control import JobControl
from studio.jobs.events import EventBus
from studio.jobs.queue import JobQueue
from studio.jobs.service import JobService
from studio.jobs.store import JobStore
from studio.jobs.worker import JobWorker
from studio.types import GenerationRequest, Job, JobStatus, Phase
from tests.jobs.stub_executor import StubExecutor


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a fox", model="wan-demo", width=32, height=32, num_frames=5, steps=4, fps=8)
    return GenerationRequest(**{**values, **overrides})


class Rig:
    """A service on an in-memory store with the stub executor; ``restart`` builds a new service on the same store."""

    def __init__(self, settings: Settings, after_export=()) -> None:
        self.settings = settings
        self.store = JobStore(":memory:")
        self.bus = EventBus()
        self.executor = StubExecutor()
        self.after_export = after_export
        self.service = self._service()

    def _service(self) -> JobService:
        return JobService(self.settings, self.store, self.bus, ModelRegistry(offline=True), self.executor, self.after_export)

    def restart(self) -> JobService:
        self.service.stop()
        self.bus = EventBus()
        self.service = self._service()
        self.service.start()
        return self.service


@pytest.fixture
def rig(settings: Settings):
    r = Rig(settings)
    r.service.start()
    yield r
    r.service.stop()


def test_cancel_while_queued_never_runs_the_job(rig: Rig) -> None:
    rig.executor.release.clear()
    blocker = rig.service.submit(_request(prompt="first"))
    assert rig.executor.entered.wait(10)
    queued = rig.service.submit(_request(prompt="second"))
    canceled = rig.service.cancel(queued.id)
    assert canceled.status == JobStatus.CANCELED and canceled.message == "canceled while queued"
    rig.executor.release.set()
    assert rig.service.wait(blocker.id, 30).status == JobStatus.SUCCEEDED
    assert rig.executor.runs == ["first"]


def test_cancel_after_the_job_was_taken_stops_before_loading(rig: Rig) -> None:
    rig.executor.release.clear()
    job = rig.service.submit(_request())
    assert rig.executor.entered.wait(10)  # taken by the worker, nothing reported yet
    assert rig.service.cancel(job.id).status == JobStatus.RUNNING  # asked; it stops at its next check
    rig.executor.release.set()
    ended = rig.service.wait(job.id, 30)
    assert ended.status == JobStatus.CANCELED and ended.message.startswith("canceled before loading")
    assert ended.outputs.video is None


def test_cancel_during_denoising(rig: Rig) -> None:
    rig.executor.on_step = lambda step, sink: rig.service.cancel(rig.service.recent()[0].id) if step == 2 else None
    job = rig.service.submit(_request(steps=10))
    ended = rig.service.wait(job.id, 30)
    assert ended.status == JobStatus.CANCELED and ended.step < 10 and "denoising" in ended.message
    assert not rig.service.output_dir(job.id).exists()


def test_cancel_during_export_removes_the_files(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    real_export = worker_module.export_video

    def export_then_cancel(*args, **kwargs):
        real_export(*args, **kwargs)
        rig.service.cancel(rig.service.recent()[0].id)

    monkeypatch.setattr(worker_module, "export_video", export_then_cancel)
    job = rig.service.submit(_request())
    ended = rig.service.wait(job.id, 30)
    # caught at the next check after the video is written: the quality report's phase change, or after export
    assert ended.status == JobStatus.CANCELED and ended.message in ("canceled after export", "canceled before reporting "
                                                                     "(measuring flicker, warping and drift)")  # fmt: skip
    assert rig.service.output_dir(job.id).is_dir() and not any(rig.service.output_dir(job.id).iterdir())  # video, metadata, keyframes gone


def test_a_late_cancel_says_so_and_final_states_never_change(rig: Rig) -> None:
    job = rig.service.submit(_request())
    assert rig.service.wait(job.id, 30).status == JobStatus.SUCCEEDED
    with pytest.raises(JobFinalError, match="too late to cancel .* already succeeded"):
        rig.service.cancel(job.id)
    with pytest.raises(JobFinalError, match="already succeeded"):
        rig.store.update(job.id, status=JobStatus.FAILED, error="late")
    assert rig.store.get(job.id).status == JobStatus.SUCCEEDED


def test_results_are_fields_notes_keyframes_attempts(rig: Rig) -> None:
    job = rig.service.wait(rig.service.submit(_request(width=30, height=30, num_frames=6)).id, 30)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert job.request.num_frames == 5  # Wan: 4k+1
    assert job.keyframe_indices == [0, 1, 3, 4] and job.outputs.keyframes == [f"keyframes/frame{i:04d}.png" for i in (0, 1, 3, 4)]
    assert job.notes[-1] == "stub note" and any("32" in n for n in job.notes[:-1]), job.notes


def test_stop_while_running_interrupts_then_a_restart_runs_it_again(rig: Rig) -> None:
    stop_now = threading.Event()

    def hold_until_stopped(step: int, sink) -> None:
        if step == 1:
            stop_now.set()
            deadline = time.monotonic() + 10
            while not sink.is_canceled() and time.monotonic() < deadline:
                time.sleep(0.01)

    rig.executor.on_step = hold_until_stopped
    job = rig.service.submit(_request(steps=50))
    assert stop_now.wait(10)
    rig.service.stop()
    interrupted = rig.store.get(job.id)
    assert interrupted.status == JobStatus.INTERRUPTED and "interrupted by a shutdown" in interrupted.message
    rig.executor.on_step = lambda step, sink: None
    service = rig.restart()
    done = service.wait(job.id, 30)
    assert done.status == JobStatus.SUCCEEDED and done.attempts == 2


def test_a_second_interruption_fails_the_job_with_the_reason() -> None:
    store = JobStore(":memory:")
    store.insert(Job(id="j", request=_request()))
    assert store.claim("j")  # attempt 1 ... and the process dies
    assert store.recover_after_restart(max_attempts=2) == (["j"], [])
    assert store.claim("j")  # attempt 2 ... dies again
    assert store.recover_after_restart(max_attempts=2) == ([], ["j"])
    failed = store.get("j")
    assert failed.status == JobStatus.FAILED and failed.attempts == 2 and "2 times" in (failed.error or "")


def test_two_workers_racing_for_one_job_run_it_once(settings: Settings) -> None:
    store, bus, executor, control = JobStore(":memory:"), EventBus(), StubExecutor(), JobControl()
    service = JobService(settings, store, bus, ModelRegistry(offline=True), executor)
    job = service.submit(_request())  # on the service's queue, which nobody takes from
    queues = [JobQueue(), JobQueue()]
    workers = [JobWorker(f"w{i}", q, store, bus, executor, settings.outputs_dir, control) for i, q in enumerate(queues)]
    for worker, queue in zip(workers, queues, strict=True):
        queue.put(job.id)
        worker.start()
    for queue in queues:
        queue.close()
    for worker in workers:
        worker.join(30)
    assert executor.runs == ["a fox"] and store.get(job.id).status == JobStatus.SUCCEEDED and store.get(job.id).attempts == 1


def test_a_late_subscriber_gets_the_whole_numbered_history(rig: Rig) -> None:
    job = rig.service.submit(_request(steps=3))
    rig.service.wait(job.id, 30)
    with rig.service.subscribe(job.id) as events:
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    assert [e.seq for e in seen] == list(range(1, len(seen) + 1))
    assert [e.status for e in seen if e.kind == "status"] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert [e.phase for e in seen if e.kind == "phase"] == [Phase.LOADING, Phase.ENCODING, Phase.DENOISING,
                                                             Phase.DECODING, Phase.EXPORTING, Phase.REPORTING]  # fmt: skip
    assert [e.step for e in seen if e.kind == "progress"] == [1, 2, 3]


def test_steps_after_export_run_in_order_and_add_outputs(settings: Settings) -> None:
    def report(job, result, outputs, output_dir: Path, sink):
        (output_dir / "report.json").write_text(f'{{"frames": {result.num_frames}}}')
        return outputs.model_copy(update={"previews": [*outputs.previews, "report.json"]})

    rig = Rig(settings, after_export=[report])
    rig.service.start()
    try:
        job = rig.service.wait(rig.service.submit(_request()).id, 30)
    finally:
        rig.service.stop()
    assert job.status == JobStatus.SUCCEEDED and "report.json" in job.outputs.previews
    assert (rig.service.output_dir(job.id) / "report.json").read_text() == '{"frames": 5}'
