"""Keyframe mode's model fill-in on LTX-Video (``keyframe_fill="model"``): the clip generated again by
``LTXConditionPipeline`` conditioned on the keyframes at their output frames, through the job service."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from studio.container import Container
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest, Job, JobEvent, JobStatus, KeyframeConditions, Phase
from tests.families.harness import generate, source_image

# 9 keyframes (8k+1 for the model) every 2nd frame of a 17-frame clip
KEYFRAMED = dict(model="ltx-condition-demo", width=96, height=64, num_frames=17, steps=2, fps=24, seed=3,
                 keyframe_factor=2, keyframe_fill="model")  # fmt: skip
INDICES = list(range(0, 17, 2))


class _Spy:
    """What ``LTXConditionPipeline.prepare_latents`` got: per call, the conditions' frame indices, strengths and
    images (the preprocessed tensors back as uint8)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def wrap(self, original: Any) -> Any:
        def prepare_latents(pipe: Any, conditions: Any = None, condition_strength: Any = None,
                            condition_frame_index: Any = None, *args: Any, **kwargs: Any) -> Any:  # fmt: skip
            images = [((c[0, :, 0].permute(1, 2, 0).float().numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
                      for c in conditions or []]  # fmt: skip
            given = bool(conditions)  # without conditions the pipeline passes its scalar defaults
            self.calls.append({"indices": list(condition_frame_index) if given else [],
                               "strengths": list(condition_strength) if given else [], "images": images})  # fmt: skip
            return original(pipe, conditions, condition_strength, condition_frame_index, *args, **kwargs)

        return prepare_latents


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Spy]:
    from diffusers import LTXConditionPipeline

    spy = _Spy()
    monkeypatch.setattr(LTXConditionPipeline, "prepare_latents", spy.wrap(LTXConditionPipeline.prepare_latents))
    yield spy


class _Sink:
    def __init__(self) -> None:
        self.phases: list[str] = []

    def phase(self, phase: Phase, message: str = "") -> None:
        self.phases.append(message)

    def progress(self, step: int, total_steps: int) -> None:
        pass

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        pass

    def is_canceled(self) -> bool:
        return False


def _events(container: Container, job_id: str) -> list[JobEvent]:
    with container.jobs.subscribe(job_id) as events:  # the replayed history
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    return seen


def _saved_keyframes(container: Container, job: Job) -> list[np.ndarray]:
    folder = container.jobs.output_dir(job.id)
    assert job.outputs.review is not None
    return [np.asarray(Image.open(folder / p).convert("RGB")) for p in job.outputs.review.frames]


def test_the_model_fills_in_every_frame_conditioned_on_the_keyframes_at_their_frames(container: Container,
                                                                                     spy: _Spy) -> None:  # fmt: skip
    job = generate(container, GenerationRequest(prompt="a fox", **KEYFRAMED), expect_previews=True)
    origins = job.outputs.frame_origins
    assert origins is not None
    assert (origins.generated, origins.interpolated) == (INDICES, [i for i in range(17) if i % 2])
    assert origins.interpolator == "model:ltx-condition-demo"
    # two runs: the keyframes (no conditions, 9 frames), then the fill-in on the 9 keyframes at frames 0, 2, ..., 16
    assert [call["indices"] for call in spy.calls] == [[], INDICES]
    assert spy.calls[1]["strengths"] == [1.0] * 9
    for given, saved in zip(spy.calls[1]["images"], _saved_keyframes(container, job), strict=True):
        assert np.abs(given.astype(int) - saved.astype(int)).max() <= 1  # the keyframes as saved, at their frames
    assert any("model fill-in: 9 keyframes conditioned" in n and "none moved" in n for n in job.notes), job.notes
    metadata = json.loads((container.jobs.output_dir(job.id) / "metadata.json").read_text())
    assert metadata["request"]["keyframe_fill"] == "model" and metadata["output"]["num_frames"] == 17
    # the fill-in reports through the job: its phases labelled, previews at the clip's frames
    seen = _events(container, job.id)
    fill_at = next(i for i, e in enumerate(seen) if e.kind == "phase" and e.message.startswith("model fill-in"))
    assert seen[fill_at].phase == Phase.INTERPOLATING
    fill_previews = [e for e in seen[fill_at:] if e.kind == "preview"]
    assert fill_previews and max(fill_previews[-1].preview_frames) == 16
    assert any(e.phase == Phase.DENOISING and e.message.startswith("model fill-in") for e in seen[fill_at:])


def test_the_keyframes_steer_the_fill_in(runner: Any) -> None:
    """Other keyframes give another clip; the same ones the same clip (the conditions are not ignored)."""
    request = GenerationRequest(prompt="a fox", **KEYFRAMED)
    rng = np.random.default_rng(0)
    first, second = (rng.integers(0, 256, (9, 64, 96, 3), dtype=np.uint8) for _ in range(2))
    runs = [runner.run(request, 5, _Sink(), KeyframeConditions(frames=f, indices=tuple(INDICES)))
            for f in (first, second, first)]  # fmt: skip
    assert not np.array_equal(runs[0].frames, runs[1].frames)
    assert np.array_equal(runs[0].frames, runs[2].frames)
    assert runs[0].num_frames == 17


def test_image_to_video_keyframes_are_filled_in_by_the_model(container: Container, tmp_path: Path, spy: _Spy) -> None:
    request = GenerationRequest(mode="i2v", prompt="a fox", image=source_image(tmp_path, 96, 64), guide_strength=0.3,
                                **KEYFRAMED)  # fmt: skip
    job = generate(container, request, expect_previews=True)
    # the keyframe run is steered by the guide (frame 0 and later guide frames); the fill-in by the keyframes alone
    assert spy.calls[0]["indices"][0] == 0 and spy.calls[1]["indices"] == INDICES
    assert any("stand in for the motion guide" in n for n in job.notes), job.notes


def test_review_then_accept_fills_in_the_accepted_keyframes(container: Container, spy: _Spy) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", review_keyframes=True, **KEYFRAMED))
    waiting = container.jobs.wait(job.id, timeout_s=120)
    assert waiting.status == JobStatus.AWAITING_REVIEW, waiting.error
    assert [call["indices"] for call in spy.calls] == [[]]  # the keyframes only, no fill-in yet
    keyframes = _saved_keyframes(container, waiting)
    container.jobs.accept_keyframes(job.id)
    done = container.jobs.wait(job.id, timeout_s=120)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert [call["indices"] for call in spy.calls] == [[], INDICES]  # not generated again: filled in from disk
    for given, saved in zip(spy.calls[1]["images"], keyframes, strict=True):
        assert np.abs(given.astype(int) - saved.astype(int)).max() <= 1
    assert done.outputs.frame_origins is not None and done.outputs.frame_origins.generated == INDICES


def test_cancel_during_the_model_fill_in(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", **{**KEYFRAMED, "steps": 40}))
    filling = canceled = False
    with container.jobs.subscribe(job.id) as events:
        while (event := events.get(60)) is not None:
            filling = filling or (event.kind == "phase" and event.message.startswith("model fill-in"))
            if filling and event.kind == "progress" and not canceled:
                container.jobs.cancel(job.id)
                canceled = True
            if event.kind == "status" and event.status in (JobStatus.CANCELED, JobStatus.FAILED, JobStatus.SUCCEEDED):
                break
    done = container.jobs.wait(job.id, timeout_s=120)
    assert canceled and done.status == JobStatus.CANCELED, (done.status, done.error)
    assert done.outputs.video is None


@pytest.mark.parametrize(("values", "message"), [
    ({"model": "wan-demo", "num_frames": 17, "width": 64, "height": 48},
     r"keyframe_fill 'model' needs a model that conditions on frames at chosen indices.*'wan-demo'.*ltx-condition-demo"),
    ({"model": "ltx-demo"}, r"'ltx-demo' does not; models that can: ltx-condition-demo, ltx-video-0.9.5"),
    ({"keyframe_factor": 1}, r"keyframe_fill 'model' needs keyframe mode \(keyframe_factor 2 or more\)"),
    ({"num_frames": 9}, r"gives 5 keyframes, but this model makes 8k\+1 frames; use 17 frames"),
    ({"keyframe_factor": 3}, r"interpolation factor 3 does not fit 17 frames"),
])  # fmt: skip
def test_bad_values_are_refused_at_submit(container: Container, values: dict, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        container.jobs.submit(GenerationRequest(prompt="a fox", **{**KEYFRAMED, **values}))


def test_an_unknown_fill_in_is_refused_naming_the_choices() -> None:
    from studio.jobs.validation import build_request

    with pytest.raises(InvalidRequestError, match="keyframe_fill.*'flow'.*'model'"):
        build_request(prompt="a fox", keyframe_fill="optical")


def test_a_pipeline_without_frame_conditions_refuses_keyframes(runner: Any) -> None:
    """Submit refuses it first; a run that gets there anyway fails clearly, not inside the pipeline."""
    request = GenerationRequest(prompt="a fox", **{**KEYFRAMED, "model": "ltx-demo"})
    keyframes = KeyframeConditions(frames=np.zeros((9, 64, 96, 3), np.uint8), indices=tuple(INDICES))
    with pytest.raises(InvalidRequestError, match="LTXPipeline cannot condition on frames at chosen indices"):
        runner.run(request, 1, _Sink(), keyframes)


def test_a_model_fill_in_left_over_from_another_model_is_put_back_to_flow(container: Container) -> None:
    """The fill-in control shows only for models that declare "keyframes"; its hidden leftover is not sent."""
    from studio.ui.model_controls import without_hidden_options

    values = {"model": "wan-demo", "keyframe_factor": 2, "keyframe_fill": "model"}
    assert without_hidden_options(container.registry, values) == ({**values, "keyframe_fill": "flow"}, ["keyframe_fill"])
    kept = {**values, "model": "ltx-condition-demo"}
    assert without_hidden_options(container.registry, kept) == (kept, [])
