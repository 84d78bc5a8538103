"""The job service with the real engine on the Wan demo model."""

from __future__ import annotations

import json

import pytest

from studio.config import Settings
from studio.container import build_container
from studio.errors import InvalidRequestError, JobFinalError, JobNotFoundError
from studio.media.export import probe_video, read_embedded_metadata
from studio.types import GenerationRequest, JobStatus, Phase


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=3, fps=8)
    values.update(overrides)
    return GenerationRequest(**values)


@pytest.fixture
def container(settings: Settings):
    c = build_container(settings.model_copy(update={"allow_local_models": True}))
    yield c
    c.close()


def test_a_job_runs_to_a_video_with_metadata(container) -> None:
    job = container.jobs.submit(_request(seed=11))
    assert container.store.get(job.id).status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED)
    done = container.jobs.wait(job.id, timeout_s=120)
    assert done.status == JobStatus.SUCCEEDED, done.error
    folder = container.jobs.output_dir(job.id)
    assert probe_video(folder / done.outputs.video) == (9, 64, 48)
    sidecar = json.loads((folder / "metadata.json").read_text())
    assert sidecar["seed"] == 11 and sidecar["request"]["prompt"] == "a red fox in snow"
    assert sidecar["model"]["key"] == "wan-demo" and sidecar["versions"]["diffusers"]
    embedded = read_embedded_metadata(folder / "video.mp4")
    assert embedded["request"] == sidecar["request"] and embedded["seed"] == 11
    assert len(done.outputs.keyframes) == 3 and all((folder / k).is_file() for k in done.outputs.keyframes)
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at


def test_events_tell_the_whole_story_in_order(container) -> None:
    job = container.jobs.submit(_request())
    container.jobs.wait(job.id, timeout_s=120)
    with container.jobs.subscribe(job.id) as events:  # replayed history
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    phases = [e.phase for e in seen if e.kind == "phase"]
    assert phases[0] == Phase.LOADING and phases[-3:] == [Phase.DECODING, Phase.EXPORTING, Phase.REPORTING]
    assert Phase.ENCODING in phases and Phase.DENOISING in phases
    assert [e.status for e in seen if e.kind == "status"] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    first_preview = next(i for i, e in enumerate(seen) if e.kind == "preview")
    assert seen[first_preview].step == 1 and len(seen[first_preview].preview_paths) == 3


def test_random_seed_is_chosen_and_recorded(container) -> None:
    job = container.jobs.submit(_request(seed=None))
    assert job.seed is not None and job.request.seed == job.seed
    assert container.jobs.wait(job.id).seed == job.seed


def test_cancel_a_running_job_then_the_next_runs(container) -> None:
    job = container.jobs.submit(_request(steps=60))
    with container.jobs.subscribe(job.id) as events:
        while (event := events.get(30)) is not None and not (event.kind == "progress" and event.step >= 1):
            pass
    container.jobs.cancel(job.id)
    ended = container.jobs.wait(job.id, timeout_s=60)
    assert ended.status == JobStatus.CANCELED and ended.step < 60
    assert ended.outputs.video is None and not (container.jobs.output_dir(job.id) / "video.mp4").exists()
    after = container.jobs.wait(container.jobs.submit(_request()).id, timeout_s=120)
    assert after.status == JobStatus.SUCCEEDED


def test_cancel_a_queued_job(container) -> None:
    running = container.jobs.submit(_request(steps=40))
    queued = container.jobs.submit(_request())
    assert container.jobs.cancel(queued.id).status == JobStatus.CANCELED
    assert container.jobs.wait(running.id).status == JobStatus.SUCCEEDED
    assert container.jobs.get(queued.id).status == JobStatus.CANCELED
    with pytest.raises(JobFinalError, match="too late to cancel .* already canceled"):
        container.jobs.cancel(queued.id)


def test_a_failing_job_fails_clearly_and_the_worker_goes_on(container, tmp_path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text('{"_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"]}')
    bad = container.jobs.wait(container.jobs.submit(_request(model=str(broken))).id)
    assert bad.status == JobStatus.FAILED and "could not load model" in bad.error
    assert container.jobs.wait(container.jobs.submit(_request()).id).status == JobStatus.SUCCEEDED


def test_bad_requests_store_nothing(container) -> None:
    for request in (_request(prompt=" "), _request(model="nope"), _request(num_frames=10_000)):
        with pytest.raises((InvalidRequestError, Exception)):
            container.jobs.submit(request)
    assert container.jobs.recent() == []
    with pytest.raises(JobNotFoundError):
        container.jobs.cancel("missing")
    with pytest.raises(JobNotFoundError):
        container.jobs.subscribe("missing")


def test_queued_jobs_survive_a_restart(settings: Settings) -> None:
    first = build_container(settings, start=False)  # nothing runs: the job stays queued
    job = first.jobs.submit(_request())
    first.close()
    second = build_container(settings)
    try:
        assert second.jobs.wait(job.id, timeout_s=120).status == JobStatus.SUCCEEDED
        assert [j.id for j in second.jobs.recent()] == [job.id]
    finally:
        second.close()
