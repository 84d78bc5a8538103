"""Preflight estimates: facts from the registry, the files and the loaded modules; plans; measured time."""

from __future__ import annotations

import pytest
import torch

from studio.config import Settings
from studio.engine.demo import ensure_demo
from studio.engine.device import DeviceInfo
from studio.engine.manager import ModelManager
from studio.engine.model_files import read_safetensors_header, weights_status
from studio.engine.registry import ModelRegistry
from studio.engine.step_times import StepTimes
from studio.errors import UnknownModelError
from studio.types import GenerationRequest
from tests.engine.fake_models import FakeDevice

_CPU = DeviceInfo(torch.device("cpu"), torch.float32)


def _request(model: str, **values) -> GenerationRequest:
    base = dict(prompt="x", model=model, width=832, height=480, num_frames=81, steps=30, guidance_scale=5.0)
    return GenerationRequest(**{**base, **values})  # type: ignore[arg-type]


def _manager(settings: Settings, device=_CPU, **update) -> ModelManager:
    return ModelManager(settings.model_copy(update=update), ModelRegistry(offline=True), device)


@pytest.mark.parametrize(
    ("model", "budget", "policy", "tiling"),
    [
        ("wan2.1-t2v-1.3b", 80.0, "none", False),
        ("wan2.1-t2v-1.3b", 16.0, "model_cpu_offload", False),
        ("wan2.1-t2v-1.3b", 6.0, "group_offload", True),
        ("wan2.1-i2v-14b-480p", 80.0, "none", False),  # 47 GB of weights + 5.7 GB of VAE decode
        ("wan2.1-i2v-14b-480p", 48.0, "model_cpu_offload", False),  # the 33 GB transformer + 5 GB activations
        ("wan2.1-i2v-14b-480p", 24.0, "group_offload", False),
        ("wan2.1-vace-1.3b", 16.0, "model_cpu_offload", False),
    ],
)
def test_registered_models_are_estimated_from_their_real_configs(settings, model, budget, policy, tiling) -> None:
    manager = _manager(settings, FakeDevice(), vram_budget_gb=budget)
    estimate = manager.estimate(_request(model))
    assert estimate.weights_source == "registry" and estimate.tokens == 32760
    assert (estimate.policy, estimate.vae_tiling, estimate.fits) == (policy, tiling, True)
    assert estimate.component_gb["text_encoder"] == pytest.approx(11.36) and estimate.component_gb["vae"] == pytest.approx(0.508)
    assert estimate.peak_gb <= budget * 0.85 and estimate.budget_kind == "device"


def test_the_14b_transformer_weighs_what_its_parameters_do(settings) -> None:
    estimate = _manager(settings, FakeDevice(), vram_budget_gb=80.0).estimate(_request("wan2.1-i2v-14b-480p"))
    assert estimate.component_gb["transformer"] == pytest.approx(32.79)  # 16.395 B parameters in bf16
    assert estimate.weights_gb == pytest.approx(32.79 + 11.36 + 2.524 + 0.508)
    assert estimate.activations_gb > _manager(settings, FakeDevice(), vram_budget_gb=80.0).estimate(_request("wan2.1-t2v-1.3b")).activations_gb


def test_a_request_that_fits_no_policy_is_refused_with_a_suggestion(settings) -> None:
    estimate = _manager(settings, FakeDevice(), vram_budget_gb=4.0).estimate(_request("wan2.1-i2v-14b-480p"))
    assert not estimate.fits and estimate.policy == "sequential_cpu_offload"
    assert "needs ~" in estimate.reason and "4.0 GB device budget" in estimate.reason
    assert estimate.suggestion.startswith("try ")


def test_on_the_cpu_the_ram_budget_applies_and_offload_does_not(settings) -> None:
    manager = _manager(settings, ram_budget_gb=16.0)
    real = manager.estimate(_request("wan2.1-t2v-1.3b"))
    assert real.budget_kind == "ram" and real.policy == "none" and not real.fits
    assert real.component_gb["transformer"] == pytest.approx(1.419 * 4)  # fp32 on the CPU
    assert "STUDIO_RAM_BUDGET_GB" in real.reason
    demo = manager.estimate(_request("wan-demo", width=160, height=96, num_frames=17))
    assert demo.fits


