"""The step callback of a run, for pipelines with and without ``callback_on_step_end``.

Most diffusers pipelines call ``callback_on_step_end(pipe, step, timestep,
{"latents": ...})`` after each scheduler step. Some (HunyuanVideo 1.5, whose
loop goes through a guider) take no callback; for those the same callback is
called from a wrapper around the scheduler's ``step`` for the duration of the
call, with the latents the step returned. Either way the observer sees one call
per denoising step, after the step, and latents it returns replace the step's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: ``callback(pipe, step, timestep, {"latents": latents}) -> dict`` (diffusers' ``callback_on_step_end``).
StepCallback = Callable[[Any, int, Any, dict], dict]


def takes_step_callback(pipe: Any) -> bool:
    """Whether the pipeline's call has a ``callback_on_step_end`` argument."""
    return "callback_on_step_end" in inspect.signature(pipe.__call__).parameters


@contextmanager
def step_callback(pipe: Any, callback: StepCallback) -> Iterator[dict[str, Any]]:
    """Yield the call arguments that attach ``callback`` to ``pipe``'s denoising steps.

    With ``callback_on_step_end`` in the pipeline's call, those are the arguments;
    otherwise none, and ``pipe.scheduler.step`` calls ``callback`` until the context
    ends (the scheduler's own method is back afterwards, also on error). The step
    index given is the scheduler's (``step_index - 1`` after the step): it restarts
    where the pipeline restarts its schedule.
    """
    if takes_step_callback(pipe):
        yield {"callback_on_step_end": callback, "callback_on_step_end_tensor_inputs": ["latents"]}
        return
    scheduler = pipe.scheduler
    original = scheduler.step
    own = "step" in vars(scheduler)  # an instance attribute (another wrapper) to put back as it was

    def step(model_output: Any, timestep: Any, sample: Any, *args: Any, **kwargs: Any) -> Any:
        out = original(model_output, timestep, sample, *args, **kwargs)
        latents = out[0] if isinstance(out, tuple) else out.prev_sample
        changed = callback(pipe, int(scheduler.step_index) - 1, timestep, {"latents": latents}) or {}
        if "latents" not in changed:
            return out
        # the callback replaced the latents (as ``callback_on_step_end`` may): the step returns them
        if isinstance(out, tuple):
            return (changed["latents"], *out[1:])
        out.prev_sample = changed["latents"]
        return out

    scheduler.step = step
    try:
        yield {}
    finally:
        if own:
            scheduler.step = original
        else:
            del scheduler.step
