"""Per-run scheduler settings: the ``flow_shift`` a request or its resolution asks for.

Flow-matching video models are trained with a shift of the noise schedule
that depends on the resolution (Wan: 3.0 at 480p, 5.0 at 720p). A cached
pipeline keeps one scheduler, so a run that needs another shift gets a
scheduler built from the same config with the override, and the pipeline's
own is put back when the run ends (also when it fails).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from studio.engine.families.base import FlowShiftRule
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest


def flow_shift_for(request: GenerationRequest, rule: FlowShiftRule | None, scheduler: Any) -> float | None:
    """The ``flow_shift`` this run uses: the request's, else ``rule`` (the model's or its family's) for its size.

    Returns None when the scheduler's own value stands (a family without a rule,
    or a scheduler without a ``flow_shift`` setting).

    Raises:
        InvalidRequestError: the request sets ``flow_shift`` but the model's scheduler has none.
    """
    has_shift = "flow_shift" in scheduler.config
    if request.flow_shift is not None:
        if not has_shift:
            raise InvalidRequestError(
                f"flow_shift {request.flow_shift} was given, but the scheduler of model {request.model!r} "
                f"({type(scheduler).__name__}) has no flow_shift setting"
            )
        return request.flow_shift
    if rule is None or not has_shift:
        return None
    return rule.shift_for(request.width, request.height)


@contextmanager
def scheduler_overrides(pipe: Any, **overrides: Any) -> Iterator[None]:
    """Run with ``pipe.scheduler`` rebuilt from its config with ``overrides`` (None values are ignored).

    The pipeline's own scheduler object is restored on exit; nothing changes
    when every override already equals the config.
    """
    original = pipe.scheduler
    changes = {k: v for k, v in overrides.items() if v is not None and original.config.get(k) != v}
    if not changes:
        yield
        return
    pipe.scheduler = type(original).from_config(original.config, **changes)
    try:
        yield
    finally:
        pipe.scheduler = original
