"""LTX-2 through the family end-to-end path: video with its sound track, in every export that can carry one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.errors import InvalidRequestError
from studio.media.export import probe_audio
from studio.motion.specs import CameraSpec, MotionSpec
from studio.provenance.verify import verify_file
from studio.types import GenerationRequest, Job, JobStatus
from tests.families.harness import cancel_while_denoising, generate, source_image

# LTX-2's smallest clip: sides multiples of 32, frames 8k+1
SMALL = dict(width=64, height=64, num_frames=9, steps=3, fps=8)


def _sound(container: Container, job: Job) -> tuple[str, int, int, float] | None:
    assert job.outputs.video is not None
    return probe_audio(container.jobs.output_dir(job.id) / job.outputs.video)


def _audio_metadata(container: Container, job: Job) -> dict:
    return json.loads((container.jobs.output_dir(job.id) / "metadata.json").read_text())["audio"]


@pytest.fixture(scope="module")
def t2v_job(container: Container) -> Job:
    return generate(container, GenerationRequest(prompt="a fox barks", model="ltx2-demo", **SMALL), expect_previews=True)


def test_text_to_video_mp4_carries_the_generated_sound_track(container: Container, t2v_job: Job) -> None:
    codec, rate, channels, duration_s = _sound(container, t2v_job) or ("none", 0, 0, 0.0)
    assert (codec, rate, channels) == ("aac", 24000, 2)
    assert duration_s == pytest.approx(9 / 8, abs=0.05)  # as long as the video: 9 frames at 8 fps
    facts = _audio_metadata(container, t2v_job)
    assert facts["generated"] and facts["in_file"] and facts["codec"] == "aac" and facts["sample_rate_hz"] == 24000


def test_the_signed_mp4_keeps_its_sound_track(container: Container, t2v_job: Job) -> None:
    report = verify_file(container.jobs.output_dir(t2v_job.id) / str(t2v_job.outputs.video))
    assert report.manifest.state == "Valid" and not report.manifest.tampered
    assert _sound(container, t2v_job) is not None


def test_webm_carries_the_sound_track_as_opus(container: Container) -> None:
    request = GenerationRequest(prompt="a fox barks", model="ltx2-demo", export={"format": "webm"}, **SMALL)
    job = generate(container, request, expect_previews=True)
    codec, _rate, channels, duration_s = _sound(container, job) or ("none", 0, 0, 0.0)
    assert (codec, channels) == ("opus", 2) and duration_s == pytest.approx(9 / 8, abs=0.05)


def test_image_to_video_has_sound_too(container: Container, tmp_path: Path) -> None:
    request = GenerationRequest(mode="i2v", prompt="a fox barks", model="ltx2-demo", image=source_image(tmp_path, 64, 64),
                                motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), **SMALL)  # fmt: skip
    job = generate(container, request, expect_previews=True)
    assert _sound(container, job) is not None


def test_the_camera_guide_reaches_the_pipeline_as_a_frame_condition(container: Container, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The guide video conditions every latent frame at ``guide_strength``; the source image holds frame 0."""
    import diffusers

    seen: dict = {}
    original = diffusers.LTX2ConditionPipeline.prepare_latents

    def spy(pipe, *args, **kwargs):
        out = original(pipe, *args, **kwargs)
        seen.update(pipe=pipe, conditions=kwargs["conditions"], mask=out[1], clean=out[2])
        return out

    monkeypatch.setattr(diffusers.LTX2ConditionPipeline, "prepare_latents", spy)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="ltx2-demo", image=source_image(tmp_path, 64, 64),
                                motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), guide_strength=0.6, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)
    guide, image = seen["conditions"]
    assert (guide.strength, guide.index, image.strength, image.index) == (0.6, 0, 1.0, 0)
    assert guide.frames.shape == (9, 64, 64, 3) and not np.array_equal(guide.frames[0], guide.frames[-1])  # it pans
    per_frame = 2 * 2  # 64 x 64 px = 2 x 2 latent cells
    mask = seen["mask"][0, :, 0]
    assert torch.all(mask[:per_frame] == 1.0) and torch.allclose(mask[per_frame:], torch.tensor(0.6))
    pipe = seen["pipe"]
    with torch.inference_mode():
        pixels = torch.from_numpy(guide.frames).float().permute(3, 0, 1, 2)[None] / 127.5 - 1.0
        encoded = pipe._normalize_latents(pipe.vae.encode(pixels).latent_dist.mode(), pipe.vae.latents_mean,
                                          pipe.vae.latents_std)  # fmt: skip
    expected = encoded.flatten(2).transpose(1, 2)  # packed tokens, frames first
    assert torch.allclose(seen["clean"][0, per_frame:], expected[0, per_frame:], atol=1e-5)


def test_without_guide_strength_only_the_image_conditions(container: Container, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import diffusers

    seen: list = []
    original = diffusers.LTX2ConditionPipeline.prepare_latents
    monkeypatch.setattr(diffusers.LTX2ConditionPipeline, "prepare_latents",
                        lambda pipe, *a, **k: seen.append(k["conditions"]) or original(pipe, *a, **k))  # fmt: skip
    request = GenerationRequest(mode="i2v", prompt="a fox", model="ltx2-demo", image=source_image(tmp_path, 64, 64),
                                motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), guide_strength=0.0, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)
    assert [(c.strength, np.asarray(c.frames).ndim) for c in seen[0]] == [(1.0, 3)]  # one image, held clean


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="ltx2-demo", **{**SMALL, "steps": 30}))


@pytest.mark.parametrize("frames", [8, 12])
def test_frame_counts_off_the_rule_are_rounded_with_a_note(container: Container, frames: int) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="ltx2-demo", **{**SMALL, "num_frames": frames}))
    assert "8k+1" in (job.message or "")
    container.jobs.cancel(job.id)


def test_sides_off_the_rule_are_rounded_to_multiples_of_32(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="ltx2-demo", **{**SMALL, "width": 80}))
    assert "multiples of 32" in (job.message or "")
    assert job.request.width % 32 == 0
    container.jobs.cancel(job.id)


def test_image_to_video_without_an_image_is_refused(container: Container) -> None:
    with pytest.raises(InvalidRequestError, match="image"):
        container.jobs.submit(GenerationRequest(mode="i2v", prompt="a fox", model="ltx2-demo", **SMALL))


def test_keyframes_kept_for_review_keep_their_sound_track(container: Container) -> None:
    """Keyframe mode with review: the track is saved with the keyframes and muxed after the fill-in."""
    request = GenerationRequest(prompt="a fox barks", model="ltx2-demo", keyframe_factor=2, review_keyframes=True,
                                **{**SMALL, "num_frames": 17})  # fmt: skip
    job = container.jobs.submit(request)
    waiting = container.jobs.wait(job.id, timeout_s=300)
    assert waiting.status == JobStatus.AWAITING_REVIEW and waiting.outputs.review is not None
    assert waiting.outputs.review.audio is not None
    assert (container.jobs.output_dir(job.id) / waiting.outputs.review.audio).is_file()
    container.jobs.accept_keyframes(job.id)
    done = container.jobs.wait(job.id, timeout_s=300)
    assert done.status == JobStatus.SUCCEEDED, done.error
    codec, _rate, _channels, duration_s = _sound(container, done) or ("none", 0, 0, 0.0)
    assert codec == "aac" and duration_s == pytest.approx(17 / 8, abs=0.05)