def test_demo_models_are_measured_from_their_files_then_from_the_loaded_modules(settings, tmp_path) -> None:
    fresh = _manager(settings, model_dir=tmp_path / "empty")
    unbuilt = fresh.estimate(_request("wan-demo", width=160, height=96, num_frames=17))
    assert unbuilt.weights_source == "unknown" and unbuilt.fits and "until the model is built" in unbuilt.reason
    manager = _manager(settings)
    request = _request("wan-demo", width=160, height=96, num_frames=17)
    spec = manager._registry.resolve("wan-demo")
    with manager.use(spec, "t2v") as pipe:
        pass
    from_files = manager._estimator.estimate  # the files, as a new studio would see them before loading
    files = from_files(spec, _clip(request), manager.budget(), compute_bytes=4, device_name="cpu")
    assert files.weights_source == "files" and set(files.component_gb) == {"transformer", "text_encoder", "vae"}
    loaded = manager.estimate(request)
    assert loaded.weights_source == "loaded"
    params = sum(p.numel() for p in pipe.transformer.parameters())
    assert loaded.component_gb["transformer"] == pytest.approx(params * 4 / 1e9, rel=1e-3)
    assert files.component_gb == pytest.approx(loaded.component_gb, rel=1e-3)
    assert loaded.tokens == 5 * 6 * 10  # 5 latent frames x (96 / 16) x (160 / 16)


def _clip(request: GenerationRequest):
    from studio.engine.estimator import Clip

    return Clip(request.width, request.height, request.num_frames, request.steps, request.guidance_scale)


def test_time_is_unknown_until_measured_then_measured_then_scaled(settings) -> None:
    manager = _manager(settings, FakeDevice(), vram_budget_gb=80.0)
    request = _request("wan2.1-t2v-1.3b")
    assert manager.estimate(request).time_note == "no measurement yet" and manager.estimate(request).est_seconds is None
    manager.record_step_times(request, [9.0, 2.0, 2.2, 2.1, 2.1])  # the median ignores the slow first step
    same = manager.estimate(request)
    assert same.seconds_per_step == pytest.approx(2.1) and same.est_seconds == pytest.approx(63.0)
    assert same.time_note == "measured at this size, 1 run"
    half = manager.estimate(_request("wan2.1-t2v-1.3b", num_frames=41))  # 11 latent frames instead of 21
    assert half.seconds_per_step == pytest.approx(2.1 * 11 / 21) and "scaled from a run at 32760 tokens" in half.time_note
    unguided = manager.estimate(_request("wan2.1-t2v-1.3b", guidance_scale=1.0))
    assert unguided.est_seconds is None  # one transformer pass per step: a different measurement
    assert manager.estimate(_request("wan2.1-t2v-1.3b", step_cache="mag")).est_seconds is None  # skips blocks
    reopened = StepTimes(settings.data_dir / "step_times.json")
    assert reopened.lookup(StepTimes.key("cpu", "wan2.1-t2v-1.3b", "none", True), 32760).seconds_per_step == pytest.approx(2.1)


def test_unreadable_step_times_are_ignored(tmp_path) -> None:
    path = tmp_path / "step_times.json"
    path.write_text("{not json")
    times = StepTimes(path)
    assert times.lookup("k", 10) is None
    times.record("k", 10, [1.0])
    assert StepTimes(path).lookup("k", 10).seconds_per_step == 1.0


def test_unknown_model_and_the_motion_engine(settings) -> None:
    manager = _manager(settings)
    with pytest.raises(UnknownModelError, match="'no-such-model'"):
        manager.estimate(_request("no-such-model"))
    warp = manager.estimate(_request("motion-warp", mode="i2v"))
    assert warp.fits and warp.weights_gb == 0 and "no neural model" in warp.reason


def test_weights_status_of_demo_local_and_hub_models(settings, tmp_path) -> None:
    registry = ModelRegistry(offline=True)
    missing = weights_status(registry.resolve("wan2.1-t2v-1.3b"), settings.models_dir)
    assert not missing.present and missing.fetch_command == "hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    demo = registry.resolve("wan-demo")
    folder = ensure_demo(settings.models_dir, demo)
    built = weights_status(demo, settings.models_dir)
    assert built.present and built.disk_gb > 0 and built.fetch_command is None
    local = weights_status(registry.resolve(str(folder)), settings.models_dir)
    assert local.present and local.where == str(folder) and local.disk_gb == pytest.approx(built.disk_gb)
    header = read_safetensors_header(next((folder / "vae").glob("*.safetensors")))
    assert all("shape" in info for info in header.values())


