"""Import the pipeline code of the default model before the studio takes requests.

diffusers and transformers resolve pipeline classes lazily: the first job
would import a few thousand modules (about 200,000 Python objects) in the
worker thread, holding the interpreter lock for seconds while the web server
waits, and would leave those objects in the collector's oldest generation,
which every later full collection walks (about 0.25 s with the interpreter
lock held). ``serve`` calls this first, then moves everything made so far out
of the collector's reach (``gc.freeze``; see ``studio/server.py``).
"""

from __future__ import annotations

import logging

from studio.engine.registry import ModelRegistry
from studio.errors import StudioError

logger = logging.getLogger(__name__)


def import_pipeline_code(registry: ModelRegistry, model: str) -> str | None:
    """Import the diffusers pipeline class of ``model`` (its first mode); nothing is loaded or built.

    Returns:
        The class name imported, or None when ``model`` has no pipeline or cannot be resolved here
        (an unknown name, a hub id not cached offline): the first job then imports it, as before.
    """
    try:
        spec = registry.resolve(model)
        family = registry.family(spec)
    except StudioError as exc:
        logger.info("pipeline code of %s not imported ahead: %s", model, exc)
        return None
    class_name = spec.pipeline_class or family.pipelines.get(spec.modes[0])
    if class_name is None:  # the motion warp: no neural pipeline
        return None
    import diffusers

    getattr(diffusers, class_name)
    return class_name
