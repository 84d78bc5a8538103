"""The step callback for pipelines without ``callback_on_step_end``: the scheduler's steps are observed."""

from __future__ import annotations

import torch
from diffusers import FlowMatchEulerDiscreteScheduler

from studio.engine.step_callback import step_callback, takes_step_callback


class _LoopWithoutCallback:
    """A denoising loop shaped like HunyuanVideo 1.5's: the scheduler steps, no callback argument."""

    def __init__(self) -> None:
        self.scheduler = FlowMatchEulerDiscreteScheduler(shift=5.0)

    def __call__(self, num_inference_steps: int, sections: int = 1) -> torch.Tensor:
        latents = torch.ones(1, 2, 1, 2, 2)
        for _ in range(sections):  # a schedule per section, as FramePack's loop does
            self.scheduler.set_timesteps(num_inference_steps)
            for t in self.scheduler.timesteps:
                latents = self.scheduler.step(-latents, t, latents, return_dict=False)[0]
        return latents


class _LoopWithCallback(_LoopWithoutCallback):
    def __call__(self, num_inference_steps: int, callback_on_step_end=None,  # type: ignore[override]
                 callback_on_step_end_tensor_inputs=None) -> torch.Tensor:  # fmt: skip
        return super().__call__(num_inference_steps)


def test_steps_are_observed_through_the_scheduler_and_the_wrapper_is_removed() -> None:
    pipe = _LoopWithoutCallback()
    seen: list[tuple[int, float]] = []

    def callback(p, step, timestep, kwargs):
        assert p is pipe
        seen.append((step, float(kwargs["latents"].mean())))
        return {}

    assert not takes_step_callback(pipe)
    with step_callback(pipe, callback) as kwargs:
        out = pipe(3, sections=2)
    assert kwargs == {}
    assert [s for s, _ in seen] == [0, 1, 2, 0, 1, 2]  # the index restarts with each schedule
    assert seen[-1][1] == float(out.mean())  # the latents each step returned
    assert "step" not in vars(pipe.scheduler)  # the class's method is back
    pipe(2)
    assert len(seen) == 6


def test_pipelines_with_a_callback_argument_get_it() -> None:
    pipe = _LoopWithCallback()

    def callback(p, step, timestep, kwargs):
        return {}

    assert takes_step_callback(pipe)
    with step_callback(pipe, callback) as kwargs:
        assert kwargs == {"callback_on_step_end": callback, "callback_on_step_end_tensor_inputs": ["latents"]}
    assert "step" not in vars(pipe.scheduler)


def test_latents_the_callback_returns_replace_the_steps() -> None:
    """As with ``callback_on_step_end`` (the dual clock anchors latents this way)."""
    pipe = _LoopWithoutCallback()

    def callback(p, step, timestep, kwargs):
        return {"latents": torch.full_like(kwargs["latents"], float(step))}

    with step_callback(pipe, callback):
        out = pipe(3)
    assert torch.equal(out, torch.full((1, 2, 1, 2, 2), 2.0))  # the last step's replacement
