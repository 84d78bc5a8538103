"""Submit-time checks of a request's ``gpus`` that need no cluster (the Ray executor checks the rest)."""

from __future__ import annotations

from studio.config import Settings
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest


def check_gpus(request: GenerationRequest, settings: Settings) -> None:
    """A request for several GPUs needs the Ray executor, and no step cache.

    The Ray executor then checks, at submit, that a node of the cluster holds that many GPUs and that the
    model's transformer can split its attention that many ways (``studio/scale/parallel.py``).

    Raises:
        InvalidRequestError: naming ``gpus`` and the setting or option in the way.
    """
    gpus = request.gpus
    if gpus == 1:
        return
    if settings.executor != "ray":
        raise InvalidRequestError(f"gpus={gpus}: one video across several GPUs runs on the Ray executor "
                                  "(STUDIO_EXECUTOR=ray); this studio runs jobs in process on one device, use gpus=1")  # fmt: skip
    if request.step_cache != "off":
        # each rank sees part of the tokens: a cache deciding on them could skip a block on one rank and not on
        # another, and the ranks would wait for each other at the next exchange
        raise InvalidRequestError(f"gpus={gpus} cannot use the step cache {request.step_cache!r}; use step_cache 'off'")
