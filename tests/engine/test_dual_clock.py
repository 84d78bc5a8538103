"""Dual-clock denoising: the arrows' regions follow the guide from a lower noise level than the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from studio.config import Settings
from studio.engine import dual_clock as dual_clock_module
from studio.engine import runner as runner_module
from studio.engine.device import resolve_device
from studio.engine.families.base import LatentGeometry
from studio.engine.guide import GuideRenderer
from studio.engine.manager import ModelManager
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.motion.moving import moving_masks, source_region
from studio.motion.specs import MotionSpec, TrajectorySpec
from studio.motion.vectors import Trajectory
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink

W, H, F = 64, 48, 9


def test_source_region_is_the_tail_disc_and_moves_with_the_maps() -> None:
    arrow = Trajectory(points=((0.25, 0.5), (0.75, 0.5)), radius=0.25)
    region = source_region([arrow], F, W, H)
    tail = (round(0.25 * W - 0.5), round(0.5 * H - 0.5))
    assert region[tail[1], tail[0]] == pytest.approx(1.0) and region[0, W - 1] == 0.0
    # content moved 3 px right per frame: frame f shows frame 0's pixel x - 3f
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    maps = np.stack([np.stack([xs - 3 * f, ys], -1) for f in range(F)]).astype(np.float32)
    masks = moving_masks(region, maps)
    assert masks.shape == (F, H, W)
    assert masks[F - 1, tail[1], tail[0] + 3 * (F - 1)] == pytest.approx(1.0)
    assert masks[F - 1, tail[1], tail[0]] < masks[0, tail[1], tail[0]]


def test_latent_mask_pools_cells_and_picks_the_frames_latents_stand_for() -> None:
    moving = np.zeros((F, H, W), np.float32)
    moving[0, :8, :8] = 1.0  # frame 0: top-left 8x8 = one latent cell
    moving[4, :, 32:] = 1.0  # frame 4 = latent frame 1: the right half
    moving[5] = 1.0  # not a frame any latent stands for
    mask = dual_clock_module.latent_mask(moving, LatentGeometry(16, 4, 8), (H // 8, W // 8))
    assert mask.shape == (1, 1, 3, H // 8, W // 8)
    assert mask[0, 0, 0].sum() == 1 and mask[0, 0, 0, 0, 0] == 1
    assert mask[0, 0, 1, :, 4:].all() and not mask[0, 0, 1, :, :4].any()
    assert not mask[0, 0, 2].any()


@pytest.fixture
def runner(settings: Settings) -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device,
                            guide_builder=GuideRenderer(settings))  # fmt: skip


def _request(tmp_path: Path, **overrides) -> GenerationRequest:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (H, W, 3), dtype=np.uint8)).save(tmp_path / "source.png")
    arrow = TrajectorySpec(points=[(0.3, 0.5), (0.7, 0.5)], radius=0.3)
    values = dict(mode=Mode.I2V, prompt="a ball rolls", model="wan-i2v-demo", width=W, height=H, num_frames=F,
                  steps=4, image=str(tmp_path / "source.png"), motion=MotionSpec(trajectories=[arrow]),
                  warped_noise=False)  # fmt: skip
    values.update(overrides)
    return GenerationRequest(**values)


def _capture(runner: GenerationRunner, request: GenerationRequest, monkeypatch) -> tuple[list[torch.Tensor], list]:
    """Run ``request``; return the latent entering each step (the denoiser's first call) and the dual clocks built."""
    clocks: list = []
    build = runner_module.build_dual_clock

    def spy(*args, **kwargs):
        clocks.append(clock := build(*args, **kwargs))
        return clock

    monkeypatch.setattr(runner_module, "build_dual_clock", spy)
    inputs: list[torch.Tensor] = []
    spec = runner._registry.resolve(request.model)
    with runner._manager.use(spec, "i2v") as pipe:
        def hook(_module, args, kwargs):
            hidden = kwargs.get("hidden_states", args[0] if args else None)
            if not inputs or inputs[-1] is not None:
                inputs.append(hidden[:, :16].clone())
            return None

        handle = pipe.transformer.register_forward_pre_hook(hook, with_kwargs=True)
        try:
            sink = RecordingSink()
            result = runner.run(request, seed=5, sink=sink)
        finally:
            handle.remove()
    # two calls per step (conditional, unconditional): keep the first of each
    return inputs[::2], [clocks, result]


def test_dragged_regions_start_at_the_guides_level_and_the_rest_at_the_free_one(runner, tmp_path, monkeypatch) -> None:
    request = _request(tmp_path, guide_strength=0.0, arrow_strength=0.5)  # background free from step 0, arrows to step 2
    steps_in, (clocks, result) = _capture(runner, request, monkeypatch)
    assert len(clocks) == 1 and any("dual clock" in n for n in result.notes)
    clock = clocks[0]
    assert len(clock.levels) == 3 and len(steps_in) == 4
    mask = clock.mask.bool().expand_as(steps_in[0])
    assert 0 < mask.float().mean() < 1
    # step 0: the whole frame at the free level (pure noise at sigma 1)
    free = clock.adapter.noised(clock.pipe, clock.guide, clock.noise, clock.levels[0])
    assert torch.allclose(steps_in[0], free, atol=1e-5)
    # step 2: the dragged regions enter at the guide's own noise level; the rest is the model's
    anchored = clock.adapter.noised(clock.pipe, clock.guide, clock.noise, clock.levels[2])
    assert torch.allclose(steps_in[2][mask], anchored[mask], atol=1e-5)
    assert not torch.allclose(steps_in[2][~mask], anchored[~mask], atol=1e-2)
    # step 3: the dragged regions are free too
    later = clock.adapter.noised(clock.pipe, clock.guide, clock.noise, float(clock.pipe.scheduler.sigmas[3]))
    assert not torch.allclose(steps_in[3][mask], later[mask], atol=1e-3)


def test_background_starts_from_the_noised_guide_when_guide_strength_is_set(runner, tmp_path, monkeypatch) -> None:
    request = _request(tmp_path, guide_strength=0.25, arrow_strength=0.75)  # skip 1 step; arrows follow to step 3
    steps_in, (clocks, _result) = _capture(runner, request, monkeypatch)
    clock = clocks[0]
    assert len(steps_in) == 3 and len(clock.levels) == 3  # truncated schedule: levels of steps 1, 2, 3
    start = clock.adapter.noised(clock.pipe, clock.guide, clock.noise, clock.levels[0])
    assert torch.allclose(steps_in[0], start, atol=1e-5) and clock.levels[0] < 1.0


@pytest.mark.parametrize(
    ("overrides", "note"),
    [
        (dict(arrow_strength=0.25, guide_strength=0.5), "dual clock off"),
        (dict(arrow_steering="guide"), None),
    ],
)
def test_no_dual_clock_when_it_adds_nothing_or_is_not_asked(runner, tmp_path, monkeypatch, overrides, note) -> None:
    _steps, (clocks, result) = _capture(runner, _request(tmp_path, **overrides), monkeypatch)
    assert clocks == []
    assert any(note in n for n in result.notes) if note else not any("dual clock" in n for n in result.notes)


@pytest.mark.parametrize(("field", "value"), [("arrow_strength", 1.5), ("arrow_strength", -0.1), ("arrow_steering", "both")])
def test_bad_dual_clock_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        GenerationRequest(prompt="x", **{field: value})
