"""Wan through the family end-to-end path (the reference every other family's tests follow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.container import Container
from studio.motion.specs import CameraSpec, MotionSpec
from studio.types import GenerationRequest
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=64, height=48, num_frames=9, steps=3, fps=8)


def test_text_to_video(container: Container) -> None:
    generate(container, GenerationRequest(prompt="a fox", model="wan-demo", **SMALL), expect_previews=True)


def test_image_to_video_steered_by_a_camera_move(container: Container, tmp_path: Path) -> None:
    request = GenerationRequest(mode="i2v", prompt="a fox", model="wan-i2v-demo", image=source_image(tmp_path),
                                motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), guide_strength=0.3, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="wan-demo", **{**SMALL, "steps": 30}))


@pytest.mark.parametrize("frames", [8, 10])
def test_frame_counts_off_the_rule_are_rounded_with_a_note(container: Container, frames: int) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="wan-demo", **{**SMALL, "num_frames": frames}))
    assert "4k+1" in (job.message or "")
    container.jobs.cancel(job.id)
