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


def build_engine(settings: Settings, registry: ModelRegistry) -> tuple[DeviceInfo, ModelManager, GenerationRunner]:
    """Resolve the device and build the model manager and runner for it (imports torch)."""
    from studio.engine.device import resolve_device
    from studio.engine.guide import GuideRenderer
    from studio.engine.manager import ModelManager
    from studio.engine.runner import GenerationRunner

    device = resolve_device(settings.device, settings.dtype)
    manager = ModelManager(settings, registry, device)
    return device, manager, GenerationRunner(settings, registry, manager, device, guide_builder=GuideRenderer(settings))
