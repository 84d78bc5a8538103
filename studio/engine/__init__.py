"""The engine: the only package that imports torch and diffusers.

Importing ``studio.engine`` (or its torch-free ``registry``/``families``)
loads no torch; ``build_engine`` does, when the composition root starts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.config import Settings
    from studio.engine.device import DeviceInfo
    from studio.engine.manager import ModelManager
    from studio.engine.registry import ModelRegistry
    from studio.engine.runner import GenerationRunner


def build_engine(settings: Settings, registry: ModelRegistry, *, serving: bool = False) -> tuple[DeviceInfo, ModelManager, GenerationRunner]:
    """Resolve the device and build the model manager and runner for it (imports torch).

    ``serving``: the process also serves the web studio, so on the CPU the runner leaves a core to it
    (``engine/threads.py``).

    Raises:
        InvalidRequestError: a bad device or dtype, or ``worker_threads`` above the cores available.
    """
    from studio.engine.device import resolve_device
    from studio.engine.guide import GuideRenderer
    from studio.engine.manager import ModelManager
    from studio.engine.runner import GenerationRunner
    from studio.engine.threads import worker_thread_count

    device = resolve_device(settings.device, settings.dtype)
    threads = worker_thread_count(settings.worker_threads, device, serving=serving)
    manager = ModelManager(settings, registry, device)
    return device, manager, GenerationRunner(settings, registry, manager, device, guide_builder=GuideRenderer(settings),
                                             threads=threads)  # fmt: skip
