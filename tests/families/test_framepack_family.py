"""HunyuanVideo FramePack through the family end-to-end path: long video in sections, each shown as it finishes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.container import Container
from studio.engine.adapters.framepack import FramePackAdapter
from studio.engine.demo import demo_folder
from studio.engine.registry import ComponentSource, ModelSpec
from studio.engine.steering import GuideVideo
from studio.errors import StudioError
from studio.media.export import probe_video
from studio.motion.specs import CameraSpec, MotionSpec
from studio.types import GenerationRequest, JobStatus
from studio.ui.streaming import stream_job
from tests.families.harness import cancel_while_denoising, generate, source_image

# 41 frames = two 33-frame windows (latent window 9): two sections, decoded one after the other
SMALL = dict(width=64, height=48, num_frames=41, steps=2, fps=10)


def _request(folder: Path, **changes: object) -> GenerationRequest:
    values: dict = dict(mode="i2v", prompt="a fox", model="framepack-demo", image=source_image(folder), **SMALL)
    return GenerationRequest(**{**values, **changes})


def test_sections_stream_in_order_before_the_clip(container: Container, tmp_path: Path) -> None:
    job = generate(container, _request(tmp_path, num_frames=73), expect_previews=True)  # three sections
    with container.jobs.subscribe(job.id) as events:
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    kinds = [e.kind for e in seen]
    segments = [e for e in seen if e.kind == "segment"]
    # the first two; the last is done with the whole clip, which comes at once
    assert [(e.segment_index, e.segment_total) for e in segments] == [(0, 3), (1, 3)]
    assert kinds.index("segment") > kinds.index("progress")  # after denoising started
    assert max(i for i, k in enumerate(kinds) if k == "segment") < kinds.index("output")  # before the whole clip
    # each section handed over as soon as it was denoised: the first before the second section's steps
    assert [e.step for e in segments] == [SMALL["steps"], 2 * SMALL["steps"]]
    assert [e.total_steps for e in seen if e.kind == "progress"][-1] == 3 * SMALL["steps"]
    # the UI stream (replaying the job) plays each section as it comes, then the whole clip
    videos = [update[4] for update in stream_job(container, job) if isinstance(update[4], str)]
    assert videos[:2] == [e.output_path for e in segments] and videos[-1].endswith("video.mp4")
    first = probe_video(segments[0].output_path)
    assert first[1:] == (64, 48) and first[0] == 33  # a 9-latent-frame window: 33 frames
    assert probe_video(segments[1].output_path)[0] > 33  # later sections decode with the overlap they blend over


def test_a_two_section_clip_streams_its_first_section(container: Container, tmp_path: Path) -> None:
    job = generate(container, _request(tmp_path), expect_previews=True)
    with container.jobs.subscribe(job.id) as events:
        seen = [e for e in iter(lambda: events.get(0.2), None) if e.kind == "segment"]
    assert [(e.segment_index, e.segment_total, e.step) for e in seen] == [(0, 2, SMALL["steps"])]


def test_a_camera_move_becomes_the_last_frame_condition_of_a_one_section_clip(container: Container,
                                                                             tmp_path: Path) -> None:  # fmt: skip
    request = _request(tmp_path, num_frames=17, motion=MotionSpec(camera=CameraSpec(presets=["zoom_in"])))
    job = generate(container, request, expect_previews=True)  # checks the video has the 17 frames asked for
    assert job.request.num_frames == 17  # the window makes 37; the studio keeps what was asked


def test_cancel(container: Container, tmp_path: Path) -> None:
    cancel_while_denoising(container, _request(tmp_path, steps=30))


def test_text_to_video_is_refused(container: Container) -> None:
    with pytest.raises(StudioError, match="i2v"):
        container.jobs.submit(GenerationRequest(prompt="a fox", model="framepack-demo", **SMALL))


def test_frame_counts_off_the_rule_are_rounded_with_a_note(container: Container, tmp_path: Path) -> None:
    job = container.jobs.submit(_request(tmp_path, num_frames=40))
    assert "4k+1" in (job.message or "")
    container.jobs.cancel(job.id)


def test_guide_frames_reach_the_pipeline_as_first_and_last_image() -> None:
    frames = np.zeros((9, 48, 64, 3), np.uint8)
    frames[-1, 10:20] = 255
    moving = GuideVideo(frames=frames, maps=np.zeros((9, 48, 64, 2), np.float32))
    still = GuideVideo(frames=np.repeat(frames[:1], 9, axis=0), maps=moving.maps)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="framepack-demo", image="x.png", **SMALL)
    adapter = FramePackAdapter()
    kwargs = adapter.image_kwargs(None, request, moving)
    assert np.array_equal(np.asarray(kwargs["image"]), frames[0])
    assert np.array_equal(np.asarray(kwargs["last_image"]), frames[-1])
    assert "last_image" not in adapter.image_kwargs(None, request, still)  # a still guide would freeze the clip
    with_end = request.model_copy(update={"end_image": "end.png"})
    assert "last_image" not in adapter.image_kwargs(None, with_end, moving)  # the end image wins (end_frame)


def test_a_component_from_another_source_is_loaded_into_the_pipeline(container: Container, tmp_path: Path) -> None:
    """``components_from``: the transformer comes from its own folder, the rest from the pipeline's source."""
    demo = container.registry.resolve("framepack-demo")
    folder = demo_folder(container.settings.models_dir, demo)
    assert folder.is_dir()  # built by the tests above
    spec = ModelSpec(key="framepack-split", family="framepack", label="FramePack split", source=str(folder),
                     modes=("i2v",), components_from={"transformer": ComponentSource(
                         class_path="diffusers:HunyuanVideoFramepackTransformer3DModel", source=str(folder),
                         subfolder="transformer")})  # fmt: skip
    container.registry.register(spec)
    job = container.jobs.submit(_request(tmp_path, model="framepack-split", num_frames=9, steps=1))
    done = container.jobs.wait(job.id, timeout_s=300)
    assert done.status == JobStatus.SUCCEEDED, done.error
    missing = spec.model_copy(update={"key": "framepack-missing", "components_from": {"transformer": ComponentSource(
        class_path="diffusers:HunyuanVideoFramepackTransformer3DModel", source=str(tmp_path / "nowhere"))}})  # fmt: skip
    container.registry.register(missing)
    failed = container.jobs.wait(container.jobs.submit(_request(tmp_path, model="framepack-missing")).id, timeout_s=120)
    assert failed.status == JobStatus.FAILED and "framepack-missing" in (failed.error or "")


