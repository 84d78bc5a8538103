"""Preflight estimates as the jobs layer sees them: a protocol the engine's model manager fills."""

from __future__ import annotations

from typing import Protocol

from studio.engine.memory import RunEstimate
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest


class Estimator(Protocol):
    """Estimates a validated request's memory and time (the engine's ``ModelManager``)."""

    def estimate(self, request: GenerationRequest) -> RunEstimate: ...


def refuse_if_too_big(estimate: RunEstimate) -> None:
    """Raise when the request cannot fit under any offload policy.

    Raises:
        InvalidRequestError: the reason (what it needs against which budget) and a suggestion.
    """
    if not estimate.fits:
        raise InvalidRequestError(f"{estimate.reason}; {estimate.suggestion}" if estimate.suggestion else estimate.reason)
