"""LTX-Video through the family end-to-end path: every mode of both demos, cancel, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.container import Container
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, UnknownModelError
from studio.motion.specs import CameraSpec, MotionSpec, TrajectorySpec
from studio.types import GenerationRequest
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=96, height=64, num_frames=9, steps=3, fps=24)
PAN = MotionSpec(camera=CameraSpec(presets=["pan_left"]))


@pytest.mark.parametrize("model", ["ltx-demo", "ltx-condition-demo"])
def test_text_to_video(container: Container, model: str) -> None:
    generate(container, GenerationRequest(prompt="a fox", model=model, **SMALL), expect_previews=True)


@pytest.mark.parametrize("model", ["ltx-demo", "ltx-condition-demo"])
def test_image_to_video_steered_by_a_camera_move(container: Container, tmp_path: Path, model: str) -> None:
    request = GenerationRequest(mode="i2v", prompt="a fox", model=model, image=source_image(tmp_path), motion=PAN,
                                guide_strength=0.4, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)


def test_motion_arrows_steer_by_the_dual_clock(container: Container, tmp_path: Path) -> None:
    """LTX-Video's start level depends on the clip's token count: the dual clock's levels come from the adapter."""
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="ltx-demo", image=source_image(tmp_path),
                                motion=MotionSpec(trajectories=[arrow]), guide_strength=0.0, arrow_strength=0.5,
                                **{**SMALL, "steps": 4})  # fmt: skip
    job = generate(container, request, expect_previews=True)
    assert "dual clock: the arrows' regions" in (job.message or "")


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="ltx-demo", **{**SMALL, "steps": 30}))


@pytest.mark.parametrize("frames", [8, 12])
def test_frame_counts_off_the_rule_are_rounded_with_a_note(container: Container, frames: int) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="ltx-demo", **{**SMALL, "num_frames": frames}))
    assert "8k+1" in (job.message or "") and job.request.num_frames == 9
    container.jobs.cancel(job.id)


def test_sizes_off_the_rule_are_rounded_to_multiples_of_32(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="ltx-demo", **{**SMALL, "width": 100, "height": 70}))
    assert "multiples of 32" in (job.message or "")
    assert (job.request.width, job.request.height) == (96, 64)
    container.jobs.cancel(job.id)


def test_image_to_video_without_an_image_is_refused(container: Container) -> None:
    with pytest.raises(InvalidRequestError, match="needs a source image"):
        container.jobs.submit(GenerationRequest(mode="i2v", prompt="a fox", model="ltx-demo", **SMALL))


def test_a_condition_pipeline_folder_resolves_to_frame_conditioning(tmp_path: Path) -> None:
    folder = tmp_path / "ltx-097"
    folder.mkdir()
    (folder / "model_index.json").write_text(json.dumps({"_class_name": "LTXConditionPipeline"}))
    spec = ModelRegistry(offline=True).resolve(str(folder))
    assert (spec.family, spec.pipeline_class, spec.steering) == ("ltx", "LTXConditionPipeline", ("frames", "keyframes"))
    (folder / "model_index.json").write_text(json.dumps({"_class_name": "LTXLatentUpsamplePipeline"}))
    with pytest.raises(UnknownModelError, match="LTXLatentUpsamplePipeline.*LTXConditionPipeline"):
        ModelRegistry(offline=True).resolve(str(folder))


@pytest.mark.parametrize(("model", "shown", "hidden"), [
    ("ltx-condition-demo", {"guide_strength", "keyframe_fill"},
     {"warped_noise", "control_scale", "arrow_steering", "arrow_strength"}),
    ("ltx-demo", {"guide_strength", "arrow_steering", "arrow_strength"}, {"warped_noise", "control_scale", "keyframe_fill"}),
])  # fmt: skip
def test_the_image_tab_shows_the_guide_controls_a_model_steers_with(container: Container, model: str, shown: set,
                                                                    hidden: set) -> None:  # fmt: skip
    from studio.ui.model_controls import model_rules

    rules = model_rules(container.registry, model)
    assert shown <= rules.controls and not hidden & rules.controls
    assert (rules.side_multiple, rules.temporal_step) == (32, 8)


def test_sides_below_one_latent_patch_are_refused(container: Container) -> None:
    with pytest.raises(InvalidRequestError, match="width must be at least 32 px, got 16"):
        container.jobs.submit(GenerationRequest(prompt="a fox", model="ltx-demo", **{**SMALL, "width": 16}))
