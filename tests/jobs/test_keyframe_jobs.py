"""Keyframe mode end to end on the Wan demo model: generate, stream, review, accept or regenerate, report, export."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.container import build_container
from studio.errors import ExportFormatError, InvalidRequestError, JobStateError
from studio.media import export as export_module
from studio.media.reading import read_video
from studio.types import GenerationRequest, JobStatus


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=17, steps=2, fps=8,
                  keyframe_factor=2, seed=3)  # fmt: skip
    values.update(overrides)
    return GenerationRequest(**values)


@pytest.fixture
def container(settings: Settings):
    c = build_container(settings)
    yield c
    c.close()


def _events(container, job_id: str) -> list:
    with container.jobs.subscribe(job_id) as events:
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    return seen


def test_keyframe_job_generates_half_and_interpolates_the_rest(container) -> None:
    job = container.jobs.submit(_request())
    done = container.jobs.wait(job.id, timeout_s=120)
    assert done.status == JobStatus.SUCCEEDED, done.error
    folder = container.jobs.output_dir(job.id)
    clip = read_video(folder / done.outputs.video)
    assert clip.frames.shape[:3] == (17, 48, 64) and clip.fps == 8
    origins = done.outputs.frame_origins
    assert origins.generated == list(range(0, 17, 2)) and origins.interpolated == list(range(1, 17, 2))
    assert origins.factor == 2 and origins.interpolator == "flow"
    # the saved keyframes are exactly the generated frames of the clip (before lossy video encoding)
    keys = [np.asarray(Image.open(folder / p)) for p in done.outputs.review.frames]
    assert len(keys) == 9 and np.abs(clip.frames[4].astype(int) - keys[2]).mean() < 8
    report = json.loads((folder / done.outputs.report).read_text())
    assert report["generated_frames"] == origins.generated and len(report["series"]["warping_error"]) == 16
    assert done.outputs.quality.num_frames == 17
    assert json.loads((folder / "metadata.json").read_text())["frame_origins"]["generated"] == origins.generated
    kinds = [e.kind for e in _events(container, job.id)]
    assert kinds.index("preview") < kinds.index("keyframes") < kinds.index("output") < len(kinds) - 1
    previews = [e for e in _events(container, job.id) if e.kind == "preview"]
    assert previews[-1].preview_frames[-1] == 16  # keyframe positions named in frames of the final clip


def test_review_waits_frees_the_worker_then_regenerates_and_accepts(container) -> None:
    job = container.jobs.submit(_request(review_keyframes=True))
    waiting = container.jobs.wait(job.id, timeout_s=120)
    assert waiting.status == JobStatus.AWAITING_REVIEW and waiting.outputs.video is None
    folder = container.jobs.output_dir(job.id)
    first_keys = [np.asarray(Image.open(folder / p)) for p in waiting.outputs.review.frames]
    # the worker is free while the job waits
    other = container.jobs.submit(_request(keyframe_factor=1, num_frames=5))
    assert container.jobs.wait(other.id, timeout_s=120).status == JobStatus.SUCCEEDED
    again = container.jobs.regenerate_keyframes(job.id, seed=77)
    assert again.status == JobStatus.QUEUED and again.seed == 77
    waiting = container.jobs.wait(job.id, timeout_s=120)
    assert waiting.status == JobStatus.AWAITING_REVIEW and waiting.outputs.review.seed == 77
    new_keys = [np.asarray(Image.open(folder / p)) for p in waiting.outputs.review.frames]
    assert not np.array_equal(first_keys[4], new_keys[4])
    container.jobs.accept_keyframes(job.id)
    done = container.jobs.wait(job.id, timeout_s=120)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.message == "done"  # no review chatter in the final message
    clip = read_video(folder / done.outputs.video)
    assert np.abs(clip.frames[8].astype(int) - new_keys[4]).mean() < 8  # the accepted keyframes, not fresh ones
    assert json.loads((folder / "metadata.json").read_text())["seed"] == 77
    with pytest.raises(JobStateError, match="is succeeded, not waiting for keyframe review"):
        container.jobs.accept_keyframes(job.id)


def test_a_waiting_job_can_be_canceled(container) -> None:
    job = container.jobs.submit(_request(review_keyframes=True))
    assert container.jobs.wait(job.id, timeout_s=120).status == JobStatus.AWAITING_REVIEW
    assert container.jobs.cancel(job.id).status == JobStatus.CANCELED
    with pytest.raises(JobStateError):
        container.jobs.regenerate_keyframes(job.id)


def test_export_format_per_request(container) -> None:
    job = container.jobs.submit(_request(keyframe_factor=1, num_frames=5, export={"format": "webm", "crf": 40}))
    done = container.jobs.wait(job.id, timeout_s=120)
    assert done.status == JobStatus.SUCCEEDED and done.outputs.video == "video.webm"
    assert read_video(container.jobs.output_dir(job.id) / "video.webm").frames.shape[0] == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"keyframe_factor": 3}, "interpolation factor 3 does not fit 17 frames"),
        ({"num_frames": 13}, "gives 7 keyframes, but this model makes 4k\\+1 frames; use 9 or 17 frames"),
        ({"keyframe_factor": 1, "review_keyframes": True}, "review_keyframes needs keyframe mode"),
    ],
)
def test_bad_keyframe_settings_are_refused_at_submit(container, overrides: dict, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        container.jobs.submit(_request(**overrides))
    assert container.jobs.recent() == []


def test_an_unwritable_format_is_refused_at_submit(container, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "ffmpeg_encoders", lambda: frozenset())
    with pytest.raises(ExportFormatError, match="cannot write mp4"):
        container.jobs.submit(_request())
    assert container.jobs.recent() == []
