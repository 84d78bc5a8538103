"""Pipeline adapters: how each family's diffusers pipeline is called (one file per family).

A family module (``studio.engine.families.<name>``) is torch-free data; its
adapter lives here, imports torch, and is looked up by the family's
``adapter`` path (``"module:Class"``) when a run needs it. The runner,
previews and steering are written once against ``PipelineAdapter``.
"""

from __future__ import annotations

import importlib
from functools import cache

from studio.engine.adapters.base import PipelineAdapter


@cache
def load_adapter(path: str) -> PipelineAdapter:
    """The adapter named ``"package.module:Class"`` (one instance per class; adapters hold no state)."""
    module_name, _, class_name = path.partition(":")
    adapter = getattr(importlib.import_module(module_name), class_name)()
    if not isinstance(adapter, PipelineAdapter):
        raise TypeError(f"{path} is not a PipelineAdapter")
    return adapter


__all__ = ["PipelineAdapter", "load_adapter"]
