"""What a real checkpoint on a GPU exercises, checked on the demo models: grad-free runs, execution
device under offload, per-component dtypes, hooks freed on failure, scheduler shift and sigmas."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from studio.config import Settings
from studio.engine import runner as runner_module
from studio.engine import steering as steering_module
from studio.engine.adapters.wan import WanAdapter
from studio.engine.device import DeviceInfo, component_dtypes, resolve_device
from studio.engine.manager import ModelManager
from studio.engine.previews import CleanLatentTracker, PreviewProjector
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError, JobCanceledError
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Previews at every step, however fast: these tests follow the per-step preview mechanics."""
    return settings.model_copy(update={"preview_min_interval_ms": 0.0})

W, H, F = 64, 48, 9


def _guide(request: GenerationRequest, with_maps: bool = True) -> GuideVideo:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (F, H, W, 3), dtype=np.uint8)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    maps = np.stack([np.stack([np.clip(xs + f, 0, W - 1), ys], axis=-1) for f in range(F)])
    return GuideVideo(frames=frames, maps=maps)


def _runner(settings: Settings, dtype: str = "float32") -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", dtype)
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_guide)


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a boat on a lake", model="wan-demo", width=W, height=H, num_frames=F, steps=3, fps=8)
    values.update(overrides)
    return GenerationRequest(**values)


def _i2v(**overrides) -> GenerationRequest:
    return _request(**{"mode": Mode.I2V, "model": "wan-i2v-demo", "guide_strength": 0.5, **overrides})


# -- 1. inference mode -----------------------------------------------------------------------
def test_guide_latent_and_kept_tensors_carry_no_autograd_graph(settings: Settings, monkeypatch) -> None:
    kept: dict[str, list[torch.Tensor]] = {"guide": [], "preview": [], "clean": []}
    encode, project, predict = steering_module.encode_guide, PreviewProjector.project, CleanLatentTracker.predict

    def spy_encode(*args, **kwargs):
        kept["guide"].append(out := encode(*args, **kwargs))
        return out

    def spy_project(self, latents, frames, min_width_px=160):
        kept["preview"].append(latents)
        return project(self, latents, frames, min_width_px)

    def spy_predict(self, guidance_scale, sigma, to_video=None, batch=None):
        out = predict(self, guidance_scale, sigma, to_video, batch)
        kept["clean"].append(out)
        return out

    monkeypatch.setattr(steering_module, "encode_guide", spy_encode)
    monkeypatch.setattr(PreviewProjector, "project", spy_project)
    monkeypatch.setattr(CleanLatentTracker, "predict", spy_predict)
    _runner(settings).run(_i2v(steps=4), seed=1, sink=RecordingSink())
    assert all(kept.values())
    for name, tensors in kept.items():
        for tensor in tensors:
            assert tensor.grad_fn is None and not tensor.requires_grad, name
            assert torch.is_inference(tensor), name  # made under inference_mode, not just no_grad


# -- 2. execution device ---------------------------------------------------------------------
class _OffloadedVae(torch.nn.Module):
    """A VAE as sequential offload leaves it: its weights on ``meta`` and an accelerate-style hook
    naming the execution device; the real VAE (on the CPU) stands for what the hooks would run."""

    def __init__(self, real: torch.nn.Module) -> None:
        super().__init__()
        self.resting = torch.nn.Parameter(torch.empty(4, device="meta"))
        self._hf_hook = SimpleNamespace(execution_device=torch.device("cpu"))
        self._real = [real]  # a list, so the real one's parameters are not this module's
        self.config = real.config
        self.seen: list[torch.device] = []

    @property
    def device(self) -> torch.device:
        return self.resting.device

    @property
    def dtype(self) -> torch.dtype:
        return self._real[0].dtype

    def encode(self, video: torch.Tensor):
        self.seen.append(video.device)
        return self._real[0].encode(video)


