"""Pipeline components that come from other repositories than the pipeline itself.

Some releases ship only one component: FramePack is a transformer
(``lllyasviel/FramePackI2V_HY``) and an image encoder (``lllyasviel/flux_redux_bfl``)
run with HunyuanVideo's text encoders and VAE. A spec names such components
in ``components_from``; they are loaded here and handed to the pipeline's
``from_pretrained``, which takes the rest from the spec's own source.
"""

from __future__ import annotations

import importlib
from typing import Any

import torch

from studio.engine.registry import ModelSpec


def load_components(spec: ModelSpec, dtype: torch.dtype | dict[str, torch.dtype], offline: bool) -> dict[str, Any]:
    """Each of ``spec.components_from``, loaded with ``from_pretrained`` (models in the dtype their name gets).

    Raises:
        OSError, ValueError: a component cannot be found or read (the manager reports them as a load error).
    """
    loaded: dict[str, Any] = {}
    for name, part in spec.components_from.items():
        module_name, _, class_name = part.class_path.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        kwargs: dict[str, Any] = {"revision": part.revision, "local_files_only": offline}
        if part.subfolder:
            kwargs["subfolder"] = part.subfolder
        if isinstance(cls, type) and issubclass(cls, torch.nn.Module):
            kwargs["dtype"] = dtype.get(name, dtype["default"]) if isinstance(dtype, dict) else dtype
        loaded[name] = cls.from_pretrained(part.source, **kwargs)
    return loaded
