"""AnimateDiff through the family end-to-end path, its steering, camera LoRAs and rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.engine.adapters.animatediff import AnimateDiffAdapter, encode_frames
from studio.engine.camera_loras import camera_loras
from studio.engine.families.animatediff import ANIMATEDIFF, CAMERA_LORAS
from studio.engine.lora_registry import LoraRegistry
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError
from studio.motion.names import PRESET_NAMES
from studio.motion.specs import CameraSpec, MotionSpec, TrajectorySpec
from studio.types import GenerationRequest, LoraSpec
from tests.engine.recording_sink import RecordingSink
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=64, height=48, num_frames=9, steps=3, fps=8)


def _i2v(folder: Path, **overrides) -> GenerationRequest:
    values = dict(mode="i2v", prompt="a fox", model="animatediff-demo", image=source_image(folder),
                  motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])), guide_strength=0.3, **SMALL)  # fmt: skip
    return GenerationRequest(**{**values, **overrides})


def test_text_to_video(container: Container) -> None:
    generate(container, GenerationRequest(prompt="a fox", model="animatediff-demo", **SMALL), expect_previews=True)


def test_video_to_video_from_the_camera_guide(container: Container, tmp_path: Path) -> None:
    job = generate(container, _i2v(tmp_path), expect_previews=True)
    # the demo's motion modules are not v2's: the pan preset's motion LoRA is named and not applied
    assert "animatediff-motion-lora-pan-left" in (job.message or "") and "made for animatediff-v2" in job.message


def test_cancel(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="animatediff-demo", **{**SMALL, "steps": 30}))


def test_any_frame_count_up_to_the_motion_modules_32(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="animatediff-demo", **{**SMALL, "num_frames": 10}))
    assert job.request.num_frames == 10 and "rounded" not in (job.message or "")
    container.jobs.cancel(job.id)
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="animatediff-demo", **{**SMALL, "num_frames": 40}))
    assert job.request.num_frames == 32 and "frames lowered from 40 to 32" in (job.message or "")
    container.jobs.cancel(job.id)
    with pytest.raises(InvalidRequestError, match="at most 32"):
        ANIMATEDIFF.size_rules.check(64, 48, 33, round_values=False)


def test_sides_are_rounded_to_multiples_of_8_with_a_note(container: Container) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="animatediff-demo", **{**SMALL, "width": 70}))
    assert job.request.width == 72 and "multiples of 8" in (job.message or "")
    container.jobs.cancel(job.id)


def test_start_latents_are_the_ddim_noised_encoded_guide_instead_of_the_video(runner: GenerationRunner) -> None:
    adapter = AnimateDiffAdapter()
    request = GenerationRequest(mode="i2v", prompt="a fox", model="animatediff-demo", guide_strength=0.5,
                                warped_noise=False, **{**SMALL, "steps": 4})  # fmt: skip
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (9, 48, 64, 3), dtype=np.uint8)
    guide = GuideVideo(frames=frames, maps=np.zeros((9, 48, 64, 2), np.float32))
    spec = runner._registry.resolve("animatediff-demo")
    with runner._manager.use(spec, "i2v") as pipe, torch.inference_mode():
        geometry = adapter.geometry(pipe)
        extra, skip, _dual = runner._steering_inputs(adapter, pipe, geometry, ANIMATEDIFF.steering, request, guide,
                                              torch.Generator().manual_seed(3), [])  # fmt: skip
        latent = encode_frames(pipe.vae, frames, torch.device("cpu"))
        pipe.scheduler.set_timesteps(4)
        timestep = int(pipe.scheduler.timesteps[skip])
        alpha = float(pipe.scheduler.alphas_cumprod[timestep])
    noise = torch.randn(latent.shape, generator=torch.Generator().manual_seed(3))
    assert skip == 2 and "video" not in extra and extra["strength"] == 1.0
    assert latent.shape == (1, 4, 9, 6, 8) == geometry.latent_shape(9, 48, 64)
    assert torch.allclose(extra["latents"], alpha**0.5 * latent + (1 - alpha) ** 0.5 * noise, atol=1e-5)


def test_the_guide_strength_truncates_the_ddim_schedule(runner: GenerationRunner, tmp_path: Path) -> None:
    sink = RecordingSink()
    runner.run(_i2v(tmp_path, steps=4, guide_strength=0.5), seed=1, sink=sink)
    assert [e[1:] for e in sink.events if e[0] == "progress"] == [(1, 2), (2, 2)]


# -- camera presets -> motion LoRAs ------------------------------------------------------------
def test_every_mapped_preset_is_a_studio_preset_with_a_registered_guoyww_lora(tmp_path: Path) -> None:
    registry = LoraRegistry(tmp_path)
    assert set(CAMERA_LORAS) <= set(PRESET_NAMES) and len(CAMERA_LORAS) == 8
    for preset, key in CAMERA_LORAS.items():
        lora = registry.get(key)
        assert lora is not None and lora.repo_id == f"guoyww/{key}", preset
    assert CAMERA_LORAS["roll_ccw"] == "animatediff-motion-lora-rolling-anticlockwise"


def test_camera_presets_add_their_loras_where_they_fit_and_are_available(tmp_path: Path) -> None:
    registry = LoraRegistry(tmp_path)
    camera = CameraSpec(presets=["zoom_in", "dolly_in", "tilt_up"], strength=0.5)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="animatediff-v2", motion=MotionSpec(camera=camera))
    keys = ("animatediff-v2", "emilianJR/epiCRealism")
    specs, notes = camera_loras(request, CAMERA_LORAS, registry, keys, available=lambda _lora: True)
    assert specs == [LoraSpec(source="animatediff-motion-lora-zoom-in", weight=0.5),
                     LoraSpec(source="animatediff-motion-lora-tilt-up", weight=0.5)] and notes == []  # fmt: skip
    specs, notes = camera_loras(request, CAMERA_LORAS, registry, keys, available=lambda _lora: False)
    assert specs == [] and len(notes) == 2
    assert "guoyww/animatediff-motion-lora-zoom-in is not downloaded (offline)" in notes[0]
    asked = request.model_copy(update={"loras": [LoraSpec(source="animatediff-motion-lora-zoom-in", weight=0.8)]})
    specs, _ = camera_loras(asked, CAMERA_LORAS, registry, keys, available=lambda _lora: True)
    assert [s.source for s in specs] == ["animatediff-motion-lora-tilt-up"]  # the request's own weight stays


def test_a_lora_made_for_the_demos_motion_modules_changes_the_clip_and_is_removed_after(container: Container,
                                                                                         runner: GenerationRunner) -> None:  # fmt: skip
    from safetensors.torch import save_file

    spec = runner._registry.resolve("animatediff-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        layers = {n: m for n, m in pipe.unet.named_modules() if "motion_modules" in n and n.endswith(("to_q", "to_v"))}
    generator = torch.Generator().manual_seed(0)
    weights = {}
    for name, layer in layers.items():
        weights[f"unet.{name}.lora_A.weight"] = torch.randn(4, layer.in_features, generator=generator)
        weights[f"unet.{name}.lora_B.weight"] = torch.randn(layer.out_features, 4, generator=generator)
    folder = container.settings.loras_dir
    folder.mkdir(parents=True, exist_ok=True)
    save_file(weights, folder / "motion-test.safetensors")
    request = GenerationRequest(prompt="a fox", model="animatediff-demo", **SMALL)
    base = runner.run(request, seed=5, sink=RecordingSink()).frames
    with_lora = runner.run(request.model_copy(update={"loras": [LoraSpec(source="motion-test.safetensors")]}), seed=5,
                           sink=RecordingSink()).frames  # fmt: skip
    again = runner.run(request, seed=5, sink=RecordingSink()).frames
    assert not np.array_equal(base, with_lora) and np.array_equal(base, again)


def test_runs_in_bf16_as_on_cuda(bf16_runner: GenerationRunner, tmp_path: Path) -> None:
    # the pipeline hands the UNet's latents to the VAE uncast: the family keeps no component in float32
    t2v = bf16_runner.run(GenerationRequest(prompt="a fox", model="animatediff-demo", **SMALL), seed=1, sink=RecordingSink())
    i2v = bf16_runner.run(_i2v(tmp_path), seed=1, sink=RecordingSink())
    assert t2v.frames.shape == i2v.frames.shape == (9, 48, 64, 3)


def test_warped_noise_alone_replaces_the_video_and_changes_the_clip(runner: GenerationRunner, tmp_path: Path) -> None:
    adapter, spec = AnimateDiffAdapter(), runner._registry.resolve("animatediff-demo")
    request = _i2v(tmp_path, guide_strength=0.0, warped_noise=True)
    guide = runner._guide_builder(request, with_maps=True)
    with runner._manager.use(spec, "i2v") as pipe, torch.inference_mode():
        extra, skip, _dual = runner._steering_inputs(adapter, pipe, adapter.geometry(pipe), ANIMATEDIFF.steering, request,
                                              guide, torch.Generator().manual_seed(0), [])  # fmt: skip
    assert skip == 0 and "video" not in extra and extra["latents"].shape == (1, 4, 9, 6, 8)
    warped = runner.run(request, seed=2, sink=RecordingSink()).frames
    plain = runner.run(request.model_copy(update={"warped_noise": False}), seed=2, sink=RecordingSink()).frames
    assert not np.array_equal(warped, plain)


def test_motion_arrows_steer_through_the_dual_clock(container: Container, tmp_path: Path) -> None:
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = _i2v(tmp_path, motion=MotionSpec(trajectories=[arrow]), guide_strength=0.0, steps=4)
    job = generate(container, request, expect_previews=True)
    assert "dual clock: the arrows' regions" in (job.message or "")


def test_a_base_model_and_a_motion_adapter_from_their_own_folders_load_as_one_pipeline(container: Container,
                                                                                        tmp_path: Path) -> None:  # fmt: skip
    """The real entries' path: an SD 1.5 folder, the motion adapter and the card's scheduler from elsewhere."""
    from diffusers import StableDiffusionPipeline

    from studio.engine.families.animatediff import demo_components
    from studio.engine.registry import ExtraComponent, ModelSpec

    parts = demo_components()
    adapter = parts.pop("motion_adapter")
    StableDiffusionPipeline(**parts, safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(tmp_path / "sd15")  # fmt: skip
    adapter.save_pretrained(tmp_path / "adapter")
    spec = ModelSpec(
        key="animatediff-local", family="animatediff", label="local", source=str(tmp_path / "sd15"),
        modes=("t2v", "i2v"),
        extra_components={
            "motion_adapter": ExtraComponent(class_name="MotionAdapter", source=str(tmp_path / "adapter")),
            "scheduler": ExtraComponent(class_name="EulerDiscreteScheduler", source=str(tmp_path / "sd15"),
                                        subfolder="scheduler", config={"timestep_spacing": "trailing"}),
        },
    )  # fmt: skip
    container.registry.register(spec)
    request = GenerationRequest(prompt="a fox", model="animatediff-local", **SMALL)
    with container.manager.use(spec, "t2v", request=request) as pipe:
        assert type(pipe.unet).__name__ == "UNetMotionModel" and type(pipe.scheduler).__name__ == "EulerDiscreteScheduler"
        assert pipe.scheduler.config.timestep_spacing == "trailing"
        assert torch.equal(pipe.motion_adapter.down_blocks[0].motion_modules[0].proj_in.weight,
                           adapter.down_blocks[0].motion_modules[0].proj_in.weight)  # fmt: skip
    generate(container, request, expect_previews=True)  # Euler (epsilon) previews go through the scheduler's sigmas


def test_offline_a_camera_lora_not_in_the_hub_cache_is_a_note_not_a_failure(tmp_path: Path, monkeypatch) -> None:
    import huggingface_hub.constants

    from studio.engine.camera_loras import with_camera_loras

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    request = GenerationRequest(mode="i2v", prompt="a fox", model="animatediff-v2",
                                motion=MotionSpec(camera=CameraSpec(presets=["roll_cw"])))  # fmt: skip
    same, notes = with_camera_loras(request, CAMERA_LORAS, LoraRegistry(tmp_path), ("animatediff-v2",), offline=True)
    assert same is request and notes == ["camera preset roll_cw: motion LoRA guoyww/animatediff-motion-lora-rolling-"
                                         "clockwise is not downloaded (offline); the guide video steers the camera"]
    online, notes = with_camera_loras(request, CAMERA_LORAS, LoraRegistry(tmp_path), ("animatediff-v2",), offline=False)
    assert [s.source for s in online.loras] == ["animatediff-motion-lora-rolling-clockwise"] and notes == []
