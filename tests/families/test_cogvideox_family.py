"""CogVideoX through the family end-to-end path: 1.0 text to video and video to video, 1.5 image to video."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.container import Container
from studio.errors import InvalidRequestError
from studio.motion.specs import CameraSpec, MotionSpec
from studio.types import GenerationRequest
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=64, height=48, num_frames=9, steps=3, fps=8)
PAN = MotionSpec(camera=CameraSpec(presets=["pan_left"]))


def test_text_to_video(container: Container) -> None:
    generate(container, GenerationRequest(prompt="a fox", model="cogvideox-demo", **SMALL), expect_previews=True)


def test_image_to_video_by_re_rendering_the_camera_guide(container: Container, tmp_path: Path) -> None:
    """The 1.0 text-to-video model animates an image through its video-to-video pipeline (the guide as source)."""
    request = GenerationRequest(mode="i2v", prompt="a fox", model="cogvideox-demo", image=source_image(tmp_path),
                                motion=PAN, guide_strength=0.4, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)


def test_image_to_video_with_the_1_5_first_frame_model(container: Container, tmp_path: Path) -> None:
    """CogVideoX 1.5 I2V: 17 frames (16k+1) make 5 latent frames, padded to 6 for the 2-frame patches."""
    request = GenerationRequest(mode="i2v", prompt="a fox", model="cogvideox-i2v-demo", image=source_image(tmp_path),
                                motion=PAN, guide_strength=0.3, **{**SMALL, "num_frames": 17})  # fmt: skip
    generate(container, request, expect_previews=True)


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="cogvideox-demo", **{**SMALL, "steps": 30}))


@pytest.mark.parametrize(("model", "frames", "note"), [
    ("cogvideox-i2v-demo", 13, "frames rounded from 13 to 17 (16k+1)"),
    ("cogvideox-demo", 10, "frames rounded from 10 to 9 (4k+1)"),
    ("cogvideox-demo", 81, "frames lowered from 81 to 49 (this model's limit)"),
])  # fmt: skip
def test_frame_counts_off_the_rules_are_rounded_with_a_note(container: Container, tmp_path: Path, model: str,
                                                            frames: int, note: str) -> None:  # fmt: skip
    mode = "i2v" if "i2v" in model else "t2v"
    image = source_image(tmp_path) if mode == "i2v" else None
    job = container.jobs.submit(GenerationRequest(mode=mode, prompt="a fox", model=model, image=image,
                                                  **{**SMALL, "num_frames": frames}))  # fmt: skip
    container.jobs.cancel(job.id)
    assert note in (job.message or "") or note in job.notes, (job.message, job.notes)


def test_sizes_off_the_rule_are_rounded_and_an_image_is_required(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="cogvideox-demo", **{**SMALL, "width": 70}))
    container.jobs.cancel(job.id)
    assert "size rounded from 70x48 to 64x48 (multiples of 16)" in (job.message or "") + " ".join(job.notes)
    with pytest.raises(InvalidRequestError, match="cannot do t2v"):
        container.jobs.submit(GenerationRequest(prompt="a fox", model="cogvideox-i2v-demo", **SMALL))
    with pytest.raises(InvalidRequestError, match="image-to-video needs a source image"):
        container.jobs.submit(GenerationRequest(mode="i2v", prompt="a fox", model="cogvideox-i2v-demo",
                                                **{**SMALL, "num_frames": 17}))  # fmt: skip