def test_guide_tensors_go_to_the_execution_device_not_the_weights_device(settings: Settings, monkeypatch) -> None:
    runner = _runner(settings)
    spec = runner._registry.resolve("wan-i2v-demo")
    request = _i2v(steps=4)
    with runner._manager.use(spec, "i2v") as pipe:
        offloaded = _OffloadedVae(pipe.vae)
        monkeypatch.setattr(pipe, "vae", offloaded)
        assert next(pipe.vae.parameters()).device.type == "meta" and pipe._execution_device.type == "cpu"
        extra, skip, _dual = runner._steering_inputs(WanAdapter(), pipe, WanAdapter().geometry(pipe), runner._registry.steering(spec), request,
                                              _guide(request), torch.Generator().manual_seed(0), [])  # fmt: skip
    assert skip == 2 and offloaded.seen == [torch.device("cpu")]
    latents = extra["latents"]
    assert latents.device.type == "cpu" and latents.shape == (1, 16, 3, H // 8, W // 8) and torch.isfinite(latents).all()


# -- 4. dtypes per component -----------------------------------------------------------------
def test_reduced_precision_keeps_the_vae_and_image_encoder_in_float32() -> None:
    assert component_dtypes(torch.float32) == torch.float32
    assert component_dtypes(torch.bfloat16) == {"default": torch.bfloat16, "vae": torch.float32,
                                                "image_encoder": torch.float32}  # fmt: skip
    assert DeviceInfo(torch.device("cpu"), torch.float16).component_dtypes()["vae"] == torch.float32  # type: ignore[index]


def test_a_bf16_pipeline_loads_per_component_and_runs_image_to_video(settings: Settings, monkeypatch) -> None:
    runner = _runner(settings, dtype="bfloat16")
    spec = runner._registry.resolve("wan-i2v-demo")
    with runner._manager.use(spec, "i2v") as pipe:
        assert pipe.transformer.dtype == torch.bfloat16 and pipe.text_encoder.dtype == torch.bfloat16
        assert pipe.vae.dtype == torch.float32 and pipe.image_encoder.dtype == torch.float32
        seen: list[torch.dtype] = []
        pipe.vae.encoder.register_forward_pre_hook(lambda _m, args: seen.append(args[0].dtype))
    result = runner.run(_i2v(steps=2), seed=1, sink=RecordingSink())
    assert result.frames.shape == (F, H, W, 3)
    assert seen and set(seen) == {torch.float32}  # the guide and the first frame went in as the VAE's dtype


# -- 6. hooks freed on failure ---------------------------------------------------------------
@pytest.mark.parametrize("failure", ["error", "cancel"])
def test_a_failed_run_frees_the_offload_hooks(settings: Settings, monkeypatch, failure: str) -> None:
    runner = _runner(settings)
    spec = runner._registry.resolve("wan-demo")
    freed: list[int] = []
    with runner._manager.use(spec, "t2v") as pipe:
        monkeypatch.setattr(pipe, "maybe_free_model_hooks", lambda: freed.append(1))
        if failure == "error":
            monkeypatch.setattr(pipe.transformer, "forward", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(JobCanceledError if failure == "cancel" else RuntimeError):
        runner.run(_request(steps=4), seed=1, sink=RecordingSink(cancel_after_step=2 if failure == "cancel" else None))
    assert freed == [1]


# -- 7. scheduler shift and sigmas -----------------------------------------------------------
def test_flow_shift_follows_the_resolution_or_the_request_and_is_restored(settings: Settings, monkeypatch) -> None:
    runner = _runner(settings)
    spec = runner._registry.resolve("wan-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        own = pipe.scheduler
        own.register_to_config(flow_shift=1.0)  # not what the card asks for 480p, so the rule must apply
    used: list[float] = []
    observer_call = runner_module._StepObserver.__call__

    def spy(self, pipeline, step, timestep, kwargs):
        used.append(pipeline.scheduler.config.flow_shift)
        return observer_call(self, pipeline, step, timestep, kwargs)

    monkeypatch.setattr(runner_module._StepObserver, "__call__", spy)
    runner.run(_request(steps=2), seed=1, sink=RecordingSink())
    runner.run(_request(steps=2, flow_shift=7.5), seed=1, sink=RecordingSink())
    assert used == [3.0, 3.0, 7.5, 7.5]
    with runner._manager.use(spec, "t2v") as pipe:
        assert pipe.scheduler is own and own.config.flow_shift == 1.0


def test_flow_shift_on_a_scheduler_without_one_is_refused(settings: Settings) -> None:
    from diffusers import FlowMatchEulerDiscreteScheduler

    runner = _runner(settings)
    spec = runner._registry.resolve("wan-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        own = pipe.scheduler
        pipe.scheduler = FlowMatchEulerDiscreteScheduler()
    try:
        with pytest.raises(InvalidRequestError, match="flow_shift 4.0 was given.*FlowMatchEulerDiscreteScheduler"):
            runner.run(_request(flow_shift=4.0), seed=1, sink=RecordingSink())
        assert runner.run(_request(steps=1), seed=1, sink=RecordingSink()).frames.shape[0] == F  # no shift asked: runs
    finally:
        pipe.scheduler = own


def test_preview_sigma_is_the_schedulers_own(settings: Settings, monkeypatch) -> None:
    runner = _runner(settings)
    sigmas: list[float] = []
    predict = CleanLatentTracker.predict
    monkeypatch.setattr(CleanLatentTracker, "predict",
                        lambda self, g, sigma, to_video=None, batch=None: sigmas.append(sigma)
                        or predict(self, g, sigma, to_video, batch))  # fmt: skip
    runner.run(_request(steps=4), seed=1, sink=RecordingSink())
    spec = runner._registry.resolve("wan-demo")
    with runner._manager.use(spec, "t2v") as pipe:
        pipe.scheduler.set_timesteps(4)
        expected = [float(s) for s in pipe.scheduler.sigmas[:4]]
    assert sigmas == pytest.approx(expected)


# -- 5. a preview or steering error never fails a job ----------------------------------------
def test_a_failing_preview_is_noted_and_the_job_goes_on(settings: Settings, monkeypatch) -> None:
    def broken(self, latents, frames, min_width_px=160):
        raise RuntimeError("projection exploded")

    monkeypatch.setattr(PreviewProjector, "project", broken)
    sink = RecordingSink()
    result = _runner(settings).run(_request(steps=3), seed=1, sink=sink)
    assert result.frames.shape[0] == F and "preview" not in sink.kinds()
    assert [e[1] for e in sink.events if e[0] == "progress"] == [1, 2, 3]
    assert any("previews stopped at step 1" in n and "projection exploded" in n for n in result.notes)


def test_a_failing_noise_warp_is_noted_and_the_job_goes_on(settings: Settings, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ValueError("maps out of shape")

    monkeypatch.setattr(runner_module, "latent_sampling_maps", broken)
    result = _runner(settings).run(_i2v(steps=2, guide_strength=0.0), seed=1, sink=RecordingSink())
    assert result.frames.shape[0] == F
    assert any("noise not warped" in n and "maps out of shape" in n for n in result.notes)


def test_a_latent_space_without_preview_factors_gets_a_note_and_no_preview(settings: Settings, monkeypatch) -> None:
    from studio.engine.families.base import Family

    monkeypatch.setattr(Family, "preview_for", lambda self, geometry: None)
    sink = RecordingSink()
    result = _runner(settings).run(_request(steps=2), seed=1, sink=sink)
    assert "preview" not in sink.kinds() and result.frames.shape[0] == F
    assert any("no live preview" in n and "16 latent channels" in n for n in result.notes)
    assert any("no live preview" in m for m in sink.phase_messages)  # shown while it runs, not only at the end