def test_wan22_estimates_use_both_experts_and_per_token_timesteps(settings) -> None:
    from dataclasses import replace

    from studio.engine.memory import denoise_activations_gb

    manager = _manager(settings, FakeDevice(), vram_budget_gb=64.0)
    a14b = manager.estimate(_request("wan2.2-t2v-a14b", width=1280, height=720, num_frames=81))
    assert set(a14b.component_gb) == {"transformer", "transformer_2", "text_encoder", "vae"}
    assert a14b.weights_gb == pytest.approx(69.0, abs=0.2)
    # the experts take turns: model offload holds one of them, not both
    assert a14b.policy == "model_cpu_offload" and a14b.peak_gb < a14b.component_gb["transformer"] * 2
    ti2v = manager.estimate(_request("wan2.2-ti2v-5b", width=1280, height=704, num_frames=121))
    assert ti2v.tokens == 31 * 22 * 40  # 16x spatial compression, 2x2 patches
    shape = manager._registry.resolve("wan2.2-ti2v-5b").denoiser
    assert shape is not None and shape.per_token_timestep
    assert ti2v.activations_gb > denoise_activations_gb(replace(shape, per_token_timestep=False), ti2v.tokens, 2) + 2.0


def test_a_run_measures_its_steps_for_the_next_estimate(settings) -> None:
    from studio.engine import build_engine
    from tests.engine.recording_sink import RecordingSink

    registry = ModelRegistry(offline=True)
    _device, manager, runner = build_engine(settings, registry)
    request = _request("wan-demo", width=64, height=48, num_frames=9, steps=3)
    assert manager.estimate(request).time_note == "no measurement yet"
    runner.run(request, seed=1, sink=RecordingSink())
    estimate = manager.estimate(request)
    assert estimate.time_note == "measured at this size, 1 run" and 0 < estimate.seconds_per_step < 30
    assert estimate.est_seconds == pytest.approx(3 * estimate.seconds_per_step)


def test_taylorseer_state_is_in_the_estimate_as_measured_on_a_gpu(settings) -> None:
    # benchmarks/gpu.py on an H200, full-size Wan 2.1 1.3B, 832x480x81 with guidance: the peak was 24.25 GB
    # without a step cache and 60.48 GB with TaylorSeer (36.2 GB of Taylor factors).
    manager = _manager(settings, FakeDevice(), vram_budget_gb=100.0)
    off, taylor = manager.estimate(_request("wan2.1-t2v-1.3b")), manager.estimate(_request("wan2.1-t2v-1.3b", step_cache="taylorseer"))
    assert off.step_cache_gb == 0.0 and "step cache" not in off.summary()
    assert taylor.step_cache_gb == pytest.approx(60.48 - 24.25, rel=0.05)
    assert taylor.peak_gb - off.peak_gb == pytest.approx(taylor.step_cache_gb)
    assert f"step cache {taylor.step_cache_gb:.1f}" in taylor.summary()
    # a budget the plain run fits without offload pushes the TaylorSeer run to offload
    tight = _manager(settings, FakeDevice(), vram_budget_gb=40.0)
    assert tight.estimate(_request("wan2.1-t2v-1.3b")).policy == "none"
    assert tight.estimate(_request("wan2.1-t2v-1.3b", step_cache="taylorseer")).policy != "none"


def test_a_model_fill_in_is_estimated_with_its_condition_tokens(settings) -> None:
    # keyframe mode's model fill-in generates the whole clip again with one latent frame of tokens per later
    # keyframe (LTXConditionPipeline): 97 frames at factor 8 -> 13 keyframes -> 12 more latent frames than 13
    manager = _manager(settings, FakeDevice(), vram_budget_gb=80.0)
    size = dict(width=768, height=512, num_frames=97, keyframe_factor=8)
    flow = manager.estimate(_request("ltx-video-0.9.5", **size))
    model = manager.estimate(_request("ltx-video-0.9.5", keyframe_fill="model", **size))
    per_latent_frame = flow.tokens // 13
    assert model.tokens == flow.tokens + 12 * per_latent_frame
    assert model.activations_gb > 1.9 * flow.activations_gb and model.peak_gb >= flow.peak_gb  # the VAE decode may dominate
    assert manager.estimate(_request("ltx-video-0.9.5", keyframe_fill="model", width=768, height=512, num_frames=97)).tokens == flow.tokens
