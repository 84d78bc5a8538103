"""CogVideoX steering and previews on the demos: start latents, video-to-video strength, schedules, v-prediction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.config import Settings
from studio.engine.adapters.cogvideox import CogVideoXAdapter
from studio.engine.device import resolve_device
from studio.engine.families.base import SizeRules
from studio.engine.manager import ModelManager
from studio.engine.previews import CleanLatentTracker
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.engine.steering import GuideVideo, truncated_schedule
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink

W, H = 64, 48
ADAPTER = CogVideoXAdapter()


def _guide(request: GenerationRequest, with_maps: bool = True) -> GuideVideo:
    """A random texture sliding left 2 px per frame, with its backward maps."""
    frames_count = request.num_frames
    image = np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    maps = np.stack([np.stack([np.clip(xs + 2 * f, 0, W - 1), ys], axis=-1) for f in range(frames_count)])
    frames = np.stack([image[ys.astype(int), maps[f, ..., 0].astype(int)] for f in range(frames_count)])
    return GuideVideo(frames=frames, maps=maps)


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory, shared_model_dir) -> GenerationRunner:
    settings = Settings(data_dir=tmp_path_factory.mktemp("cog-data"), model_dir=shared_model_dir, device="cpu",
                        offline=True)  # fmt: skip
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_guide)


def _request(model: str, **values) -> GenerationRequest:
    base = dict(mode=Mode.I2V, prompt="the camera pans", model=model, width=W, height=H, num_frames=17, steps=4)
    return GenerationRequest(**{**base, **values})  # type: ignore[arg-type]


def test_start_latents_are_the_scheduler_noised_encoded_guide_with_the_front_padding(runner: GenerationRunner) -> None:
    request = _request("cogvideox-i2v-demo", guide_strength=0.5, warped_noise=False)
    spec = runner._registry.resolve(request.model)
    guide = _guide(request)
    with runner._manager.use(spec, "i2v") as pipe:
        geometry = ADAPTER.geometry(pipe)
        extra, skip, _dual = runner._steering_inputs(ADAPTER, pipe, geometry, runner._registry.steering(spec), request, guide,
                                              torch.Generator().manual_seed(3), [])  # fmt: skip
        clean = ADAPTER.encode_video(pipe, guide.frames, torch.device("cpu"))
        pipe.scheduler.set_timesteps(4)
        start_t = pipe.scheduler.timesteps[skip]
        alpha = pipe.scheduler.alphas_cumprod[start_t]
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(3))
    expected = alpha.sqrt() * clean + (1 - alpha).sqrt() * noise  # (1, 16, 5, 6, 8)
    latents = extra["latents"]  # frames first, 5 latent frames padded at the front to 6 (2-frame patches)
    assert skip == 2 and extra["image"].size == (W, H) and latents.shape == (1, 6, 16, 6, 8)
    assert torch.allclose(latents[:, 1:].permute(0, 2, 1, 3, 4), expected, atol=1e-5)
    assert torch.equal(latents[:, 0], latents[:, 1])


def test_the_video_to_video_pipeline_gets_the_guide_and_runs_the_remaining_steps(runner: GenerationRunner) -> None:
    request = _request("cogvideox-demo", num_frames=9, guide_strength=0.5)
    spec = runner._registry.resolve(request.model)
    with runner._manager.use(spec, "i2v") as pipe:
        assert type(pipe).__name__ == "CogVideoXVideoToVideoPipeline"
        extra, skip, _dual = runner._steering_inputs(ADAPTER, pipe, ADAPTER.geometry(pipe), runner._registry.steering(spec),
                                              request, _guide(request), torch.Generator(), [])  # fmt: skip
    assert "latents" not in extra and len(extra["video"]) == 9 and skip == 2
    assert int(request.steps * extra["strength"]) == request.steps - skip
    sink = RecordingSink()
    result = runner.run(request, seed=1, sink=sink)
    assert [e[1:] for e in sink.events if e[0] == "progress"] == [(1, 2), (2, 2)]
    assert result.frames.shape == (9, H, W, 3)
    unsteered = RecordingSink()  # strength 1: every step runs, from noise
    runner.run(_request("cogvideox-demo", num_frames=9, steps=2, guide_strength=0.0), seed=1, sink=unsteered)
    assert [e[1:] for e in unsteered.events if e[0] == "progress"] == [(1, 2), (2, 2)]


def test_video_to_video_on_1_5_refuses_frames_that_are_not_whole_temporal_patches(runner: GenerationRunner) -> None:
    import diffusers

    spec = runner._registry.resolve("cogvideox-i2v-demo")
    with runner._manager.use(spec, "i2v") as pipe:
        v2v = diffusers.CogVideoXVideoToVideoPipeline(**{k: v for k, v in pipe.components.items()})
        request = _request("cogvideox-i2v-demo", guide_strength=0.5)
        with pytest.raises(InvalidRequestError, match="17 frames make 5 latent frames"):
            ADAPTER.source_video_kwargs(v2v, request, _guide(request), 2)


@pytest.mark.parametrize("scheduler_name", ["CogVideoXDDIMScheduler", "CogVideoXDPMScheduler"])
def test_truncated_schedule_trims_schedulers_without_sigmas(scheduler_name: str) -> None:
    import diffusers

    scheduler = getattr(diffusers, scheduler_name)(prediction_type="v_prediction", timestep_spacing="trailing")
    assert not hasattr(scheduler, "sigmas")
    scheduler.set_timesteps(10)
    full = scheduler.timesteps.clone()
    with truncated_schedule(scheduler, 4):
        scheduler.set_timesteps(10)
        assert torch.equal(scheduler.timesteps, full[4:]) and scheduler.num_inference_steps == 10
    scheduler.set_timesteps(10)
    assert torch.equal(scheduler.timesteps, full)


class _VelocityModel(torch.nn.Module):
    """A denoiser stand-in: v = 2 x hidden for the unconditional half of the batch, 3 x hidden for the other."""

    def forward(self, hidden_states: torch.Tensor, timestep: torch.Tensor) -> tuple[torch.Tensor]:
        factor = torch.tensor([2.0, 3.0]).view(2, 1, 1, 1, 1)[: hidden_states.shape[0]]
        return (hidden_states * factor,)


def test_v_prediction_previews_combine_a_batched_guided_call() -> None:
    alphas = torch.linspace(0.99, 0.01, 1000)
    model = _VelocityModel()
    tracker = CleanLatentTracker([model], "v")
    hidden = torch.randn(1, 3, 16, 2, 2)  # frames first, as CogVideoX holds it
    model(hidden_states=torch.cat([hidden, hidden]), timestep=torch.tensor([500, 500]))
    to_video = lambda t: t.permute(0, 2, 1, 3, 4)  # noqa: E731
    a = alphas[500]
    clean = tracker.predict(6.0, float(((1 - a) / a).sqrt()), to_video)  # the step's level, as step_sigma reads it
    velocity = 2 * hidden + 6.0 * (3 * hidden - 2 * hidden)  # uncond + g * (cond - uncond)
    assert clean is not None and clean.shape == (1, 16, 3, 2, 2)
    assert torch.allclose(clean, to_video(a.sqrt() * hidden - (1 - a).sqrt() * velocity), atol=1e-5)
    tracker.close()


def test_frame_limits_and_a_fixed_size_are_refused_or_rounded_with_a_note() -> None:
    rules = SizeRules(side_multiple=16, temporal_step=4, max_frames=49, fixed_size=(720, 480))
    with pytest.raises(InvalidRequestError, match="frames must be at most 49 for this model, got 81"):
        rules.check(720, 480, 81, round_values=False)
    with pytest.raises(InvalidRequestError, match="runs at 720x480 only, got 832x480"):
        rules.check(832, 480, 49, round_values=False)
    width, height, frames, notes = rules.check(832, 480, 81, round_values=True)
    assert (width, height, frames) == (720, 480, 49) and len(notes) == 2


def test_a_cogvideox_pipeline_folder_resolves_to_the_family(runner: GenerationRunner) -> None:
    from studio.engine.demo import ensure_demo

    registry = runner._registry
    folder = ensure_demo(runner._settings.models_dir, registry.resolve("cogvideox-i2v-demo"))
    spec = registry.resolve(str(folder))
    assert (spec.family, spec.modes) == ("cogvideox", ("i2v",))
    assert registry.pipeline_class(spec, "i2v") == "CogVideoXImageToVideoPipeline"


def test_dual_clock_anchors_the_dragged_regions_in_the_cogvideox_noise_process(runner: GenerationRunner,
                                                                               tmp_path, monkeypatch) -> None:  # fmt: skip
    """Arrows on the 1.5 I2V demo: the dragged regions enter step 2 at the guide noised to that step's timestep."""
    from PIL import Image

    from studio.engine import runner as runner_module
    from studio.engine.guide import GuideRenderer
    from studio.motion.specs import MotionSpec, TrajectorySpec

    Image.fromarray(np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8)).save(tmp_path / "src.png")
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = _request("cogvideox-i2v-demo", image=str(tmp_path / "src.png"), motion=MotionSpec(trajectories=[arrow]),
                       warped_noise=False, guide_strength=0.0, arrow_strength=0.5)  # fmt: skip
    clocks: list = []
    build = runner_module.build_dual_clock
    monkeypatch.setattr(runner_module, "build_dual_clock", lambda *a, **k: clocks.append(build(*a, **k)) or clocks[-1])
    arrows = GenerationRunner(runner._settings, runner._registry, runner._manager, runner._device,
                              guide_builder=GuideRenderer(runner._settings))  # fmt: skip
    inputs: list[torch.Tensor] = []
    with runner._manager.use(runner._registry.resolve(request.model), "i2v") as pipe:
        hook = pipe.transformer.register_forward_pre_hook(
            lambda _m, _a, kwargs: inputs.append(kwargs["hidden_states"][:1, :, :16].clone()), with_kwargs=True)
        try:
            result = arrows.run(request, seed=5, sink=RecordingSink())
        finally:
            hook.remove()
    assert len(clocks) == 1 and any("dual clock" in n for n in result.notes) and len(inputs) == 4
    clock = clocks[0]
    step2 = ADAPTER.to_video_layout(inputs[2], clock.geometry, request)  # one batched call per step: [uncond, cond]
    mask = clock.mask.bool().expand_as(step2)
    anchored = ADAPTER.noised(clock.pipe, clock.guide, clock.noise, clock.levels[2])
    assert 0 < mask.float().mean() < 1 and clock.levels == sorted(clock.levels, reverse=True)
    assert torch.allclose(step2[mask], anchored[mask], atol=1e-5)
    assert not torch.allclose(step2[~mask], anchored[~mask], atol=1e-2)


def test_the_video_to_video_pipeline_says_it_has_no_dual_clock(runner: GenerationRunner, tmp_path) -> None:
    from PIL import Image

    from studio.engine.guide import GuideRenderer
    from studio.motion.specs import MotionSpec, TrajectorySpec

    Image.fromarray(np.full((H, W, 3), 90, dtype=np.uint8)).save(tmp_path / "src.png")
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    request = _request("cogvideox-demo", num_frames=9, steps=2, guide_strength=0.5, image=str(tmp_path / "src.png"),
                       motion=MotionSpec(trajectories=[arrow]))  # fmt: skip
    arrows = GenerationRunner(runner._settings, runner._registry, runner._manager, runner._device,
                              guide_builder=GuideRenderer(runner._settings))  # fmt: skip
    result = arrows.run(request, seed=2, sink=RecordingSink())
    assert any(n.startswith("dual clock off: this model's video-to-video pipeline") for n in result.notes), result.notes