def test_an_end_image_is_accepted_and_becomes_the_last_image(container: Container, tmp_path: Path) -> None:
    """FramePack takes ``last_image`` natively (inverted anti-drifting): the request's end image is passed as it."""
    from studio.engine.end_frame import end_image_kwargs

    image = source_image(tmp_path)
    job = container.jobs.submit(_request(tmp_path, end_image=image))
    container.jobs.cancel(job.id)
    kwargs, notes = end_image_kwargs(job.request, None)
    assert kwargs["last_image"].size == (64, 48) and "end image" in notes[0]


def test_previews_are_labelled_where_each_section_lands() -> None:
    """Inverted anti-drifting makes the end first: the first section made starts after the others."""
    from studio.engine.families.base import LatentGeometry
    from studio.engine.families.framepack import FRAMEPACK

    adapter, geometry = FramePackAdapter(), LatentGeometry(16, 4, 8)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="framepack-demo", image="x.png",
                                **{**SMALL, "num_frames": 97, "steps": 4})  # fmt: skip
    fixed = FRAMEPACK.call_kwargs
    assert adapter.denoising_steps(request, fixed, geometry, 0) == 12  # 3 sections x 4 steps
    starts = [adapter.window_start(done, request, fixed, geometry, 0) for done in (1, 4, 5, 12)]
    assert starts == [19, 19, 10, 1]  # after the first frame's latent: sections of 9 latents, last made first
